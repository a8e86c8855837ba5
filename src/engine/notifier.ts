/**
 * @module engine/notifier
 * A local run's notifications, by the rules the Lambdas follow (runtime/notify-due,
 * runtime/notify-send): `retry` when a failed try will be retried, then at the run's end its
 * status, task outcomes, sensor timeouts and a missed deadline. Sends are real when the channel's
 * connection is set locally, else the message goes to the outbox; either way each is recorded on
 * the run (`updraft show`).
 */
import type { NotificationRecord, RunRecord, Store, TryRecord } from '../store/types.ts';
import { listensFor, notifies, type NotifySpec } from '../runtime/notify-due.ts';
import type { NotifyDeps } from '../runtime/notify-send.ts';
import { notifyRetry, notifyRunEnd, type RunNotifyDeps } from '../runtime/run-notifications.ts';

export class RunNotifier {
  readonly #spec: NotifySpec;
  readonly #deps: RunNotifyDeps;
  readonly #pending: Promise<NotificationRecord[]>[] = [];

  constructor(spec: NotifySpec, send: NotifyDeps, store: Store) {
    this.#spec = spec;
    this.#deps = { store, spec: () => spec, send };
  }

  /** True when the DAG has nothing to notify nor a deadline: the engine makes no notifier. */
  static needed(spec: NotifySpec): boolean {
    return notifies(spec);
  }

  /** A try's record was written (`written`): a failed one that will be retried notifies `retry`. */
  onTry(run: RunRecord, t: TryRecord, written: Promise<void>): void {
    if (t.state !== 'failed' || !listensFor(this.#spec, 'retry')) return;
    // A try record that could not be written fails the run's records (engine/task-records), not this.
    this.#pending.push(
      written.then(
        () => notifyRetry(this.#deps, run, t),
        () => [],
      ),
    );
  }

  /** The run ended (`run` is its final record): what it calls for is sent; every record of this execution returned. */
  async end(run: RunRecord): Promise<NotificationRecord[]> {
    const during = (await Promise.all(this.#pending)).flat();
    return [...during, ...(await notifyRunEnd(this.#deps, run))];
  }
}

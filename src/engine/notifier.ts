/**
 * @module engine/notifier
 * A local run's notifications, by the rules the Lambdas follow (runtime/notify-due,
 * runtime/notify-send): `retry` when a failed try will be retried, then at the run's end its
 * status, task outcomes, sensor timeouts and a missed deadline. Sends are real when the channel's
 * connection is set locally, else the message goes to the outbox; either way each is recorded on
 * the run (`updraft show`).
 */
import type { NotificationRecord, RunRecord, Store, TryRecord } from '../store/types.ts';
import {
  listensFor,
  notifies,
  retryDue,
  runEndDue,
  type NotifySpec,
} from '../runtime/notify-due.ts';
import { sendNotifications, type NotifyDeps } from '../runtime/notify-send.ts';

export class RunNotifier {
  readonly #spec: NotifySpec;
  readonly #deps: NotifyDeps;
  readonly #store: Store;
  readonly #pending: Promise<NotificationRecord[]>[] = [];

  constructor(spec: NotifySpec, deps: NotifyDeps, store: Store) {
    this.#spec = spec;
    this.#deps = deps;
    this.#store = store;
  }

  /** True when the DAG has nothing to notify nor a deadline: the engine makes no notifier. */
  static needed(spec: NotifySpec): boolean {
    return notifies(spec);
  }

  /** A try's record was written (`written`): a failed one that will be retried notifies `retry`. */
  onTry(run: RunRecord, t: TryRecord, written: Promise<void>): void {
    if (t.state !== 'failed' || !listensFor(this.#spec, 'retry')) return;
    this.#pending.push(
      written.then(async () => {
        const tries = await this.#store.listTries(t.runId, t.taskId);
        const earlier = tries.filter(
          (x) =>
            x.mapIndex === t.mapIndex && x.runAttempt === t.runAttempt && x.tryNumber < t.tryNumber,
        ).length;
        return sendNotifications(retryDue(this.#spec, run, t, earlier), this.#deps);
      }),
    );
  }

  /** The run ended (`run` is its final record): what it calls for is sent; every record of this execution returned. */
  async end(run: RunRecord): Promise<NotificationRecord[]> {
    const during = (await Promise.all(this.#pending)).flat();
    const tasks = await this.#store.listTasks(run.runId);
    const atEnd = await sendNotifications(runEndDue(this.#spec, run, tasks), this.#deps);
    return [...during, ...atEnd];
  }
}

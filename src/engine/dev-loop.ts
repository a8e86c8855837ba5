/**
 * @module engine/dev-loop
 * The local scheduler behind `updraft dev`: what the launcher and the recorder do on AWS, on
 * the laptop's clock. Each pass fires the schedules' ticks that came due (exactly EventBridge
 * Scheduler's: schedule/aws-ticks), queues the runs the launcher would (schedule/catchup), and
 * starts queued runs (scheduled and dataset-triggered) oldest logical date first while the DAG
 * has fewer than `maxActiveRuns` running. A run's end queues the runs its dataset updates call
 * for (the engine does), and the next pass starts them.
 */
import type { DagIR } from '../ir/types.ts';
import {
  awsScheduleOf,
  awsTicks,
  planLaunch,
  scheduledDag,
  type AwsSchedule,
} from '../schedule/index.ts';
import { queuedIntervalRun } from '../runtime/launch.ts';
import type { NotificationRecord, RunRecord } from '../store/types.ts';
import { checkDeadline } from '../runtime/run-notifications.ts';
import { isDatasetConsumer, triggerDatasetConsumers } from '../runtime/dataset-triggers.ts';
import type { LocalEngine } from './engine.ts';
import type { RunOutcome } from './engine-options.ts';

/** Most missed intervals one tick queues when catching up (the deployments' default). */
const CATCHUP_LIMIT = 25;
/** Runs read to find a DAG's newest scheduled one (manual runs may be newer). */
const NEWEST_RUNS_READ = 25;

export type DevEvent =
  | { readonly kind: 'queued'; readonly run: RunRecord }
  | { readonly kind: 'started'; readonly run: RunRecord }
  | { readonly kind: 'ended'; readonly outcome: RunOutcome }
  /** A run still queued or running past its deadline: `deadline_missed` was sent (or put in the outbox). */
  | {
      readonly kind: 'deadline';
      readonly run: RunRecord;
      readonly notifications: readonly NotificationRecord[];
    }
  | { readonly kind: 'error'; readonly runId: string; readonly error: Error };

export interface DevLoopOptions {
  /** Milliseconds since the epoch: the wall clock, or a test's. */
  readonly now: () => number;
  readonly onEvent?: (event: DevEvent) => void;
}

export class DevLoop {
  readonly #engine: LocalEngine;
  readonly #options: DevLoopOptions;
  /** Per time-scheduled DAG, the instant up to which its ticks were fired. */
  readonly #checked = new Map<string, number>();
  /** Per time-scheduled DAG, the expression the app deploys for it (worked out once). */
  readonly #schedules = new Map<string, AwsSchedule>();
  readonly #running = new Map<string, Promise<void>>();
  /** When the loop started: dataset events since then are evaluated by its passes too. */
  readonly #since: string;

  constructor(engine: LocalEngine, options: DevLoopOptions) {
    this.#engine = engine;
    this.#options = options;
    const now = options.now();
    this.#since = new Date(now).toISOString();
    for (const { ir } of engine.options.dags) {
      this.#checked.set(ir.id, now);
      const aws = awsScheduleOf(ir);
      if (aws) this.#schedules.set(ir.id, aws);
    }
  }

  /**
   * The engine's DAGs changed (a reload): a new DAG's schedule counts from now, a changed one's
   * from where it was (its ticks since the last pass fire once), a removed one is forgotten.
   */
  dagsChanged(): void {
    const now = this.#options.now();
    const ids = new Set(this.#engine.options.dags.map((d) => d.ir.id));
    for (const id of [...this.#checked.keys()]) if (!ids.has(id)) this.#checked.delete(id);
    this.#schedules.clear();
    for (const { ir } of this.#engine.options.dags) {
      if (!this.#checked.has(ir.id)) this.#checked.set(ir.id, now);
      const aws = awsScheduleOf(ir);
      if (aws) this.#schedules.set(ir.id, aws);
    }
  }

  /** Runs started by this loop and not yet ended. */
  get running(): number {
    return this.#running.size;
  }

  /** One pass: the ticks due since the last one, the queued runs that may start, the deadlines passed. */
  async step(): Promise<void> {
    const now = this.#options.now();
    for (const { ir } of this.#engine.options.dags) await this.#fireTicks(ir, now);
    await this.#queueDatasetRuns(now);
    await this.#startQueued();
    await this.#checkDeadlines(now);
  }

  /**
   * Dataset-triggered runs the processes that produced the events could not queue (they did not
   * know the consumer: a DAG added or fixed since, a file that did not load there): conditions are
   * evaluated again for the datasets updated since this loop started.
   */
  async #queueDatasetRuns(now: number): Promise<void> {
    const { store } = this.#engine.options;
    const consumers = this.#engine.options.dags.map((d) => d.ir).filter(isDatasetConsumer);
    if (consumers.length === 0) return;
    const updated = new Set<string>();
    for (const uri of new Set(consumers.flatMap((c) => c.schedule.datasets))) {
      const [latest] = await store.datasetEvents(uri, 1);
      if (latest && latest.at >= this.#since) updated.add(uri);
    }
    if (updated.size === 0) return;
    for (const run of await triggerDatasetConsumers(store, consumers, new Date(now), { updated }))
      this.#options.onEvent?.({ kind: 'queued', run });
  }

  /** Runs queued or running past their deadline notify `deadline_missed`, once (the check is idempotent). */
  async #checkDeadlines(now: number): Promise<void> {
    const withDeadline = new Set(
      this.#engine.options.dags
        .filter((d) => d.ir.deadlineSeconds !== undefined)
        .map((d) => d.ir.id),
    );
    if (withDeadline.size === 0) return;
    const deps = this.#engine.notifyDeps();
    for (const run of await this.#engine.options.store.activeRuns()) {
      if (!withDeadline.has(run.dagId)) continue;
      const notifications = await checkDeadline(deps, run.runId, new Date(now));
      if (notifications.length > 0)
        this.#options.onEvent?.({ kind: 'deadline', run, notifications });
    }
  }

  /** Resolves when every run this loop started has ended. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  async #fireTicks(ir: DagIR, now: number): Promise<void> {
    const aws = this.#schedules.get(ir.id);
    const from = this.#checked.get(ir.id) ?? now;
    this.#checked.set(ir.id, now);
    if (!aws || now <= from) return;
    // Paused: its ticks start nothing, as the launcher's on AWS (with catchup, the first tick
    // after unpausing catches up from the newest scheduled run).
    const { store } = this.#engine.options;
    if ((await store.pausedAt(ir.id)) !== undefined) return;
    for (const tick of awsTicks(aws, new Date(from), new Date(now))) {
      // Read again at each tick: the previous one may have queued the newest scheduled run.
      const recent = ir.catchup
        ? await store.listRuns({ dagId: ir.id, limit: NEWEST_RUNS_READ })
        : [];
      const newest = recent.find((r) => r.triggeredBy === 'schedule');
      const plan = planLaunch(
        { ...scheduledDag(ir), catchup: ir.catchup },
        tick,
        newest && new Date(newest.dataIntervalEnd),
        { catchupLimit: CATCHUP_LIMIT },
      );
      for (const interval of plan.intervals) {
        const { created, run } = await store.createRun(
          queuedIntervalRun(ir, interval, 'schedule', {}, new Date(now)),
        );
        if (created) this.#options.onEvent?.({ kind: 'queued', run });
      }
    }
  }

  /** Queued runs no process owns, oldest logical date first per DAG, while slots are free. */
  async #startQueued(): Promise<void> {
    const active = await this.#engine.options.store.activeRuns();
    const known = new Set(this.#engine.options.dags.map((d) => d.ir.id));
    const byDag = new Map<string, RunRecord[]>();
    for (const run of active) {
      if (!known.has(run.dagId)) continue;
      byDag.set(run.dagId, [...(byDag.get(run.dagId) ?? []), run]);
    }
    for (const [dagId, runs] of byDag) {
      // A paused DAG's queued runs wait until it is unpaused.
      if ((await this.#engine.options.store.pausedAt(dagId)) !== undefined) continue;
      const { ir } = this.#engine.dag(dagId);
      let free = ir.maxActiveRuns - runs.filter((r) => r.status === 'running').length;
      const waiting = runs
        .filter((r) => r.status === 'queued' && !r.owner && !this.#running.has(r.runId))
        .sort(
          (a, b) => a.logicalDate.localeCompare(b.logicalDate) || a.runId.localeCompare(b.runId),
        );
      for (const run of waiting) {
        if (free-- <= 0) break;
        this.#start(run);
      }
    }
  }

  #start(run: RunRecord): void {
    const { onEvent } = this.#options;
    const work = (async () => {
      try {
        const started = this.#engine.startQueued(run.runId);
        onEvent?.({ kind: 'started', run });
        onEvent?.({ kind: 'ended', outcome: await started });
      } catch (error) {
        onEvent?.({ kind: 'error', runId: run.runId, error: error as Error });
      } finally {
        this.#running.delete(run.runId);
      }
    })();
    this.#running.set(run.runId, work);
  }
}

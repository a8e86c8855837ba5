/**
 * @module engine/simulate
 * `updraft simulate`: what the deployed scheduling will start over a stretch of time, in
 * seconds, before deploying. Every schedule ticks exactly as EventBridge Scheduler will
 * (schedule/aws-ticks: the expression the app deploys, DST gaps skipped, repeated hours once);
 * each tick starts what the launcher would (schedule/catchup: the interval that ended, catchup,
 * start and end dates); every run's dataset updates start the consumers the recorder would
 * (runtime/dataset-triggers, the same rule, on a throwaway store). No task code runs: a run is
 * taken to succeed, so its DAG's outlets are updated when it starts.
 */
import type { DagIR } from '../ir/types.ts';
import {
  awsScheduleOf,
  awsTicks,
  planLaunch,
  scheduledDag,
  type AwsSchedule,
} from '../schedule/index.ts';
import { isDatasetConsumer, triggerDatasetConsumers } from '../runtime/dataset-triggers.ts';
import { runIdOf } from '../runtime/launch.ts';
import type { LineageRecord } from '../store/types.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { deadlineOf } from '../runtime/notify-due.ts';

export interface SimulatedRun {
  /** When it would start: its tick, or the instant its dataset condition came to hold. */
  readonly at: string;
  readonly dagId: string;
  readonly runId: string;
  readonly triggeredBy: 'schedule' | 'dataset';
  readonly logicalDate: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  /** Dataset-triggered: the datasets whose updates started it. */
  readonly datasets?: readonly string[];
  /** When its deadline check fires (the DAG's `deadline`), were the run still going then. */
  readonly deadline?: string;
}

export interface Simulation {
  readonly from: string;
  readonly until: string;
  /** Every run it would start, in order. */
  readonly runs: readonly SimulatedRun[];
  /** Per time-scheduled DAG: its deployed expression, its ticks and how many started nothing. */
  readonly schedules: readonly {
    readonly dagId: string;
    readonly expression: string;
    readonly timezone: string;
    readonly ticks: number;
    readonly idleTicks: number;
  }[];
}

export interface SimulateOptions {
  /** Most missed intervals one tick starts when catching up (the deployment's setting). @default 25 */
  readonly catchupLimit?: number;
}

/** The runs the deployed schedules and dataset conditions would start in (from, until]. */
export async function simulate(
  dags: readonly DagIR[],
  from: Date,
  until: Date,
  options: SimulateOptions = {},
): Promise<Simulation> {
  const store = new SqliteStore({ file: ':memory:' });
  try {
    const timed = dags.flatMap((ir) => {
      const aws = awsScheduleOf(ir);
      return aws ? [{ ir, aws }] : [];
    });
    const ticks = timed
      .flatMap(({ ir, aws }) => awsTicks(aws, from, until).map((t) => ({ t, ir })))
      .sort((a, b) => a.t.getTime() - b.t.getTime() || a.ir.id.localeCompare(b.ir.id));
    const state = new SimulationState(dags, store);
    const counts = new Map(timed.map(({ ir }) => [ir.id, { ticks: 0, idle: 0 }]));
    for (const { t, ir } of ticks) {
      const count = counts.get(ir.id)!;
      count.ticks++;
      const started = await state.tick(ir, t, options.catchupLimit ?? 25);
      if (started === 0) count.idle++;
    }
    return {
      from: from.toISOString(),
      until: until.toISOString(),
      runs: state.runs,
      schedules: timed.map(({ ir, aws }) => scheduleSummary(ir, aws, counts.get(ir.id)!)),
    };
  } finally {
    await store.close();
  }
}

function scheduleSummary(ir: DagIR, aws: AwsSchedule, count: { ticks: number; idle: number }) {
  return {
    dagId: ir.id,
    expression: aws.expression,
    timezone: aws.timezone,
    ticks: count.ticks,
    idleTicks: count.idle,
  };
}

class SimulationState {
  readonly runs: SimulatedRun[] = [];
  readonly #store: SqliteStore;
  readonly #dags: ReadonlyMap<string, DagIR>;
  readonly #consumers: readonly (DagIR & { schedule: { kind: 'datasets' } })[];
  /** Per DAG, the end of its newest scheduled run's interval (catchup continues after it). */
  readonly #newest = new Map<string, Date>();
  readonly #started = new Set<string>();

  constructor(dags: readonly DagIR[], store: SqliteStore) {
    this.#store = store;
    this.#dags = new Map(dags.map((d) => [d.id, d]));
    this.#consumers = dags.filter(isDatasetConsumer);
  }

  /** One tick of `ir`'s schedule: the runs the launcher starts, then what their updates start. */
  async tick(ir: DagIR, t: Date, catchupLimit: number): Promise<number> {
    const plan = planLaunch(
      { ...scheduledDag(ir), catchup: ir.catchup },
      t,
      this.#newest.get(ir.id),
      {
        catchupLimit,
      },
    );
    let started = 0;
    for (const interval of plan.intervals) {
      const runId = runIdOf(ir.id, interval.logicalDate);
      if (this.#started.has(runId)) continue; // the interval has its run: an extra tick
      this.#started.add(runId);
      this.#newest.set(ir.id, interval.dataIntervalEnd);
      started++;
      this.runs.push(
        withDeadline(ir, {
          at: t.toISOString(),
          dagId: ir.id,
          runId,
          triggeredBy: 'schedule',
          logicalDate: interval.logicalDate.toISOString(),
          dataIntervalStart: interval.dataIntervalStart.toISOString(),
          dataIntervalEnd: interval.dataIntervalEnd.toISOString(),
        }),
      );
      await this.#updateOutlets(ir, runId, t);
    }
    return started;
  }

  /** The run's tasks write their outlets; the consumers whose condition now holds start, and so on. */
  async #updateOutlets(ir: DagIR, runId: string, t: Date): Promise<void> {
    const records: LineageRecord[] = ir.tasks.flatMap((task) =>
      task.outlets.map((dataset) => ({
        runId,
        dagId: ir.id,
        taskId: task.id,
        direction: 'out' as const,
        dataset,
        at: t.toISOString(),
      })),
    );
    if (records.length === 0) return;
    await this.#store.putLineage(records);
    const updated = new Set(records.map((r) => r.dataset));
    const queued = await triggerDatasetConsumers(this.#store, this.#consumers, t, { updated });
    for (const run of queued) {
      this.runs.push(
        withDeadline(this.#dags.get(run.dagId)!, {
          at: t.toISOString(),
          dagId: run.dagId,
          runId: run.runId,
          triggeredBy: 'dataset',
          logicalDate: run.logicalDate,
          dataIntervalStart: run.dataIntervalStart,
          dataIntervalEnd: run.dataIntervalEnd,
          datasets: (run.triggeringEvents ?? []).map((e) => e.dataset),
        }),
      );
      await this.#updateOutlets(this.#dags.get(run.dagId)!, run.runId, t);
    }
  }
}

/** The run with the instant its deadline check would fire (runtime/notify-due: the recorder's rule), if its DAG has one. */
function withDeadline(ir: DagIR, run: SimulatedRun): SimulatedRun {
  const deadline = deadlineOf(ir, { ...run, startedAt: run.at });
  return deadline ? { ...run, deadline: deadline.toISOString() } : run;
}

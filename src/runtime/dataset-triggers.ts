/**
 * @module runtime/dataset-triggers
 * Data-aware runs (Airflow's asset-triggered runs), one code path for the launcher on AWS and
 * the engine locally: after a producer run, each DAG scheduled on datasets gets one new run each
 * time its condition holds over the events since its last dataset-triggered run. The events are
 * consumed by advancing the DAG's cursor with a conditional write (store/types DatasetCursor), so
 * two producers finishing at once start one consumer run, and no event starts a DAG twice.
 */
import type { DagIR, DatasetSchedule } from '../ir/types.ts';
import { conditionHolds, logicalDateKey } from '../schedule/index.ts';
import {
  datasetEventKey,
  type DatasetCursor,
  type LineageRecord,
  type RunRecord,
  type Store,
} from '../store/types.ts';

/** A DAG scheduled on datasets: all the rule needs of it (a DagIR is one; so is a launch spec). */
export interface DatasetConsumer {
  readonly id: string;
  readonly schedule: DatasetSchedule;
}

export function isDatasetConsumer(dag: DagIR): dag is DagIR & DatasetConsumer {
  return dag.schedule.kind === 'datasets';
}

export interface TriggerOptions {
  /** The datasets the producer run wrote: only their consumers are looked at. @default all */
  readonly updated?: ReadonlySet<string>;
  /** Completes a consumer's run record before it is written (AWS: its execution input). */
  readonly prepare?: (run: RunRecord) => RunRecord;
}

/**
 * Creates the dataset-triggered runs (queued) of the consumers whose condition now holds, and
 * returns them.
 */
export async function triggerDatasetConsumers(
  store: Store,
  consumers: readonly DatasetConsumer[],
  now: Date,
  options: TriggerOptions = {},
): Promise<RunRecord[]> {
  const { updated, prepare = (run) => run } = options;
  const runs: RunRecord[] = [];
  for (const consumer of consumers) {
    if (updated && !consumer.schedule.datasets.some((uri) => updated.has(uri))) continue;
    const run = await triggerConsumer(store, consumer, now, prepare);
    if (run) runs.push(run);
  }
  return runs;
}

/** What the consumer waits on: per dataset of its condition, the newest event it has not consumed. */
export async function unconsumedEvents(
  store: Store,
  consumer: DatasetConsumer,
  cursor: DatasetCursor | undefined,
): Promise<Map<string, LineageRecord>> {
  const fresh = new Map<string, LineageRecord>();
  for (const uri of consumer.schedule.datasets) {
    const [latest] = await store.datasetEvents(uri, 1);
    if (latest && datasetEventKey(latest) > (cursor?.consumed[uri] ?? '')) fresh.set(uri, latest);
  }
  return fresh;
}

/** At most as many tries as processes could plausibly race; each lost race re-reads the cursor. */
const MAX_RACES = 5;

async function triggerConsumer(
  store: Store,
  consumer: DatasetConsumer,
  now: Date,
  prepare: (run: RunRecord) => RunRecord,
): Promise<RunRecord | undefined> {
  for (let race = 0; race < MAX_RACES; race++) {
    const cursor = await store.datasetCursor(consumer.id);
    // Its creator died between advancing the cursor and creating the run: create it now.
    if (cursor?.lastRun && !(await store.getRun(cursor.lastRun.runId)))
      await store.createRun(cursor.lastRun);
    const fresh = await unconsumedEvents(store, consumer, cursor);
    if (!conditionHolds(consumer.schedule.condition, new Set(fresh.keys()))) return undefined;
    const version = (cursor?.version ?? 0) + 1;
    const run = prepare(datasetRun(consumer, version, [...fresh.values()], now));
    const consumed = { ...cursor?.consumed };
    for (const [uri, event] of fresh) consumed[uri] = datasetEventKey(event);
    if (await store.advanceDatasetCursor({ dagId: consumer.id, version, consumed, lastRun: run })) {
      await store.createRun(run);
      return run;
    }
  }
  return undefined; // other processes kept winning: each of their advances made its own run
}

/**
 * The run: queued at `now`, whose second is its logical date; its data interval spans the triggering
 * events (Airflow's asset-triggered runs); its id ends with the cursor's version in base 36
 * (`-d1` … `-dzz`: 5 characters up to 60 million runs keep execution names under Step Functions'
 * 80), so two runs of one second stay apart and a repeated creation is the same run.
 */
function datasetRun(
  consumer: DatasetConsumer,
  version: number,
  events: readonly LineageRecord[],
  now: Date,
): RunRecord {
  const times = events.map((e) => e.at).sort();
  // Whole seconds, as every other logical date (the run id's key has no milliseconds).
  const logicalDate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const key = logicalDateKey(logicalDate);
  return {
    runId: `${consumer.id}-${key}-d${version.toString(36)}`,
    dagId: consumer.id,
    key,
    logicalDate: logicalDate.toISOString(),
    dataIntervalStart: times[0] ?? now.toISOString(),
    dataIntervalEnd: times.at(-1) ?? now.toISOString(),
    triggeredBy: 'dataset',
    conf: {},
    status: 'queued',
    attempt: 1,
    queuedAt: now.toISOString(),
    triggeringEvents: [...events].sort((a, b) => a.dataset.localeCompare(b.dataset)),
  };
}

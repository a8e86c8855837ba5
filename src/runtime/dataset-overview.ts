/**
 * @module runtime/dataset-overview
 * Every dataset of a project with who writes, reads and waits for it, its last event, and what
 * each dataset-scheduled DAG still waits for: `updraft datasets` and, later, the UI's Datasets
 * view read this, from the run store and the DAGs alone.
 */
import type { DagIR } from '../ir/types.ts';
import { formatCondition, waitingFor } from '../schedule/index.ts';
import type { LineageRecord, Store } from '../store/types.ts';
import { isDatasetConsumer, unconsumedEvents } from './dataset-triggers.ts';

export interface DatasetSummary {
  readonly uri: string;
  /** `dag.task` of every task that lists it in `outlets`. */
  readonly producers: readonly string[];
  /** `dag.task` of every task that lists it in `inlets`. */
  readonly readers: readonly string[];
  /** DAGs scheduled on it. */
  readonly consumers: readonly string[];
  readonly lastEvent?: LineageRecord;
}

export interface ConsumerSummary {
  readonly dagId: string;
  /** The condition as Airflow writes it: `s3://a | (s3://b & s3://c)`. */
  readonly condition: string;
  /** Datasets updated since its last dataset-triggered run. */
  readonly updated: readonly string[];
  /** What must still be updated for its next run; undefined when the condition holds. */
  readonly waitingFor?: string;
  /** Its last dataset-triggered run. */
  readonly lastRunId?: string;
}

export interface DatasetOverview {
  readonly datasets: readonly DatasetSummary[];
  readonly consumers: readonly ConsumerSummary[];
}

export async function datasetOverview(
  store: Store,
  dags: readonly DagIR[],
): Promise<DatasetOverview> {
  const entries = new Map<
    string,
    { producers: string[]; readers: string[]; consumers: string[] }
  >();
  const entry = (uri: string) => {
    let e = entries.get(uri);
    if (!e) entries.set(uri, (e = { producers: [], readers: [], consumers: [] }));
    return e;
  };
  for (const dag of dags) {
    for (const t of dag.tasks) {
      for (const uri of t.outlets) entry(uri).producers.push(`${dag.id}.${t.id}`);
      for (const uri of t.inlets) entry(uri).readers.push(`${dag.id}.${t.id}`);
    }
    if (isDatasetConsumer(dag))
      for (const uri of dag.schedule.datasets) entry(uri).consumers.push(dag.id);
  }
  const datasets: DatasetSummary[] = [];
  for (const [uri, e] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const [lastEvent] = await store.datasetEvents(uri, 1);
    datasets.push({ uri, ...e, ...(lastEvent && { lastEvent }) });
  }
  const consumers: ConsumerSummary[] = [];
  for (const dag of dags.filter(isDatasetConsumer)) {
    const cursor = await store.datasetCursor(dag.id);
    const updated = new Set((await unconsumedEvents(store, dag, cursor)).keys());
    const waiting = waitingFor(dag.schedule.condition, updated);
    consumers.push({
      dagId: dag.id,
      condition: formatCondition(dag.schedule.condition),
      updated: [...updated].sort(),
      ...(waiting && { waitingFor: formatCondition(waiting) }),
      ...(cursor?.lastRun && { lastRunId: cursor.lastRun.runId }),
    });
  }
  return { datasets, consumers };
}

/**
 * @module sdk/context
 * What task code receives as its first argument. The runtime (Lambda or the embedded engine)
 * builds it; these are only the types a DAG author programs against.
 */
import type { TriggerKind } from '../ir/types.ts';
import type { Dataset } from './dataset.ts';

/** A connection's fields (Airflow's Connection), parsed from a URI or JSON secret. */
export interface Connection {
  readonly id: string;
  readonly type?: string;
  readonly host?: string;
  readonly port?: number;
  readonly login?: string;
  readonly password?: string;
  readonly schema?: string;
  /** The connection as a URI, when it was given as one. */
  readonly uri?: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface TaskLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export type { TriggerKind };

/** A dataset update that started a data-aware run (Airflow's `triggering_asset_events`). */
export interface DatasetEvent {
  readonly dataset: string;
  /** When the producing task succeeded (ISO-8601 UTC). */
  readonly at: string;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** What the producing task attached with `ctx.datasetExtra` (Airflow's asset event `extra`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface TaskContext<P = Record<string, unknown>> {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** Start of the data interval (Airflow's logical date). */
  readonly logicalDate: Date;
  /** The logical date as YYYY-MM-DD in the DAG's timezone (Airflow's `ds`). */
  readonly ds: string;
  readonly dataInterval: { readonly start: Date; readonly end: Date };
  readonly params: P;
  /** 1 on the first try. */
  readonly attempt: number;
  /** Position in the mapped list, for mapped task instances. */
  readonly mapIndex?: number;
  readonly triggeredBy: TriggerKind;
  /** A dataset-triggered run's triggering events, one per updated dataset (else absent). */
  readonly triggeringDatasetEvents?: readonly DatasetEvent[];
  /** A connection this task declared in `connections`; any other id is refused. */
  connection(id: string): Promise<Connection>;
  /**
   * Metadata for the event this task's success records on one of its `outlets` (Airflow's
   * `outlet_events[asset].extra`): JSON, at most 4 KiB, seen by consumers in
   * `triggeringDatasetEvents` and listed by `updraft datasets`. A later call for the same
   * dataset replaces it; a failed try records no event.
   */
  datasetExtra(dataset: Dataset | string, extra: Readonly<Record<string, unknown>>): void;
  readonly log: TaskLogger;
}

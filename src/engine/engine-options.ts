/**
 * @module engine/engine-options
 * The embedded engine's API types: the DAGs and services it is given, how a run is triggered,
 * and what a trigger or a backfill answers (engine/engine implements them).
 */
import type { DagIR } from '../ir/types.ts';
import type { Dag } from '../sdk/dag.ts';
import type { TriggerKind } from '../sdk/context.ts';
import type { ObjectStore } from '../runtime/objects.ts';
import type { NotificationRecord, PoolSlots, RunRecord, Store } from '../store/types.ts';
import type { NotifyDeps } from '../runtime/notify-send.ts';
import type { EngineEvent } from './engine-event.ts';
import type { OperatorOverride } from './native.ts';
import type { RunMachineResult } from './run-machine.ts';
import type { WorkerPoolOptions } from './worker-pool.ts';

export interface EngineDag {
  readonly dag: Dag;
  readonly ir: DagIR;
  /** The DAG's file (absolute): its task code runs in the engine's worker pool. Without it, in process. */
  readonly file?: string;
  /** `updraft dev` loaded the file again after a change: its workers load this generation of it. */
  readonly generation?: number;
}

export interface EngineOptions {
  /** Run records, and the slots pooled tasks take (shared with every process using the same store). */
  readonly store: Store & PoolSlots;
  readonly objects: ObjectStore;
  /** The project's valid DAGs (children of triggerDag and external sensors are looked up here). */
  readonly dags: readonly EngineDag[];
  /** Task log files go here; in memory when absent. */
  readonly logsDir?: string;
  /** Where connections come from besides the environment (`updraft.connections.json`). */
  readonly projectDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Local S3 stand-in for s3KeySensor: `<s3Dir>/<bucket>/<key>`. */
  readonly s3Dir?: string;
  /** Honour waits, poke intervals and retry delays. @default false */
  readonly realTime?: boolean;
  /** Stand-ins by DAG id and task id (tests). */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, OperatorOverride>>>>;
  readonly mocks?: Readonly<Record<string, Readonly<Record<string, (...args: any[]) => unknown>>>>;
  /** Live task states, for progress displays. */
  readonly onEvent?: (runId: string, event: EngineEvent) => void;
  /** @default Date.now */
  readonly wall?: () => number;
  /** How notifications are delivered: tests shorten the retries and the timeout. */
  readonly notify?: Pick<NotifyDeps, 'fetch' | 'retry' | 'timeoutMs'>;
  /** Task code of DAGs with a `file` runs in worker threads (engine/worker-pool); false: in process. @default {} */
  readonly workers?: WorkerPoolOptions | false;
}

export interface TriggerOptions {
  /** A logical date (fire time of the schedule, or a day). @default the latest complete interval, or now */
  readonly date?: string;
  readonly conf?: Readonly<Record<string, unknown>>;
  /** @default 'manual' */
  readonly triggeredBy?: TriggerKind;
  readonly parentRunId?: string;
  /** Exact run id (trigger-DAG children carry theirs). */
  readonly runId?: string;
  readonly interval?: {
    readonly logicalDate: Date;
    readonly dataIntervalStart: Date;
    readonly dataIntervalEnd: Date;
  };
}

export interface RunOutcome {
  readonly run: RunRecord;
  /** False when the run already existed (same DAG and interval): nothing new started. */
  readonly created: boolean;
  readonly result?: RunMachineResult;
  /** The run existed and was still going in another process: this one waited for it to end. */
  readonly attached?: boolean;
  /** Dataset-triggered runs this run's dataset updates queued (runtime/dataset-triggers). */
  readonly datasetRuns?: readonly RunRecord[];
  /** The notifications this execution made (sent, failed, or put in the outbox), oldest first. */
  readonly notifications?: readonly NotificationRecord[];
}

export interface BackfillInterval {
  readonly runId: string;
  readonly logicalDate: string;
  readonly status: RunRecord['status'];
  /** `ran`: started now; `existing`: the interval already had a run, left as it was. */
  readonly action: 'ran' | 'existing';
}

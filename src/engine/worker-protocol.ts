/**
 * @module engine/worker-protocol
 * The messages between the engine's worker pool (engine/worker-pool) and a task worker
 * (engine/task-worker): plain data only, as the structured clone carries it; and how a worker's
 * crash report reads to the task's author.
 */
import type { Connection, DatasetEvent } from '../sdk/context.ts';
import type { ErrorInfo } from '../store/types.ts';
import type { LogLevel } from '../runtime/task-logger.ts';

/** The context's plain data (Dates as ISO strings); the worker rebuilds the context around it. */
export interface ContextData {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly logicalDate: string;
  readonly ds: string;
  readonly dataInterval: { readonly start: string; readonly end: string };
  readonly params: Readonly<Record<string, unknown>>;
  readonly attempt: number;
  readonly mapIndex?: number;
  readonly triggeredBy: string;
  readonly triggeringDatasetEvents?: readonly DatasetEvent[];
}

/** Engine → worker. */
export type ToWorker =
  | {
      readonly type: 'run';
      readonly job: number;
      readonly file: string;
      readonly context: ContextData;
      readonly args: readonly unknown[];
    }
  | {
      readonly type: 'connection';
      readonly req: number;
      readonly connection?: Connection;
      readonly error?: ErrorInfo;
    };

/** Worker → engine. `job` is absent for what happens between tasks. */
export type FromWorker =
  /** tsx and the DAG module are loaded (or failed to load: the next task says why). */
  | { readonly type: 'ready' }
  | {
      readonly type: 'log';
      readonly job?: number;
      readonly level: LogLevel;
      readonly message: string;
      readonly fields?: Record<string, unknown>;
    }
  | { readonly type: 'connection'; readonly job: number; readonly req: number; readonly id: string }
  /** `json`: the value as JSON.stringify wrote it (absent for undefined); `extras`: the task's ctx.datasetExtra calls. */
  | {
      readonly type: 'done';
      readonly job: number;
      readonly json?: string;
      readonly extras?: readonly (readonly [string, unknown])[];
    }
  | {
      readonly type: 'failed';
      readonly job: number;
      readonly error: ErrorInfo;
      readonly stack?: string;
    }
  /** The worker is about to end: the code called process.exit, or threw outside its promise. */
  | {
      readonly type: 'crash';
      readonly kind: 'exit' | 'uncaught' | 'rejection' | 'worker';
      readonly code?: number;
      readonly cause?: string;
      readonly stack?: string;
    };

/** Why a worker ended, in the task author's terms. */
export function crashCause(
  crash: Extract<FromWorker, { type: 'crash' }> | undefined,
  code: number,
): string {
  if (!crash) return `the worker running the task ended unexpectedly (exit code ${code})`;
  switch (crash.kind) {
    case 'exit':
      return `task called process.exit(${crash.code ?? code}); a task ends by returning or throwing — the worker running it was stopped`;
    case 'uncaught':
      return `uncaught exception outside the task's promise (in a timer or event callback): ${crash.cause}`;
    case 'rejection':
      return `unhandled promise rejection (a promise the task did not await was rejected): ${crash.cause}`;
    case 'worker':
      return String(crash.cause);
    default: {
      const never: never = crash.kind;
      return String(never);
    }
  }
}

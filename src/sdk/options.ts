/**
 * @module sdk/options
 * The option types DAG authors write (task, group and DAG level), kept apart from the factories
 * so their docs read in one place. Every option is validated in `build-ir.ts`; unknown keys are
 * reported with the nearest known one.
 */
import type { Jitter, TriggerRule } from '../ir/types.ts';
import type { Duration } from './duration.ts';
import type { Dataset } from './dataset.ts';
import type { Notification } from './notify.ts';
import type { Pool } from './pool.ts';

/** How a failed task (or group) is tried again. */
export interface RetryOptions {
  /** Every try counts, the first included: `attempts: 3` = up to 2 retries. @default 1 (no retry) */
  readonly attempts: number;
  /** Wait before the first retry. @default '5m' (Airflow's retry_delay) */
  readonly delay?: Duration;
  /** Each wait is the previous one times this (1 = constant, Airflow's default). @default 1 */
  readonly backoff?: number;
  /** Cap on any one wait. @default - no cap */
  readonly maxDelay?: Duration;
  /** `'full'` waits a random time between 0 and the computed delay (avoids thundering herds). @default 'none' */
  readonly jitter?: Jitter;
}

/** Options every task kind accepts. */
export interface TaskOptions {
  /** When this task runs, given its upstream tasks' final states. @default 'all_success' */
  readonly triggerRule?: TriggerRule;
  /** Retry policy; `false` disables an inherited one. @default - the group's or DAG's default */
  readonly retry?: RetryOptions | false;
  /** Fail the try when it runs longer than this. @default - the group's or DAG's default */
  readonly timeout?: Duration;
  /** Typical duration; the compiler uses it to place extra synchronization where it costs least. */
  readonly expectedDuration?: Duration;
  /** Connection ids this task may read (Secrets Manager on AWS, `UPDRAFT_CONN_<ID>` locally). */
  readonly connections?: readonly string[];
  /** Datasets this task reads. */
  readonly inlets?: readonly Dataset[];
  /** Datasets this task writes; updating them can trigger dataset-scheduled DAGs. */
  readonly outlets?: readonly Dataset[];
  /** Share a limited number of slots with other tasks using the same pool. */
  readonly pool?: Pool;
  /** Notifications on this task's failure, retry or success. */
  readonly notify?: readonly Notification[];
  /** When this task is mapped: at most this many instances at once. @default - no limit */
  readonly maxConcurrency?: number;
  /**
   * When this task is mapped: how many failed instances it tolerates (a count, or a percentage
   * such as `'5%'`). Within it the task succeeds (failed instances' outputs are null); past it the
   * task fails and no more instances start (a Distributed Map's failure threshold).
   * @default - none tolerated: every instance runs, and any failure fails the task (Airflow's way)
   */
  readonly toleratedFailures?: number | `${number}%`;
  /** Lambda memory for this task. @default 1024 */
  readonly memoryMiB?: number;
  /** Free text shown in `updraft graph` and the UI. */
  readonly doc?: string;
}

export const TASK_OPTION_KEYS = [
  'triggerRule',
  'retry',
  'timeout',
  'expectedDuration',
  'connections',
  'inlets',
  'outlets',
  'pool',
  'notify',
  'maxConcurrency',
  'toleratedFailures',
  'memoryMiB',
  'doc',
] as const satisfies readonly (keyof TaskOptions)[];

/** Defaults that tasks of a DAG or group inherit unless they set their own. */
export interface TaskDefaults {
  readonly retry?: RetryOptions | false;
  readonly timeout?: Duration;
  readonly triggerRule?: TriggerRule;
  readonly pool?: Pool;
  readonly connections?: readonly string[];
}
export const TASK_DEFAULT_KEYS = [
  'retry',
  'timeout',
  'triggerRule',
  'pool',
  'connections',
] as const satisfies readonly (keyof TaskDefaults)[];

export interface GroupOptions {
  /** Re-run the whole group when a task in it fails (after the task's own retries). */
  readonly retry?: RetryOptions;
  /** Defaults for the tasks inside. */
  readonly defaults?: TaskDefaults;
  readonly doc?: string;
}
export const GROUP_OPTION_KEYS = [
  'retry',
  'defaults',
  'doc',
] as const satisfies readonly (keyof GroupOptions)[];

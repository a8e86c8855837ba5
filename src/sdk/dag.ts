/**
 * @module sdk/dag
 * `dag(id, options, build)`: declares a DAG and runs its build function at once, recording the
 * tasks, groups and edges it creates. A build error does not throw out of the DAG file: it is
 * kept and reported by validation, so one broken DAG does not hide the others.
 */
import type { Duration } from './duration.ts';
import type { Dataset } from './dataset.ts';
import type { Notification } from './notify.ts';
import type { RetryOptions, TaskDefaults } from './options.ts';
import type { ParamSpecs } from './params.ts';
import type { Preset, ScheduleSpec } from './schedule.ts';
import {
  DagBuilder,
  callerLocation,
  peekBuilder,
  withBuilder,
  type LocalOverride,
} from './builder.ts';
import { DagDefinitionError } from '../errors.ts';

export interface DagOptions<P extends ParamSpecs = ParamSpecs> {
  /** When runs start: `cron(...)`, a cron string (`'0 2 * * *'`, in `timezone`), a preset such as `'@daily'`, `rate(...)`, datasets, or `manual()`. @default manual() */
  readonly schedule?: ScheduleSpec | Preset | (string & {}) | readonly Dataset[] | null;
  /** IANA timezone for the schedule and for dates written without a zone. @default 'UTC' */
  readonly timezone?: string;
  /** First data interval starts at or after this date (`'2026-01-01'` = local midnight). */
  readonly startDate?: string;
  /** No data interval starts after this date. */
  readonly endDate?: string;
  /** Run the intervals missed since `startDate` (or since the DAG was paused). @default false (Airflow 3's default) */
  readonly catchup?: boolean;
  /** At most this many runs of this DAG at once. @default 16 (Airflow's default) */
  readonly maxActiveRuns?: number;
  /** Default retry policy of every task. */
  readonly retry?: RetryOptions | false;
  /** Other defaults every task inherits. */
  readonly defaults?: TaskDefaults;
  /** Fail a run that takes longer than this (Airflow's dagrun_timeout). */
  readonly runTimeout?: Duration;
  /**
   * Notify (`deadline_missed`) when a run has not finished this long after its data interval
   * ended (Airflow's SLA), or, with `{ after, from: 'run_start' }`, this long after it started.
   */
  readonly deadline?: Duration | DeadlineOptions;
  readonly params?: P;
  readonly notify?: readonly Notification[];
  readonly description?: string;
  readonly owner?: string;
  readonly tags?: readonly string[];
}

/** A deadline measured from the data interval's end (Airflow's SLA, the default) or from the run's start. */
export interface DeadlineOptions {
  readonly after: Duration;
  /** @default 'interval_end' */
  readonly from?: 'interval_end' | 'run_start';
}

export const DAG_OPTION_KEYS = [
  'schedule',
  'timezone',
  'startDate',
  'endDate',
  'catchup',
  'maxActiveRuns',
  'retry',
  'defaults',
  'runTimeout',
  'deadline',
  'params',
  'notify',
  'description',
  'owner',
  'tags',
] as const satisfies readonly (keyof DagOptions)[];

/** A declared DAG: what a DAG file exports (alone or in an array). */
export interface Dag {
  readonly kind: 'updraft.dag';
  readonly id: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** @internal the recorded tasks, groups and edges */
  readonly builder: DagBuilder;
  /** What the build function threw, if it did. */
  readonly buildError?: unknown;
  /** Where `dag(...)` was called. */
  readonly source?: string;
  /** The code of a task, by full id (for the task runner). */
  taskCode(taskId: string): ((...args: any[]) => unknown) | undefined;
  /** The author's local stand-in for an operator or built-in sensor (the `local` option). */
  localOverride(taskId: string): LocalOverride | undefined;
}

export function isDag(value: unknown): value is Dag {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'updraft.dag'
  );
}

/**
 * Declare a DAG. The build function runs now, synchronously; tasks created inside belong to it.
 *
 * ```ts
 * export default dag('daily_orders', { schedule: cron('0 2 * * *', { timezone: 'Europe/Berlin' }), startDate: '2026-01-01' }, () => {
 *   load(check(extract()));
 * });
 * ```
 */
export function dag<P extends ParamSpecs>(
  id: string,
  options: DagOptions<P>,
  build: () => void,
): Dag;
export function dag(id: string, build: () => void): Dag;
export function dag(id: string, a: DagOptions | (() => void), b?: () => void): Dag {
  const [options, build] = typeof a === 'function' ? [{}, a] : [a ?? {}, b];
  const source = callerLocation();
  const builder = new DagBuilder(String(id));
  const outer = peekBuilder();
  if (outer) {
    // Report it on the DAG being built, which is exported; the nested one would vanish unseen.
    outer.problems.push({
      code: 'nested-dag',
      severity: 'error',
      message: `dag("${id}") is declared inside the build function of dag("${outer.dagId}"), so it is not exported and never runs`,
      hint: 'declare each DAG at the top level of a file and export it (or export an array of DAGs)',
      dagId: outer.dagId,
      ...(source && { file: source }),
    });
  }
  let buildError: unknown;
  try {
    if (typeof build !== 'function')
      throw new DagDefinitionError(
        `dag("${id}") needs a build function as its last argument: dag("${id}", { ... }, () => { ...tasks... }).`,
      );
    const returned: unknown = withBuilder(builder, build);
    if (
      returned &&
      typeof (returned as Promise<unknown>).then === 'function' &&
      returned instanceof Promise
    ) {
      returned.catch(() => undefined);
      throw new DagDefinitionError(
        `the build function of dag("${id}") is async; it must be synchronous (tasks run later, on the state machine). Remove "async" and any await from it.`,
      );
    }
  } catch (error) {
    buildError = error;
  }
  const code = new Map(builder.tasks.filter((t) => t.fn).map((t) => [t.id, t.fn!] as const));
  return {
    kind: 'updraft.dag',
    id: String(id),
    options: options as Record<string, unknown>,
    builder,
    buildError,
    source,
    taskCode: (taskId) => code.get(taskId),
    localOverride: (taskId) => builder.tasks.find((t) => t.id === taskId)?.local,
  };
}

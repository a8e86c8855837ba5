/**
 * @module ir/types
 * The validated intermediate representation of a DAG: plain, JSON-serializable data that the
 * compiler, the engine, infra and the CLI all read. Produced by `src/sdk` (`buildDag`), checked
 * by `validateDags`. Every union is tagged by `kind`; code that switches on one ends with
 * `assertNever` so a new kind cannot be forgotten.
 *
 * Units are in the names: `*Seconds` are whole seconds, dates are ISO-8601 strings.
 */
import { InternalError } from '../errors.ts';

/** Airflow 3 trigger rules. */
export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** Final and live states of a task instance (Airflow's names). */
export const TASK_STATES = [
  'success',
  'failed',
  'skipped',
  'upstream_failed',
  'running',
  'queued',
  'up_for_retry',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export type Jitter = 'none' | 'full';

/** A resolved retry policy. `attempts` counts every try, the first included (Airflow `retries` = attempts − 1). */
export interface RetryPolicyIR {
  readonly attempts: number;
  readonly delaySeconds: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds?: number;
  readonly jitter: Jitter;
}

// ─── Schedules ────────────────────────────────────────────────────────────────

export type Schedule = CronSchedule | RateSchedule | ManualSchedule | DatasetSchedule;

/** A cron schedule (5 fields, or a preset such as `@daily`) evaluated in an IANA timezone. */
export interface CronSchedule {
  readonly kind: 'cron';
  /** The expression as written: 5 cron fields or a preset (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`). */
  readonly expression: string;
  readonly timezone: string;
}

/** A fixed-period schedule anchored at the DAG's start date (`rate('6h')`). */
export interface RateSchedule {
  readonly kind: 'rate';
  readonly everySeconds: number;
  /** As written, for display (`'6h'`). */
  readonly expression: string;
  readonly timezone: string;
}

export interface ManualSchedule {
  readonly kind: 'manual';
}

/**
 * Which dataset updates start a data-aware run (Airflow's asset conditions `a | (b & c)`): one
 * dataset updated, all of several, or any of several, nested.
 */
export type DatasetCondition =
  | { readonly kind: 'dataset'; readonly uri: string }
  | { readonly kind: 'all'; readonly of: readonly DatasetCondition[] }
  | { readonly kind: 'any'; readonly of: readonly DatasetCondition[] };

/** Data-aware: a run starts when the condition over the consumed datasets' updates holds. */
export interface DatasetSchedule {
  readonly kind: 'datasets';
  readonly condition: DatasetCondition;
  /** Every dataset the condition names, sorted, once each. */
  readonly datasets: readonly string[];
  /** Also on this time schedule (Airflow's AssetOrTimeSchedule): its ticks start runs as a cron DAG's. */
  readonly time?: CronSchedule | RateSchedule;
}

/** The time schedule of a DAG: its cron or rate, or a data-aware DAG's `or` schedule. */
export function timeScheduleOf(schedule: Schedule): CronSchedule | RateSchedule | undefined {
  switch (schedule.kind) {
    case 'cron':
    case 'rate':
      return schedule;
    case 'datasets':
      return schedule.time;
    default:
      return undefined;
  }
}

// ─── Values passed between tasks ─────────────────────────────────────────────

/**
 * A task argument: a literal, a reference to an upstream task's output (optionally a field of
 * it), or an object/array that nests references. The compiler turns references into JSONPath.
 */
export type ValueIR =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'output'; readonly task: string; readonly path: readonly (string | number)[] }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, ValueIR>> }
  | { readonly kind: 'array'; readonly items: readonly ValueIR[] }
  /** A run value (`runValues.logicalDate` …), usable in operator parameters and sensor keys. */
  | { readonly kind: 'context'; readonly name: ContextValueName }
  /** A string built from a template: `{}` placeholders filled in order, literal `\{ \} \\` escaped (Step Functions `States.Format`; see ir/format). */
  | { readonly kind: 'format'; readonly template: string; readonly args: readonly ValueIR[] };

/** Values of the run every state can read. `ds` is the logical date as YYYY-MM-DD in the DAG's timezone. */
export const CONTEXT_VALUES = [
  'dagId',
  'runId',
  'logicalDate',
  'ds',
  'dataIntervalStart',
  'dataIntervalEnd',
  'params',
] as const;
export type ContextValueName = (typeof CONTEXT_VALUES)[number];

// ─── Sensors and operators ───────────────────────────────────────────────────

/** What a sensor pokes. `function` runs the DAG author's code; the others are built in. */
export type SensorCheckIR =
  | { readonly kind: 'function' }
  | { readonly kind: 's3_key'; readonly bucket: ValueIR; readonly key: ValueIR }
  | {
      readonly kind: 'external_dag';
      readonly dagId: string;
      /** Wait for one task of that run instead of the whole run. */
      readonly taskId?: string;
      /** The other DAG's logical date = ours minus this offset. */
      readonly offsetSeconds: number;
    }
  | {
      readonly kind: 'time' /** Seconds after the end of the data interval. */;
      readonly afterIntervalEndSeconds: number;
    };

export interface SensorIR {
  readonly check: SensorCheckIR;
  readonly pokeIntervalSeconds: number;
  /** Each wait is the previous one times this rate (1 = constant), capped at `maxPokeIntervalSeconds`. */
  readonly pokeBackoffRate: number;
  readonly maxPokeIntervalSeconds?: number;
  readonly timeoutSeconds: number;
  /** On timeout the sensor ends `skipped` instead of `failed`. */
  readonly softFail: boolean;
}

/** Native Step Functions integrations, declared as data (no Lambda code of ours runs). */
export type OperatorIR =
  | { readonly kind: 'lambda_invoke'; readonly functionName: string; readonly payload?: ValueIR }
  | {
      readonly kind: 'ecs_task';
      readonly cluster: string;
      readonly taskDefinition: string;
      readonly launchType: 'FARGATE' | 'EC2';
      readonly subnets: readonly string[];
      readonly securityGroups: readonly string[];
      readonly container?: string;
      readonly command?: ValueIR;
      readonly environment?: ValueIR;
    }
  | {
      readonly kind: 'batch_job';
      readonly jobName: string;
      readonly jobQueue: string;
      readonly jobDefinition: string;
      readonly parameters?: ValueIR;
    }
  | { readonly kind: 'glue_job'; readonly jobName: string; readonly arguments?: ValueIR }
  | {
      readonly kind: 'athena_query';
      readonly query: ValueIR;
      readonly database?: string;
      readonly workGroup?: string;
      readonly outputLocation?: string;
    }
  | {
      readonly kind: 'http_request';
      readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      readonly url: ValueIR;
      /** Name of the connection holding the EventBridge API destination connection (auth). */
      readonly connection: string;
      readonly headers?: ValueIR;
      readonly query?: ValueIR;
      readonly body?: ValueIR;
    }
  | {
      readonly kind: 'sns_publish';
      readonly topic: string;
      readonly message: ValueIR;
      readonly subject?: string;
    }
  | { readonly kind: 'sqs_send'; readonly queue: string; readonly message: ValueIR }
  | {
      readonly kind: 'eventbridge_put';
      readonly eventBus: string;
      readonly source: string;
      readonly detailType: string;
      readonly detail: ValueIR;
    }
  | {
      readonly kind: 'trigger_dag';
      readonly dagId: string;
      readonly conf?: ValueIR;
      readonly wait: boolean;
      /**
       * The time sensors of the triggered DAG (record key, seconds after the data interval's end),
       * filled when the project is loaded (compiler/link): the child's run needs their timestamps.
       */
      readonly childTimers?: readonly {
        readonly key: string;
        readonly afterIntervalEndSeconds: number;
      }[];
    };

export const OPERATOR_KINDS = [
  'lambda_invoke',
  'ecs_task',
  'batch_job',
  'glue_job',
  'athena_query',
  'http_request',
  'sns_publish',
  'sqs_send',
  'eventbridge_put',
  'trigger_dag',
] as const satisfies readonly OperatorIR['kind'][];

// ─── Tasks ───────────────────────────────────────────────────────────────────

/**
 * What a task does:
 * - `function`: TaskFlow code run by the task runner (a Lambda on AWS).
 * - `branch`: code that returns which direct downstream tasks run; the others are skipped.
 * - `short_circuit`: code that returns false to skip downstream tasks.
 * - `sensor`: poke until true or timeout, waiting in the state machine between pokes.
 * - `operator`: a native service integration.
 */
export type TaskBodyIR =
  | { readonly kind: 'function' }
  | {
      readonly kind: 'branch' /** Declared possible choices; empty = any direct downstream. */;
      readonly choices: readonly string[];
    }
  | {
      readonly kind: 'short_circuit' /** Airflow's ignore_downstream_trigger_rules (default true: skip everything downstream). */;
      readonly ignoreDownstreamTriggerRules: boolean;
    }
  | { readonly kind: 'sensor'; readonly sensor: SensorIR }
  | { readonly kind: 'operator'; readonly operator: OperatorIR };

export type TaskRole =
  | { readonly kind: 'setup' }
  | {
      readonly kind: 'teardown';
      readonly setups: readonly string[];
      readonly onFailureFailDagrun: boolean;
    };

/** Dynamic task mapping: one task instance per element of an upstream list. */
export interface MappingIR {
  /** The list mapped over (an upstream output or a literal array). */
  readonly over: ValueIR;
  /** Position of the mapped argument among the task's arguments. */
  readonly argIndex: number;
  /** At most this many instances at once (0 = no limit, Step Functions' default). */
  readonly maxConcurrency: number;
  /**
   * Failed instances the task tolerates: it succeeds while at most this many (or this percentage)
   * failed, and fails past it without starting more. Unset: every instance runs and any failure fails the task.
   */
  readonly toleratedFailures?: { readonly count: number } | { readonly percent: number };
}

export interface PoolIR {
  readonly name: string;
  readonly slots: number;
}

export type NotifyEvent = 'failure' | 'retry' | 'success' | 'deadline_missed' | 'sensor_timeout';
export type NotifyChannel =
  | {
      readonly kind: 'sns' /** Topic name; default: the platform alerts topic. */;
      readonly topic?: string;
    }
  | { readonly kind: 'slack'; readonly connection: string }
  | { readonly kind: 'webhook'; readonly connection: string };
export interface NotificationIR {
  readonly on: readonly NotifyEvent[];
  readonly channel: NotifyChannel;
}

export interface TaskIR {
  /** Full id: group ids and the task id joined by `.` (`transform.clean`). */
  readonly id: string;
  /** Innermost group, if any. */
  readonly group?: string;
  readonly body: TaskBodyIR;
  readonly args: readonly ValueIR[];
  readonly mapping?: MappingIR;
  readonly triggerRule: TriggerRule;
  /** Resolved: task, then enclosing groups' defaults, then the DAG's default. */
  readonly retry?: RetryPolicyIR;
  readonly timeoutSeconds?: number;
  /** Declared expected duration, used to place extra synchronization where it costs least. */
  readonly expectedDurationSeconds?: number;
  readonly role?: TaskRole;
  readonly connections: readonly string[];
  readonly inlets: readonly string[];
  readonly outlets: readonly string[];
  readonly pool?: PoolIR;
  readonly notifications: readonly NotificationIR[];
  readonly memoryMiB?: number;
  readonly doc?: string;
  /** Where it was declared, for messages (`dags/daily.ts:12`). */
  readonly source?: string;
}

export interface GroupIR {
  readonly id: string;
  readonly parent?: string;
  /** Re-run the whole group when any task in it fails. */
  readonly retry?: RetryPolicyIR;
  readonly doc?: string;
}

/** `from` must finish (by `to`'s trigger rule) before `to` starts. `data` edges also carry a value. */
export interface EdgeIR {
  readonly from: string;
  readonly to: string;
  readonly kind: 'data' | 'explicit';
}

export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
export interface ParamIR {
  readonly type: ParamType;
  readonly default?: unknown;
  readonly required: boolean;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface DagIR {
  readonly id: string;
  /** DAG file, relative to the project root (`dags/daily_orders.ts`). */
  readonly file: string;
  /** Where `dag(...)` is called (`dags/daily_orders.ts:17`). */
  readonly source?: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tags: readonly string[];
  /** IANA timezone of the DAG: the default for its schedule, dates written without a zone, and `ds`. */
  readonly timezone: string;
  readonly schedule: Schedule;
  /** ISO-8601 instant: the first data interval starts at or after it. */
  readonly startDate?: string;
  /** ISO-8601 instant: no data interval starts after it. */
  readonly endDate?: string;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  readonly runTimeoutSeconds?: number;
  readonly params: Readonly<Record<string, ParamIR>>;
  readonly notifications: readonly NotificationIR[];
  /** A run not finished this long after its data interval ended (or its start: `deadlineFrom`) raises `deadline_missed`. */
  readonly deadlineSeconds?: number;
  /** What `deadlineSeconds` counts from. Absent: the data interval's end. */
  readonly deadlineFrom?: 'run_start';
  readonly tasks: readonly TaskIR[];
  readonly groups: readonly GroupIR[];
  readonly edges: readonly EdgeIR[];
}

// ─── Problems (validation results) ───────────────────────────────────────────

/** What started a run: its schedule, a person, a backfill, a dataset update, or another DAG. */
export type TriggerKind = 'schedule' | 'manual' | 'backfill' | 'dataset' | 'dag';

export type { Problem, ProblemCode, Severity } from '../problems.ts';

/** The end of a switch over every kind: reaching it at run time is a bug in Updraft. */
export function assertNever(value: never, what = 'value'): never {
  throw new InternalError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * @module store/types
 * The run-metadata records every backend shares (embedded engine on SQLite, LocalStack, AWS):
 * runs, per-task summaries, per-attempt tries, lineage, dataset events and the local outbox.
 * Times are ISO-8601 strings in UTC. On the embedded engine they are the times the cloud would
 * show (the engine's clock skips waits but still counts them).
 */
import type { NotifyEvent, TriggerKind } from '../ir/types.ts';

export type RunStatus = 'queued' | 'running' | 'success' | 'failed';

export interface ErrorInfo {
  /** Step Functions error name, e.g. `Updraft.TaskFailed`, `Updraft.PermanentError`, `States.Timeout`. */
  readonly error: string;
  /** Human-readable cause (the task's message, with its own causes). */
  readonly cause: string;
  /** Task code's stack trace (masked, paths relative to the project), on try records of failed tries. */
  readonly stack?: string;
}

/** The process that drives a local run: lets the next command see that it died. */
export interface RunOwner {
  readonly pid: number;
  readonly host: string;
  readonly heartbeatAt: string;
}

export interface RunRecord {
  readonly runId: string;
  readonly dagId: string;
  /** Logical date key (`2026-11-20T00-00-00Z`), the run id's suffix (before a dataset run's `-d<n>`). */
  readonly key: string;
  readonly logicalDate: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  readonly triggeredBy: TriggerKind;
  readonly conf: Readonly<Record<string, unknown>>;
  readonly status: RunStatus;
  /** 1 on the first execution; +1 each time the run is resumed (retry/clear: a new execution `<runId>-r<n>` on AWS). */
  readonly attempt: number;
  readonly queuedAt: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly error?: ErrorInfo;
  readonly owner?: RunOwner;
  /** The run that started this one (trigger-DAG operator). */
  readonly parentRunId?: string;
  /** Dataset-triggered runs: the dataset events that made the condition hold, one per dataset. */
  readonly triggeringEvents?: readonly LineageRecord[];
  /** State transitions of every execution of the run (a retry or clear adds its own): what it cost. */
  readonly transitions?: number;
  readonly historyEvents?: number;
  /** AWS: the execution's ARN (from the launcher, trigger or recorder). */
  readonly executionArn?: string;
  /** Wall time from start to end of the latest execution, in milliseconds. */
  readonly durationMs?: number;
  /** AWS: what the run's state transitions cost (Standard workflows, USD). */
  readonly costUsd?: number;
  /**
   * Every task's state when the run ended, in the run's own record, so that a view of many runs
   * (the UI's grid) reads the runs alone: written with the run's end (taskStatesOf).
   */
  readonly taskStates?: TaskStates;
  /**
   * AWS, queued runs only (maxActiveRuns reached): the execution input to start with once a
   * slot frees; removed when the execution starts.
   */
  readonly pendingInput?: string;
  /** The run attempt whose failure was notified (the recorder notifies each attempt once). */
  readonly notifiedAttempt?: number;
  /**
   * AWS, runs the launcher creates: the DAG's `maxActiveRuns` when the run was queued. The
   * recorder's status events do not carry it, and only a queued run needs it (to know how many
   * queued runs a finished one lets start).
   */
  readonly maxActiveRuns?: number;
}

export type TaskState =
  | 'queued'
  | 'running'
  | 'up_for_retry'
  | 'success'
  | 'failed'
  | 'skipped'
  | 'upstream_failed';

/** One per task per run: its latest state (mapped tasks summarise their instances). */
export interface TaskRecord {
  readonly runId: string;
  readonly dagId: string;
  readonly taskId: string;
  readonly state: TaskState;
  /** Tries of the latest execution (for mapped tasks: the most any instance took). */
  readonly attempts: number;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Inline output, or an offload reference (`{ $ref, bytes }`). */
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  /** Mapped tasks: number of instances and how many failed. */
  readonly mapped?: { readonly count: number; readonly failed: number };
  /** True when the output was reused from an earlier execution of the run (retry/clear). */
  readonly reused?: boolean;
  /**
   * The state transitions of this task's states in every execution of the run (a retry or clear
   * adds its own; a state shared by several tasks counts for each in part): what it cost on Step
   * Functions. The embedded engine counts them; the AWS recorder counts the run's only.
   */
  readonly transitions?: number;
}

/**
 * A run's tasks in brief: per task id its state as one character (`s`, STATE_CODES), and only
 * where they say something, its tries when more than one (`n`) and a mapped task's instances
 * (`m`). Small, because a view of a thousand runs reads a thousand of them.
 */
export interface TaskStates {
  readonly s: Readonly<Record<string, string>>;
  readonly n?: Readonly<Record<string, number>>;
  readonly m?: Readonly<Record<string, number>>;
}

/** One character per task state (TaskStates, and the grid the UI reads). */
export const STATE_CODES: Readonly<Record<TaskState | 'none', string>> = {
  success: 's',
  failed: 'f',
  running: 'r',
  queued: 'q',
  skipped: 'k',
  upstream_failed: 'u',
  up_for_retry: 'y',
  none: '-',
};

/** Past this many tasks a run keeps no summary (a DynamoDB item holds 400 KB): readers use the task records. */
const TASK_STATES_MAX = 1000;

/** A run's task records as its summary (RunRecord.taskStates), or undefined for a run of very many tasks. */
export function taskStatesOf(tasks: readonly TaskRecord[]): TaskStates | undefined {
  if (tasks.length > TASK_STATES_MAX) return undefined;
  const s: Record<string, string> = {};
  const n: Record<string, number> = {};
  const m: Record<string, number> = {};
  for (const t of tasks) {
    s[t.taskId] = STATE_CODES[t.state];
    if (t.attempts > 1) n[t.taskId] = t.attempts;
    if (t.mapped) m[t.taskId] = t.mapped.count;
  }
  return {
    s,
    ...(Object.keys(n).length > 0 && { n }),
    ...(Object.keys(m).length > 0 && { m }),
  };
}

/** One per attempt of one task instance (`mapIndex` -1 when not mapped). */
export interface TryRecord {
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly tryNumber: number;
  /** The run's execution attempt this try belongs to. */
  readonly runAttempt: number;
  readonly state: 'running' | 'success' | 'failed';
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly error?: ErrorInfo;
  /**
   * A successful try's response as the state machine received it (inline or an offload
   * reference): resuming a run (retry/clear) hands it back instead of running the task again.
   */
  readonly response?: unknown;
}

export interface LineageRecord {
  readonly runId: string;
  readonly dagId: string;
  readonly taskId: string;
  readonly direction: 'in' | 'out';
  readonly dataset: string;
  readonly at: string;
  /** An outlet's event metadata (`ctx.datasetExtra`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A dataset event's key: `<at>#<runId>#<taskId>`, increasing with `at` (the DynamoDB item's sort key). */
export function datasetEventKey(e: Pick<LineageRecord, 'at' | 'runId' | 'taskId'>): string {
  return `${e.at}#${e.runId}#${e.taskId}`;
}

/**
 * Where a dataset-scheduled DAG stands: the newest event of each dataset its runs have consumed,
 * and the run the last advance created. It moves only by a conditional write from one version to
 * the next, so two launchers (or processes) that find the condition met at once create one run,
 * and no event triggers the DAG twice.
 */
export interface DatasetCursor {
  readonly dagId: string;
  /** 0 before the first dataset-triggered run; +1 each run. */
  readonly version: number;
  /** Per dataset URI, the key (datasetEventKey) of the newest event consumed. */
  readonly consumed: Readonly<Record<string, string>>;
  /** The run the last advance made: created again (idempotently) if its creator died before it could. */
  readonly lastRun?: RunRecord;
}

export interface OutboxMessage {
  readonly runId: string;
  readonly seq: number;
  readonly taskId: string;
  /** `slack`/`webhook`: a notification a local run could not send (no connection set). */
  readonly service: 'sns' | 'sqs' | 'events' | 'slack' | 'webhook';
  /** Topic ARN, queue URL or event bus name. */
  readonly target: string;
  readonly message: unknown;
  readonly at: string;
}

/**
 * One notification of a run (a DAG's or task's `notify` entry for one event), claimed by its key
 * before it is sent, so a redelivered status event or a second process sends nothing twice
 * (runtime/notifications).
 */
export interface NotificationRecord {
  readonly runId: string;
  /** What makes it one send: event, run attempt, task instance, try and channel (runtime/notifications notificationKey). */
  readonly key: string;
  readonly dagId: string;
  readonly event: NotifyEvent;
  readonly taskId?: string;
  /** `slack:<connection>`, `webhook:<connection>` or `sns:<topic>`: never the URL (it is a secret). */
  readonly channel: string;
  /** `sending` while claimed; `outbox` when a local run had no way to send it (no connection, or SNS). */
  readonly state: 'sending' | 'sent' | 'failed' | 'outbox';
  /** Delivery attempts made (retries with backoff). */
  readonly attempts: number;
  /** When it was claimed. */
  readonly at: string;
  readonly sentAt?: string;
  /** Why the last attempt failed, masked. */
  readonly error?: string;
  /** The message's title line, masked (`updraft show` lists it). */
  readonly title: string;
}

/**
 * A sensor instance's poke bookkeeping between pokes (each poke is its own Lambda invocation on
 * AWS): seconds waited so far and pokes made, for the growing poke interval and the timeout.
 */
export interface PokeState {
  readonly waited: number;
  readonly n: number;
  /** The run attempt it belongs to: a resumed (redriven) run's sensor starts from zero, as on the engine. */
  readonly runAttempt: number;
}

export interface ListRunsQuery {
  readonly dagId?: string;
  readonly status?: RunStatus;
  /** @default 50 */
  readonly limit?: number;
}

/**
 * The one run-metadata repository: SQLite locally (store/sqlite-store), DynamoDB on AWS
 * (store/dynamo-store); both pass test/store/conformance.test.ts. Every write has landed when its
 * promise resolves (there is no write-behind to flush).
 */
export interface Store {
  /** Creates the run unless one with this id exists (deterministic ids make triggers idempotent). */
  createRun(run: RunRecord): Promise<{ readonly created: boolean; readonly run: RunRecord }>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Updates fields of a run (undefined values remove the attribute). With `ifStatus`, only when
   * the run is in one of those states: returns undefined when it was not (or does not exist).
   */
  updateRun(
    runId: string,
    patch: Partial<Omit<RunRecord, 'runId' | 'dagId'>>,
    options?: { readonly ifStatus?: readonly RunStatus[] },
  ): Promise<RunRecord | undefined>;
  /** Newest logical date first. */
  listRuns(query?: ListRunsQuery): Promise<RunRecord[]>;
  /** Runs queued or running, every DAG. */
  activeRuns(): Promise<RunRecord[]>;
  putTask(task: TaskRecord): Promise<void>;
  /** Several task records at once (one transaction locally, batches of 25 on DynamoDB). */
  putTasks(tasks: readonly TaskRecord[]): Promise<void>;
  listTasks(runId: string): Promise<TaskRecord[]>;
  putTry(t: TryRecord): Promise<void>;
  listTries(runId: string, taskId?: string): Promise<TryRecord[]>;
  putLineage(records: readonly LineageRecord[]): Promise<void>;
  listLineage(runId: string): Promise<LineageRecord[]>;
  /** Dataset update events, newest first (data-aware scheduling, `updraft datasets`). */
  datasetEvents(dataset: string, limit?: number): Promise<LineageRecord[]>;
  /** A dataset-scheduled DAG's cursor, undefined before its first dataset-triggered run. */
  datasetCursor(dagId: string): Promise<DatasetCursor | undefined>;
  /**
   * Moves the DAG's cursor to `next` (version + 1) only while it is still at `next.version - 1`
   * (0: no cursor yet): false when another launcher or process moved it first.
   */
  advanceDatasetCursor(next: DatasetCursor): Promise<boolean>;
  /** When the DAG was paused (`updraft pause`), or undefined when it is not. */
  pausedAt(dagId: string): Promise<string | undefined>;
  /** Pauses (`at`) or unpauses (undefined) the DAG. */
  setPaused(dagId: string, at: string | undefined): Promise<void>;
  /**
   * The next try number of a task instance: 1 on the first call, then 2, 3 … An atomic counter in
   * the store, so numbering survives across Lambda invocations (each retry is a new one).
   */
  nextTry(runId: string, taskId: string, mapIndex: number): Promise<number>;
  /** A sensor instance's poke bookkeeping (kept beside its try counter), undefined before its first poke. */
  getPokes(runId: string, taskId: string, mapIndex: number): Promise<PokeState | undefined>;
  putPokes(runId: string, taskId: string, mapIndex: number, state: PokeState): Promise<void>;
  putOutbox(message: OutboxMessage): Promise<void>;
  listOutbox(runId?: string): Promise<OutboxMessage[]>;
  /** Writes the notification unless one with its run and key exists: false when it did (someone else sends it). */
  claimNotification(n: NotificationRecord): Promise<boolean>;
  /** Writes the notification over the claimed one (its outcome). */
  putNotification(n: NotificationRecord): Promise<void>;
  /** A run's notifications, oldest claim first. */
  listNotifications(runId: string): Promise<NotificationRecord[]>;
  close(): Promise<void>;
  /**
   * updateRun for consumers of at-least-once events (the recorder): applied only while the run's
   * counter `field` (missing counts as 0) is below `below`, or equal to it with the status in
   * `orEqualIn`. Undefined when not applied or no such run. A late or repeated execution event
   * thus never takes a run back (`attempt`), and a failure is notified once (`notifiedAttempt`).
   */
  updateRunGuarded(
    runId: string,
    patch: Partial<Omit<RunRecord, 'runId' | 'dagId'>>,
    guard: {
      readonly field: 'attempt' | 'notifiedAttempt';
      readonly below: number;
      readonly orEqualIn?: readonly RunStatus[];
    },
  ): Promise<RunRecord | undefined>;
}

/**
 * `maxActiveRuns` on AWS as a conditional write (store/dynamo-store): a run takes one of its DAG's
 * slots before its execution starts, and the claim succeeds only while fewer than `max` runs hold
 * one, so two launchers racing cannot both start past the max. The run that ended, or a claim
 * whose holder is gone, gives its slot back.
 */
/**
 * A DAG's pause, kept in the run store rather than in the schedule: on AWS a deploy writes the
 * schedule's State again from its template, so the launcher checks this on every tick, as Airflow
 * checks `is_paused` in its metadata database; locally `updraft dev` checks it.
 */
export type DagPauses = Pick<Store, 'pausedAt' | 'setPaused'>;

export interface RunSlots {
  /** Claims a slot for `runId` (true if it holds one now, also when it already did). */
  claimSlot(dagId: string, runId: string, max: number, at: string): Promise<boolean>;
  /** Gives `runId`'s slot back (nothing if it holds none). */
  releaseSlot(dagId: string, runId: string): Promise<void>;
  /** The runs holding a slot, with when each claimed it. */
  slotHolders(dagId: string): Promise<Readonly<Record<string, string>>>;
}

/**
 * A task instance holding one slot of a pool (`pool('warehouse', { slots: 4 })`). The holder key is
 * `<runId>#<taskId>#<mapIndex>` (-1 when not mapped; poolHolderKey), one per task
 * instance, so acquiring again what it already holds changes nothing.
 */
export interface PoolHolder {
  readonly pool: string;
  readonly holder: string;
  readonly runId: string;
  /**
   * The execution that acquired it (`<runId>`, or `<runId>-r<n>` for a resumed run): the end of an
   * earlier execution of the run never releases what a later one re-acquired.
   */
  readonly execution: string;
}

/** A task instance's holder key in a pool: `<runId>#<taskId>#<mapIndex>` (what the compiled state machine writes). */
export function poolHolderKey(runId: string, taskId: string, mapIndex: number): string {
  return `${runId}#${taskId}#${mapIndex}`;
}

/** The order holders are listed in: by pool, then holder key (code-unit order, as both stores sort). */
export function comparePoolHolders(a: PoolHolder, b: PoolHolder): number {
  const x = `${a.pool}\u0000${a.holder}`;
  const y = `${b.pool}\u0000${b.holder}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Pools as a counting semaphore per pool, on both targets: a conditional write takes a slot only
 * while fewer than `slots` are held, so racing acquirers never pass the count. On AWS the compiled
 * state machine acquires and releases with the same write (compiler/states/pool); the recorder
 * releases what an execution that ended still held, and the embedded engine what a run (or a dead
 * process's run) still holds.
 */
export interface PoolSlots {
  /** Takes a slot of `holder.pool` for `holder` while fewer than `slots` are held: true if it holds one now (also when it already did). */
  acquirePoolSlot(holder: PoolHolder, slots: number): Promise<boolean>;
  /** Gives the slot back (nothing if it holds none). */
  releasePoolSlot(pool: string, holder: string): Promise<void>;
  /** The holders of one pool, or of every pool, by pool and holder key. */
  poolHolders(pool?: string): Promise<PoolHolder[]>;
  /** Gives back every slot the run holds, in every pool (only those one of `executions` acquired, when given): the holders released. */
  releaseRunPoolSlots(runId: string, executions?: readonly string[]): Promise<PoolHolder[]>;
}

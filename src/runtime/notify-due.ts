/**
 * @module runtime/notify-due
 * Which `notify` entries a run calls for, and when: one rule for both targets (the recorder
 * Lambda and the task runner on AWS, the engine and `updraft dev` locally).
 *
 * - At a run's end: the DAG's `success`/`failure` by the run's status; each task's
 *   `success`/`failure` by its record; `sensor_timeout` for a sensor that timed out (the DAG's
 *   entries for any sensor, a task's for itself); `deadline_missed` when the run ended after its
 *   deadline.
 * - At a failed try that its retry policy will retry: `retry` (the DAG's and the task's).
 * - While a run is still going past its deadline: `deadline_missed` (the deadline check).
 *
 * Every notification has a key (event, run attempt, task instance, try, channel) under which it is
 * claimed in the store before it is sent: a redelivered event or a second process sends nothing
 * twice. A deadline is missed once per run, whatever its attempts.
 */
import type { DagIR, NotificationIR, NotifyChannel, NotifyEvent } from '../ir/types.ts';
import type { RunRecord, TaskRecord, TryRecord } from '../store/types.ts';
import { ERROR_NAMES } from '../compiler/contract.ts';

/** What a DAG's notifications need at run time (its bundle carries it to the Lambdas). */
export interface NotifySpec {
  readonly dagId: string;
  /** The DAG's own entries. */
  readonly notifications: readonly NotificationIR[];
  /** Entries of the tasks that have some, by task id. */
  readonly tasks: Readonly<Record<string, readonly NotificationIR[]>>;
  /** Tries each task may make per run attempt (its retry policy's `attempts`), for tasks that retry. */
  readonly attempts: Readonly<Record<string, number>>;
  readonly deadlineSeconds?: number;
  readonly deadlineFrom?: 'run_start';
}

export function notifySpecOf(ir: DagIR): NotifySpec {
  const tasks: Record<string, readonly NotificationIR[]> = {};
  const attempts: Record<string, number> = {};
  for (const t of ir.tasks) {
    if (t.notifications.length > 0) tasks[t.id] = t.notifications;
    if (t.retry && t.retry.attempts > 1) attempts[t.id] = t.retry.attempts;
  }
  return {
    dagId: ir.id,
    notifications: ir.notifications,
    tasks,
    attempts,
    ...(ir.deadlineSeconds !== undefined && { deadlineSeconds: ir.deadlineSeconds }),
    ...(ir.deadlineFrom && { deadlineFrom: ir.deadlineFrom }),
  };
}

/** True when the DAG notifies anything at all (else nothing reads records for it). */
export function notifies(spec: NotifySpec): boolean {
  return spec.notifications.length > 0 || Object.keys(spec.tasks).length > 0;
}

/** True when some entry of the DAG or a task listens for `event`. */
export function listensFor(spec: NotifySpec, event: NotifyEvent): boolean {
  return [spec.notifications, ...Object.values(spec.tasks)].some((list) =>
    list.some((n) => n.on.includes(event)),
  );
}

/** One notification to send: the entry's channel and the facts its message is rendered from. */
export interface DueNotification {
  readonly key: string;
  readonly event: NotifyEvent;
  readonly channel: NotifyChannel;
  readonly run: RunRecord;
  readonly taskId?: string;
  readonly mapIndex?: number;
  readonly tryNumber?: number;
  /** The failure the event is about (a task's, or the run's), masked where it was recorded. */
  readonly error?: { readonly error: string; readonly cause: string };
  /** The deadline, for `deadline_missed`. */
  readonly deadline?: string;
}

/** `slack:<connection>`, `webhook:<connection>`, `sns:<topic or "alerts">`: what records and messages name. */
export function channelName(channel: NotifyChannel): string {
  return channel.kind === 'sns'
    ? `sns:${channel.topic ?? 'alerts'}`
    : `${channel.kind}:${channel.connection}`;
}

function keyOf(
  event: NotifyEvent,
  channel: NotifyChannel,
  scope: { attempt?: number; taskId?: string; mapIndex?: number; tryNumber?: number },
): string {
  return [
    event,
    scope.attempt ?? '-',
    scope.taskId ?? '-',
    scope.mapIndex ?? -1,
    scope.tryNumber ?? 0,
    channelName(channel),
  ].join('#');
}

type Facts = Omit<DueNotification, 'key' | 'event' | 'channel' | 'run'>;

function entries(
  list: readonly NotificationIR[],
  event: NotifyEvent,
  run: RunRecord,
  facts: Facts,
  attempt: number | undefined,
): DueNotification[] {
  return list
    .filter((n) => n.on.includes(event))
    .map((n) => ({
      key: keyOf(event, n.channel, { attempt, ...facts }),
      event,
      channel: n.channel,
      run,
      ...facts,
    }));
}

/**
 * When the run's deadline falls, if it has one. Counted from its data interval's end (Airflow's
 * SLA), it applies to the runs the schedule or a dataset update started: a run started by hand or
 * by a backfill is often of an interval that ended long ago (Airflow, too, checks SLAs of
 * scheduled runs only). Counted from the run's start, it applies to every run but a backfill's.
 */
export function deadlineOf(
  spec: Pick<NotifySpec, 'deadlineSeconds' | 'deadlineFrom'>,
  run: Pick<RunRecord, 'triggeredBy' | 'startedAt' | 'dataIntervalEnd'>,
): Date | undefined {
  if (spec.deadlineSeconds === undefined || run.triggeredBy === 'backfill') return undefined;
  const scheduled = run.triggeredBy === 'schedule' || run.triggeredBy === 'dataset';
  if (spec.deadlineFrom !== 'run_start' && !scheduled) return undefined;
  const from = spec.deadlineFrom === 'run_start' ? run.startedAt : run.dataIntervalEnd;
  if (from === undefined) return undefined; // not started yet: no deadline to measure
  return new Date(Date.parse(from) + spec.deadlineSeconds * 1000);
}

/**
 * The deadline check, idempotent: `missed` when the run had not finished by its deadline (still
 * going after it, or ended after it), `met` when it ended in time, `pending` before the deadline.
 */
export function deadlineStatus(
  spec: NotifySpec,
  run: RunRecord,
  now: Date,
): 'none' | 'pending' | 'met' | 'missed' {
  const deadline = deadlineOf(spec, run);
  if (!deadline) return 'none';
  const ended = run.status === 'success' || run.status === 'failed';
  if (ended && run.endedAt !== undefined)
    return Date.parse(run.endedAt) > deadline.getTime() ? 'missed' : 'met';
  return now.getTime() > deadline.getTime() ? 'missed' : 'pending';
}

/** `deadline_missed` of the run if its deadline has passed unmet at `now` (once per run: no attempt in the key). */
export function deadlineDue(spec: NotifySpec, run: RunRecord, now: Date): DueNotification[] {
  if (deadlineStatus(spec, run, now) !== 'missed') return [];
  const deadline = deadlineOf(spec, run)!.toISOString();
  return entries(spec.notifications, 'deadline_missed', run, { deadline }, undefined);
}

const isSensorTimeout = (t: TaskRecord) =>
  t.state === 'failed' && t.error?.error === ERROR_NAMES.sensorTimeout;

/** What an ended run calls for: run status, task outcomes, sensor timeouts, a missed deadline. */
export function runEndDue(
  spec: NotifySpec,
  run: RunRecord,
  tasks: readonly TaskRecord[],
): DueNotification[] {
  const attempt = run.attempt;
  const due: DueNotification[] = [];
  const runError = run.error && { error: run.error.error, cause: run.error.cause };
  if (run.status === 'success' || run.status === 'failed') {
    const event = run.status === 'success' ? 'success' : 'failure';
    due.push(
      ...entries(spec.notifications, event, run, runError ? { error: runError } : {}, attempt),
    );
  }
  for (const task of tasks) {
    const error = task.error && { error: task.error.error, cause: task.error.cause };
    const facts: Facts = { taskId: task.taskId, ...(error && { error }) };
    const own = spec.tasks[task.taskId] ?? [];
    if (task.state === 'success' && !task.reused)
      due.push(...entries(own, 'success', run, facts, attempt));
    if (task.state === 'failed') due.push(...entries(own, 'failure', run, facts, attempt));
    if (isSensorTimeout(task))
      due.push(
        ...entries(own, 'sensor_timeout', run, facts, attempt),
        ...entries(spec.notifications, 'sensor_timeout', run, facts, attempt),
      );
  }
  if (run.endedAt !== undefined) due.push(...deadlineDue(spec, run, new Date(run.endedAt)));
  return due;
}

/**
 * `retry` when a try failed and the task's retry policy tries again: not a permanent error, and
 * fewer tries in this run attempt than the policy's `attempts` (`earlierInAttempt`: the instance's
 * tries before this one in the same run attempt).
 */
export function retryDue(
  spec: NotifySpec,
  run: RunRecord,
  failed: TryRecord,
  earlierInAttempt: number,
): DueNotification[] {
  const max = spec.attempts[failed.taskId] ?? 1;
  if (failed.state !== 'failed' || failed.error?.error === ERROR_NAMES.permanent) return [];
  if (earlierInAttempt + 1 >= max) return [];
  const facts: Facts = {
    taskId: failed.taskId,
    ...(failed.mapIndex >= 0 && { mapIndex: failed.mapIndex }),
    tryNumber: failed.tryNumber,
    ...(failed.error && { error: { error: failed.error.error, cause: failed.error.cause } }),
  };
  return [
    ...entries(spec.notifications, 'retry', run, facts, run.attempt),
    ...entries(spec.tasks[failed.taskId] ?? [], 'retry', run, facts, run.attempt),
  ];
}

/**
 * @module runtime/run-notifications
 * A run's notifications at the moments both targets see: its start (a deadline check is set up,
 * or the missed deadline sent at once), its end (runtime/notify-due runEndDue) and a deadline
 * check (runtime/notify-due deadlineDue). The recorder Lambda calls these on AWS, the engine and
 * `updraft dev` locally.
 */
import type { NotificationRecord, RunRecord, Store, TryRecord } from '../store/types.ts';
import {
  deadlineDue,
  deadlineOf,
  deadlineStatus,
  listensFor,
  notifies,
  retryDue,
  runEndDue,
  type NotifySpec,
} from './notify-due.ts';
import { sendNotifications, type NotifyDeps } from './notify-send.ts';

/** One-time deadline checks of runs (AWS: EventBridge Scheduler `at()` schedules, runtime/deadline-schedules). */
export interface DeadlineSchedules {
  /** Checks the run's deadline at `at` (calls checkDeadline then). Idempotent. */
  create(run: RunRecord, at: Date): Promise<void>;
  /** Drops the run's check (the run ended); nothing when there is none. */
  remove(run: RunRecord): Promise<void>;
}

export interface RunNotifyDeps {
  readonly store: Pick<Store, 'getRun' | 'listTasks' | 'listTries'>;
  /** The DAG's notification spec, undefined for a DAG this deployment does not know. */
  readonly spec: (dagId: string) => NotifySpec | undefined;
  readonly send: NotifyDeps;
  readonly deadlines?: DeadlineSchedules;
}

const hasDeadline = (spec: NotifySpec | undefined): spec is NotifySpec =>
  spec?.deadlineSeconds !== undefined;

/** A run started: its deadline check is set for later, or, when the deadline has passed already, sent now. */
export async function notifyRunStart(
  deps: RunNotifyDeps,
  run: RunRecord,
  now: Date,
): Promise<NotificationRecord[]> {
  const spec = deps.spec(run.dagId);
  if (!hasDeadline(spec)) return [];
  const status = deadlineStatus(spec, run, now);
  if (status === 'missed') return sendNotifications(deadlineDue(spec, run, now), deps.send);
  const deadline = deadlineOf(spec, run);
  if (status === 'pending' && deadline) await deps.deadlines?.create(run, deadline);
  return [];
}

/** A run ended (`run` is its final record): what it calls for is sent, its deadline check dropped. */
export async function notifyRunEnd(
  deps: RunNotifyDeps,
  run: RunRecord,
): Promise<NotificationRecord[]> {
  const spec = deps.spec(run.dagId);
  if (!spec) return [];
  if (hasDeadline(spec)) await deps.deadlines?.remove(run);
  if (!notifies(spec)) return [];
  const tasks = await deps.store.listTasks(run.runId);
  return sendNotifications(runEndDue(spec, run, tasks), deps.send);
}

/** The deadline check of a run (when its deadline falls, or any time after): idempotent. */
export async function checkDeadline(
  deps: RunNotifyDeps,
  runId: string,
  now: Date,
): Promise<NotificationRecord[]> {
  const run = await deps.store.getRun(runId);
  const spec = run && deps.spec(run.dagId);
  if (!run || !spec) return [];
  return sendNotifications(deadlineDue(spec, run, now), deps.send);
}

/**
 * A try's record was written: a failed try its retry policy will retry notifies `retry`. The
 * instance's earlier tries in the same run attempt are read from the store (try numbers go on
 * across attempts, the policy's count starts again with each).
 */
export async function notifyRetry(
  deps: RunNotifyDeps,
  run: RunRecord,
  t: TryRecord,
): Promise<NotificationRecord[]> {
  const spec = deps.spec(run.dagId);
  if (!spec || t.state !== 'failed' || !listensFor(spec, 'retry')) return [];
  const tries = await deps.store.listTries(t.runId, t.taskId);
  const earlier = tries.filter(
    (x) => x.mapIndex === t.mapIndex && x.runAttempt === t.runAttempt && x.tryNumber < t.tryNumber,
  ).length;
  return sendNotifications(retryDue(spec, run, t, earlier), deps.send);
}

/**
 * @module runtime/recorder
 * The recorder Lambda's logic: execution status events of a deployment's state machines → run
 * records (status, start, end, duration, state transitions and their cost), one SNS alert per
 * failed or timed-out attempt, and, when a run ends, the start of its DAG's queued runs and of
 * the dataset-triggered runs its dataset updates call for (runtime/dataset-launch).
 *
 * EventBridge delivers at least once and in no guaranteed order, so every write is absolute (no
 * increments) and guarded by the run's attempt (`1 + redriveCount`): an event of an older attempt
 * changes nothing, RUNNING never follows an end of the same attempt, and a repeated end rewrites
 * the same values. The alert is claimed in the record (`notifiedAttempt`) before it is sent.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { taskStatesOf, type RunRecord, type RunStatus, type TryRecord } from '../store/types.ts';
import { names, parseEnvironment, readEnv, ENV, type Environment } from './env.ts';
import {
  costOf,
  executionError,
  executionUsage,
  mapRunTransitions,
  runOfExecution,
  type ExecutionStatusDetail,
  type ExecutionStatusEvent,
  type ExecutionUsage,
} from './execution-events.ts';
import { startQueuedRuns, type QueueDeps } from './run-queue.ts';
import { executionName, runOfExecutionName } from './launch.ts';
import { launchDatasetRuns, type DatasetLaunchSpec } from './dataset-launch.ts';
import { releaseRunPools } from './pool-release.ts';
import {
  checkDeadline,
  notifyRunEnd,
  notifyRunStart,
  type RunNotifyDeps,
} from './run-notifications.ts';
import type { DeadlineCheckEvent } from './deadline-schedules.ts';

export type { ExecutionStatusEvent, ExecutionStatusDetail } from './execution-events.ts';

export interface RecorderSettings {
  readonly environment: Environment;
  readonly table: string;
  /** SNS topic ARN for failure and timeout alerts. */
  readonly alertsTopic: string;
}

export interface RecorderDeps extends QueueDeps {
  readonly sns: SNSClient;
  readonly settings: Pick<RecorderSettings, 'environment' | 'alertsTopic'>;
  /** The environment's dataset-scheduled DAGs (its bundle carries them): a run's end may start theirs. */
  readonly datasetConsumers?: readonly DatasetLaunchSpec[];
  /** The DAGs' `notify` entries and deadlines (runtime/run-notifications); none when absent. */
  readonly notifications?: Omit<RunNotifyDeps, 'store'>;
}

export interface RecordOutcome {
  readonly runId: string;
  /** False for an event that changes nothing (another deployment's, an older attempt's, a late RUNNING). */
  readonly applied: boolean;
  readonly status?: RunStatus;
  /** The run record did not exist (an execution started outside Updraft) and was created. */
  readonly created: boolean;
  readonly notified: boolean;
  /** The run's `notify` entries this event sent (or tried to). */
  readonly notifications?: number;
  /** Queued runs of the DAG started because this run ended. */
  readonly started: readonly string[];
  /** Dataset-triggered runs of other DAGs this run's dataset updates started. */
  readonly datasetRuns: readonly string[];
}

export function recorderSettings(
  env: Readonly<Record<string, string | undefined>>,
): RecorderSettings {
  const { environment, table, alertsTopic } = readEnv(env, ['environment', 'table', 'alertsTopic']);
  return { environment: parseEnvironment(environment, ENV.environment), table, alertsTopic };
}

const STATUS: Readonly<Record<string, RunStatus>> = {
  RUNNING: 'running',
  SUCCEEDED: 'success',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  ABORTED: 'failed',
};
const ANY: readonly RunStatus[] = ['queued', 'running', 'success', 'failed'];

export async function recordExecution(
  event: ExecutionStatusEvent,
  deps: RecorderDeps,
): Promise<RecordOutcome> {
  const detail = event.detail;
  // A resumed run's execution is named `<run id>-r<n>` (runtime/launch): its attempt is n.
  const named = runOfExecutionName(detail.name);
  const runId = named.runId;
  const ignored = {
    runId,
    applied: false,
    created: false,
    notified: false,
    started: [],
    datasetRuns: [],
  };
  // The rule matches this environment's machines only; this keeps a misrouted event harmless.
  const prefix = names.stateMachinePrefix(deps.settings.environment);
  const machine = detail.stateMachineArn.split(':')[6] ?? '';
  const status = STATUS[detail.status];
  if (!machine.startsWith(prefix) || !status) {
    deps.log.warn(
      `ignored ${detail.status} of execution ${detail.executionArn}: ${status ? `not a state machine of ${prefix}*` : 'not a status the recorder records'}`,
    );
    return ignored;
  }
  // A Distributed Map's child execution (`execution:<machine>/<map run>:<id>`) is an instance of
  // a mapped task, not a run: the collect state records its task from the Map Run's results.
  if (/:execution:[^:/]+\//.test(detail.executionArn)) return ignored;
  const dagId = machine.slice(prefix.length);
  const attempt = (named.attempt ?? 1) + (detail.redriveCount ?? 0);
  const log = { dagId, runId, status: detail.status, attempt };

  let run = await deps.store.getRun(runId);
  let created = false;
  if (!run) {
    ({ run, created } = await deps.store.createRun(runOfExecution(detail, dagId)));
    if (created)
      deps.log.info(
        `execution ${detail.name} was started outside Updraft: run record created from its input`,
        log,
      );
  }

  const stale = (current: RunRecord): RecordOutcome => {
    deps.log.info(
      `late or repeated ${detail.status} event of run ${current.runId} ignored: the run is ${current.status} (attempt ${current.attempt})`,
      log,
    );
    return { ...ignored, created };
  };
  // Certainly stale (attempts only grow; a run never runs again within an attempt): no history to read.
  if (
    run.attempt > attempt ||
    (status === 'running' &&
      run.attempt === attempt &&
      (run.status === 'success' || run.status === 'failed'))
  )
    return stale(run);
  const patch =
    status === 'running' ? runningPatch(detail, attempt) : await endPatch(deps, event, attempt);
  // The same rule in the write's condition, for events handled at the same time: RUNNING moves a
  // run only from queued/running of its attempt; an end may also rewrite the same end.
  const updated = await deps.store.updateRunGuarded(run.runId, patch, {
    field: 'attempt',
    below: attempt,
    orEqualIn: status === 'running' ? ['queued', 'running'] : ANY,
  });
  if (!updated) return stale((await deps.store.getRun(run.runId)) ?? run);
  deps.log.info(`run ${run.runId} is ${updated.status}`, {
    ...log,
    transitions: updated.transitions,
    costUsd: updated.costUsd,
  });

  const ended =
    status === 'running'
      ? {
          notified: false,
          started: [],
          datasetRuns: [],
          ...(await afterStart(deps, event, updated)),
        }
      : await afterEnd(deps, event, updated, attempt);
  return { runId: run.runId, applied: true, status: updated.status, created, ...ended };
}

/** A run started: its deadline check is set up (or its missed deadline sent at once). */
async function afterStart(
  deps: RecorderDeps,
  event: ExecutionStatusEvent,
  run: RunRecord,
): Promise<Pick<RecordOutcome, 'notifications'>> {
  if (!deps.notifications) return {};
  const sent = await notifyRunStart(
    { ...deps.notifications, store: deps.store },
    run,
    new Date(event.time),
  );
  return sent.length > 0 ? { notifications: sent.length } : {};
}

/** A run's deadline check fired (runtime/deadline-schedules): `deadline_missed` if the run had not finished by then. */
export async function recordDeadline(
  event: DeadlineCheckEvent,
  deps: RecorderDeps,
  now: Date,
): Promise<{ readonly runId: string; readonly notifications: number }> {
  if (!deps.notifications) return { runId: event.runId, notifications: 0 };
  const sent = await checkDeadline({ ...deps.notifications, store: deps.store }, event.runId, now);
  deps.log.info(
    `deadline check of run ${event.runId}: ${sent.length > 0 ? 'missed, notified' : 'nothing to send'}`,
    { runId: event.runId, dagId: event.dagId },
  );
  return { runId: event.runId, notifications: sent.length };
}

/**
 * What follows a run's end: one alert per failed attempt, its DAG's queued runs started, and the
 * runs of the DAGs its dataset updates call for (a dataset is updated when its producing task
 * succeeds, so a failed run's updates count too).
 */
async function afterEnd(
  deps: RecorderDeps,
  event: ExecutionStatusEvent,
  run: RunRecord,
  attempt: number,
): Promise<Pick<RecordOutcome, 'notified' | 'started' | 'datasetRuns' | 'notifications'>> {
  const { detail } = event;
  await releaseRunPools(deps, run, detail.name);
  const notifications = await runNotifications(deps, run);
  const notified =
    detail.status === 'FAILED' || detail.status === 'TIMED_OUT'
      ? await alertOnce(deps, event, run, attempt)
      : false;
  const started = await startNext(deps, run, detail);
  const datasetRuns = await launchDatasetRuns(deps, run, deps.datasetConsumers ?? [], {
    environment: deps.settings.environment,
    producerStateMachineArn: detail.stateMachineArn,
    now: new Date(event.time),
  });
  return { notified, started, datasetRuns, ...(notifications > 0 && { notifications }) };
}

/** The run's `notify` entries for its end; a deadline check that can no longer matter is dropped (best effort: the check is idempotent). */
async function runNotifications(deps: RecorderDeps, run: RunRecord): Promise<number> {
  if (!deps.notifications) return 0;
  const { deadlines, ...rest } = deps.notifications;
  const remove = async (r: RunRecord) => {
    try {
      await deadlines?.remove(r);
    } catch (error) {
      deps.log.warn(
        `run ${r.runId}: its deadline check could not be deleted (${(error as Error).message}); it will find the run ended and send nothing`,
      );
    }
  };
  const sent = await notifyRunEnd(
    { ...rest, ...(deadlines && { deadlines: { ...deadlines, remove } }), store: deps.store },
    run,
  );
  return sent.length;
}

type RunPatch = Partial<Omit<RunRecord, 'runId' | 'dagId'>>;

function runningPatch(detail: ExecutionStatusDetail, attempt: number): RunPatch {
  // A redriven execution starts its new attempt now: the previous attempt's end goes.
  return {
    status: 'running',
    attempt,
    startedAt: startOf(detail, attempt),
    executionArn: detail.executionArn,
    pendingInput: undefined,
    endedAt: undefined,
    durationMs: undefined,
    error: undefined,
  };
}

async function endPatch(
  deps: RecorderDeps,
  event: ExecutionStatusEvent,
  attempt: number,
): Promise<RunPatch> {
  const { detail } = event;
  const named = runOfExecutionName(detail.name);
  const runId = named.runId;
  const [history, tasks] = await Promise.all([usageOf(deps, detail), deps.store.listTasks(runId)]);
  const tries =
    history?.mapRuns || (named.attempt ?? 1) > 1 ? await deps.store.listTries(runId) : [];
  // A Distributed Map's child executions are billed too: counted from its instances' tries.
  const children = history?.mapRuns ? mapRunTransitions(history.mapRuns, tries, attempt) : 0;
  // What the run cost: this execution's transitions and its earlier executions' (retry, clear).
  const earlier = history ? await earlierTransitions(deps, detail, named.attempt ?? 1, tries) : 0;
  const total = (history?.transitions ?? 0) + children + earlier;
  const usage = history && { ...history, transitions: total, costUsd: costOf(total) };
  const startedAt = startOf(detail, attempt);
  // The event's own time when it has no stop date: a repeated event must write the same values.
  const stop = detail.stopDate ?? Date.parse(event.time);
  return {
    status: STATUS[detail.status],
    attempt,
    startedAt,
    endedAt: new Date(stop).toISOString(),
    durationMs: Math.max(0, stop - Date.parse(startedAt)),
    // Left out when the history could not be read: the record keeps what it had.
    ...(usage && {
      transitions: usage.transitions,
      historyEvents: usage.historyEvents,
      costUsd: usage.costUsd,
    }),
    error: executionError(detail, usage?.failure),
    executionArn: detail.executionArn,
    pendingInput: undefined,
    // The grid's summary (store/types taskStates): the task runner wrote the records.
    ...(tasks.length > 0 && { taskStates: taskStatesOf(tasks) }),
  };
}

/**
 * The transition count is best-effort: reading the history (up to 25 pages, throttled at 20 per
 * second per account) may still fail after the client's retries, and the run's status matters
 * more than its cost. A failure is logged and the status recorded without it.
 */
async function usageOf(
  deps: RecorderDeps,
  detail: ExecutionStatusDetail,
): Promise<ExecutionUsage | undefined> {
  try {
    return await executionUsage(deps.sfn, detail.executionArn);
  } catch (error) {
    const e = error as Error;
    deps.log.warn(
      `run ${detail.name}: its state transitions and cost are not recorded, the execution history could not be read (${e.name}: ${e.message})`,
      { runId: detail.name, executionArn: detail.executionArn },
    );
    return undefined;
  }
}

/**
 * The transitions of the run's executions before this one (`<run>`, `<run>-r2` …, each with its
 * Distributed Maps' children). One that cannot be read (gone after Step Functions' 90 days) is
 * left out, and said.
 */
async function earlierTransitions(
  deps: RecorderDeps,
  detail: ExecutionStatusDetail,
  execution: number,
  tries: readonly TryRecord[],
): Promise<number> {
  const { runId } = runOfExecutionName(detail.name);
  let sum = 0;
  for (let k = 1; k < execution; k++) {
    const arn = detail.executionArn.replace(/:[^:]+$/, `:${executionName(runId, k)}`);
    try {
      const used = await executionUsage(deps.sfn, arn);
      sum += used.transitions + (used.mapRuns ? mapRunTransitions(used.mapRuns, tries, k) : 0);
    } catch (error) {
      deps.log.warn(
        `run ${runId}: the transitions of its execution ${k} are not counted in its cost, its history could not be read (${(error as Error).name})`,
        { runId, executionArn: arn },
      );
    }
  }
  return sum;
}

/** The latest attempt's start: a redrive's date, else the execution's. */
function startOf(detail: ExecutionStatusDetail, attempt: number): string {
  return new Date(
    attempt > 1 && detail.redriveDate ? detail.redriveDate : detail.startDate,
  ).toISOString();
}

/** One alert per failed attempt: claimed in the record first, released if SNS refuses it (the retry sends it). */
async function alertOnce(
  deps: RecorderDeps,
  event: ExecutionStatusEvent,
  run: RunRecord,
  attempt: number,
): Promise<boolean> {
  const claimed = await deps.store.updateRunGuarded(
    run.runId,
    { notifiedAttempt: attempt },
    { field: 'notifiedAttempt', below: attempt },
  );
  if (!claimed) return false;
  const { subject, message } = alertOf(event, run, deps.settings.environment);
  try {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.settings.alertsTopic,
        Subject: subject,
        Message: message,
      }),
    );
  } catch (e) {
    await deps.store.updateRun(run.runId, { notifiedAttempt: run.notifiedAttempt });
    throw e;
  }
  return true;
}

/** The SNS alert: a subject for e-mail (SNS allows 100 ASCII characters) and a JSON body for programs. */
export function alertOf(
  event: ExecutionStatusEvent,
  run: RunRecord,
  environment: Environment,
): { readonly subject: string; readonly message: string } {
  const { region, detail } = event;
  const timedOut = detail.status === 'TIMED_OUT';
  const subject = `Updraft ${environment}: DAG ${run.dagId} run ${timedOut ? 'timed out' : 'failed'}`;
  const body = {
    environment,
    dag: run.dagId,
    run: run.runId,
    status: timedOut ? 'timed_out' : 'failed',
    attempt: run.attempt,
    logicalDate: run.logicalDate,
    error: run.error,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    console: `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${detail.executionArn}`,
  };
  return {
    subject: subject.length > 100 ? `${subject.slice(0, 97)}...` : subject,
    message: JSON.stringify(body, null, 2),
  };
}

/** A run ended: it gives its slot back, and its DAG's queued runs may take it (the max comes from their records: run-queue). */
async function startNext(
  deps: RecorderDeps,
  run: RunRecord,
  detail: ExecutionStatusDetail,
): Promise<readonly string[]> {
  await deps.store.releaseSlot(run.dagId, run.runId);
  const result = await startQueuedRuns(
    deps,
    { dagId: run.dagId, stateMachineArn: detail.stateMachineArn },
    { ended: detail.executionArn },
  );
  return result.started;
}

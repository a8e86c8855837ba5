/**
 * @module runtime/execution-events
 * Step Functions' execution status change events as the recorder receives them from EventBridge,
 * and what the recorder reads about an execution besides: the state transitions it used (its
 * history), the run record of an execution started outside Updraft (from its input).
 */
import { createHash } from 'node:crypto';
import {
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ERROR_NAMES, pricesFor } from '../compiler/contract.ts';
import type { TriggerKind } from '../sdk/context.ts';
import { logicalDateKey } from '../schedule/index.ts';
import type { ErrorInfo, RunRecord, TryRecord } from '../store/types.ts';
import type { RunValues } from './args.ts';
import { queuedRunRecord, runOfExecutionName } from './launch.ts';

/**
 * `source: aws.states`, `detail-type: Step Functions Execution Status Change`. Shape from the Step
 * Functions developer guide, "EventBridge (CloudWatch Events) for Step Functions execution status
 * changes" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html): "the detail
 * section in the event data provides the same information as the DescribeExecution API", with
 * `status` one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED. Only Standard workflows emit
 * them, on a best-effort basis, and a target may get one more than once.
 */
export interface ExecutionStatusEvent {
  readonly version?: string;
  readonly id: string;
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly source: 'aws.states';
  readonly account: string;
  /** ISO-8601 UTC, when the event was emitted. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: ExecutionStatusDetail;
}

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

/** DescribeExecution's fields; dates are epoch milliseconds. */
export interface ExecutionStatusDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** The execution name: the run id for runs Updraft starts. */
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: number;
  readonly stopDate?: number | null;
  /** JSON; null with `inputDetails.included` false when input and output together pass 248 KB. */
  readonly input?: string | null;
  readonly inputDetails?: { readonly included: boolean } | null;
  readonly output?: string | null;
  readonly outputDetails?: { readonly included: boolean } | null;
  readonly error?: string | null;
  readonly cause?: string | null;
  /** Times the execution was redriven (0 before the first): the run's attempt is this + 1. */
  readonly redriveCount?: number;
  readonly redriveDate?: number | null;
  readonly redriveStatus?: string;
  readonly redriveStatusReason?: string;
}

/** Error names the run record gets when Step Functions itself ends an execution. */
export const TIMED_OUT = ERROR_NAMES.timeout;
export const ABORTED = ERROR_NAMES.aborted;

export interface ExecutionUsage {
  /** Billed state transitions: the `…StateEntered` events of every attempt, and each retry of a Task state. */
  readonly transitions: number;
  readonly historyEvents: number;
  /** What the transitions cost on a Standard workflow, USD. */
  readonly costUsd: number;
  /** The execution's last failure as its history tells it (the event may carry none). */
  readonly failure?: ErrorInfo;
  /**
   * The Distributed Map states that started a Map Run (their part executions' too): its child
   * executions are billed apart, and their histories are not read (`mapRunTransitions`).
   */
  readonly mapRuns?: readonly string[];
}

/**
 * The transitions of the child executions of a run's Map Runs, from the tries of their mapped
 * tasks in this execution attempt: each try enters (or retries) the instance's Task state, and an
 * instance whose last try failed enters its failure record. (A pooled instance's slot states and
 * a tolerant instance's Fail state are not counted.) Reading thousands of child histories would
 * cost one API call each.
 */
export function mapRunTransitions(
  mapRuns: readonly string[],
  tries: readonly TryRecord[],
  runAttempt: number,
): number {
  // A Distributed Map state is named after its task: `<task>` or `<task> [distributed]`.
  const tasks = new Set(mapRuns.map((name) => name.replace(/ \[distributed\]$/, '')));
  const last = new Map<string, TryRecord>();
  let transitions = 0;
  for (const t of tries) {
    if (t.runAttempt !== runAttempt || t.mapIndex < 0 || !tasks.has(t.taskId)) continue;
    transitions++;
    const key = `${t.taskId}|${t.mapIndex}`;
    const prev = last.get(key);
    if (!prev || t.tryNumber > prev.tryNumber) last.set(key, t);
  }
  for (const t of last.values()) if (t.state === 'failed') transitions++;
  return transitions;
}

/**
 * Counts the execution's history (every page, without execution data: 25,000 events are at most
 * 25 pages of 1,000). Step Functions bills a transition per state entered and per retry of a Task
 * state ("retries … are charged as additional state transitions", aws.amazon.com/step-functions/pricing);
 * a retry enters no state, but schedules the task again: a `…Scheduled` event that follows the
 * failure of the previous try rather than the state's `…StateEntered`.
 */
export async function executionUsage(
  sfn: SFNClient,
  executionArn: string,
): Promise<ExecutionUsage> {
  let transitions = 0;
  let historyEvents = 0;
  let failure: ErrorInfo | undefined;
  let nextToken: string | undefined;
  const types = new Map<number, string>();
  const parts = new Set<string>();
  const mapRuns: string[] = [];
  let mapState = '';
  do {
    const out = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        includeExecutionData: false,
        nextToken,
      }),
    );
    for (const event of out.events ?? []) {
      historyEvents++;
      const type = event.type ?? '';
      if (event.id !== undefined) types.set(event.id, type);
      if (type.endsWith('StateEntered')) transitions++;
      if (type === 'MapStateEntered') mapState = event.stateEnteredEventDetails?.name ?? '';
      if (type === 'MapRunStarted') mapRuns.push(mapState);
      // A part's start (compiler/states/part: "p1: <first task>…"): its execution is billed too.
      const part =
        type === 'TaskStateEntered' && PART_START.exec(event.stateEnteredEventDetails?.name ?? '');
      if (part) parts.add(part[1]!);
      else if (
        isRetry(
          type,
          event.previousEventId === undefined ? undefined : types.get(event.previousEventId),
        )
      )
        transitions++;
      failure = failureOf(event) ?? failure;
    }
    nextToken = out.nextToken;
  } while (nextToken);
  for (const id of [...parts].sort()) {
    let used: ExecutionUsage;
    try {
      used = await executionUsage(sfn, partExecutionArn(executionArn, id));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) continue; // its start failed
      throw error;
    }
    transitions += used.transitions;
    historyEvents += used.historyEvents;
    mapRuns.push(...(used.mapRuns ?? []));
  }
  return {
    transitions,
    historyEvents,
    costUsd: costOf(transitions),
    ...(failure && { failure }),
    ...(mapRuns.length > 0 && { mapRuns }),
  };
}

/** The name of a part's start state (compiler/states/part): `p1: <first task>…`. */
const PART_START = /^(p\d+): /;

/**
 * The execution of part `partId` that the execution `startedBy` started (compiler/states/part):
 * in the part's state machine (`updraft-part-<env>-<dag>-<part>`, names.partStateMachine), named
 * by the MD5 of the starting execution's name and the part's id.
 */
export function partExecutionArn(startedBy: string, partId: string): string {
  const [prefix, rest] = startedBy.split(':execution:') as [string, string];
  const colon = rest.indexOf(':');
  const machine = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  // The run's machine is `updraft-<env>-<dag>`; a part's, `updraft-part-<env>-<dag>-<part>`.
  const dagMachine = machine.startsWith('updraft-part-')
    ? machine.replace(/-p\d+$/, '')
    : machine.replace(/^updraft-/, 'updraft-part-');
  const hash = createHash('md5').update(name).digest('hex');
  return `${prefix}:execution:${dagMachine}-${partId}:${hash}-${partId}`;
}

/** A task scheduled again after a failed try (its first try follows the state's `…StateEntered`). */
function isRetry(type: string, previous: string | undefined): boolean {
  return (
    (type === 'TaskScheduled' ||
      type === 'LambdaFunctionScheduled' ||
      type === 'ActivityScheduled') &&
    previous !== undefined &&
    !previous.endsWith('StateEntered')
  );
}

/**
 * What the transitions cost on a Standard workflow in this region (compiler/contract PRICES; the
 * recorder runs in the environment's region, AWS_REGION). Rounded to nano-dollars so that the
 * same count always gives the same number, without binary-fraction noise.
 */
export function costOf(transitions: number, region = process.env.AWS_REGION): number {
  return Math.round(transitions * pricesFor(region).transitionUsd * 1e9) / 1e9;
}

function failureOf(event: HistoryEvent): ErrorInfo | undefined {
  const details =
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  if (!details || (details.error === undefined && details.cause === undefined)) return undefined;
  return { error: details.error ?? '', cause: details.cause ?? '' };
}

/** The run record's error for an execution that ended (status event or DescribeExecution), with its history's failure as fallback. */
export function executionError(
  detail: Pick<ExecutionStatusDetail, 'status' | 'error' | 'cause'>,
  fromHistory: ErrorInfo | undefined,
): ErrorInfo | undefined {
  const cause = detail.cause ?? (fromHistory?.cause || undefined);
  switch (detail.status) {
    case 'FAILED':
      return {
        error: detail.error ?? (fromHistory?.error || ERROR_NAMES.runtime),
        cause: cause ? readableCause(cause) : 'the execution failed without a cause',
      };
    case 'TIMED_OUT':
      return {
        error: TIMED_OUT,
        cause: cause ?? 'the run took longer than its timeout (the state machine TimeoutSeconds)',
      };
    case 'ABORTED':
      return {
        error: ABORTED,
        cause: cause ?? 'the execution was stopped (StopExecution, the console, or a deployment)',
      };
    default:
      return undefined;
  }
}

/** A Lambda failure's cause is a JSON error object: its message is what a person wants to read. */
export function readableCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as unknown;
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string'
    ) {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // not JSON: the cause as it is
  }
  return cause;
}

const TRIGGER_KINDS: readonly string[] = [
  'schedule',
  'manual',
  'backfill',
  'dataset',
  'dag',
] satisfies readonly TriggerKind[];

/**
 * The run record of an execution Updraft has none for (started from the console or the API):
 * interval and trigger from its input when that is Updraft's `{ run: … }`, else a run at its start
 * time. The run id is the execution name, so the recorder finds the record on the next event.
 */
export function runOfExecution(detail: ExecutionStatusDetail, dagId: string): RunRecord {
  const started = new Date(detail.startDate);
  const given = runValuesIn(detail.input);
  const at = started.toISOString();
  const values: RunValues = {
    dagId,
    runId: runOfExecutionName(detail.name).runId,
    key: given ? given.key : logicalDateKey(started),
    logicalDate: given?.logicalDate ?? at,
    ds: given?.ds ?? at.slice(0, 10),
    dataIntervalStart: given?.dataIntervalStart ?? at,
    dataIntervalEnd: given?.dataIntervalEnd ?? at,
    params: given?.params ?? {},
    triggeredBy: given && TRIGGER_KINDS.includes(given.triggeredBy) ? given.triggeredBy : 'manual',
    timers: {},
  };
  return { ...queuedRunRecord(values, values.params, started), executionArn: detail.executionArn };
}

/** An execution input's run values when it is Updraft's `{ run, t, done }`, else undefined. */
export function runValuesIn(input: string | null | undefined): RunValues | undefined {
  if (!input) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return undefined;
  }
  const run = (parsed as { run?: unknown } | null)?.run as Partial<RunValues> | undefined;
  if (!run || typeof run !== 'object') return undefined;
  const dates = [run.logicalDate, run.dataIntervalStart, run.dataIntervalEnd];
  if (!dates.every((d) => typeof d === 'string' && !Number.isNaN(Date.parse(d)))) return undefined;
  const logicalDate = new Date(run.logicalDate!);
  return {
    dagId: String(run.dagId ?? ''),
    runId: String(run.runId ?? ''),
    key: typeof run.key === 'string' ? run.key : logicalDateKey(logicalDate),
    logicalDate: logicalDate.toISOString(),
    ds: typeof run.ds === 'string' ? run.ds : logicalDate.toISOString().slice(0, 10),
    dataIntervalStart: new Date(run.dataIntervalStart!).toISOString(),
    dataIntervalEnd: new Date(run.dataIntervalEnd!).toISOString(),
    params: run.params && typeof run.params === 'object' ? run.params : {},
    triggeredBy: String(run.triggeredBy ?? 'manual'),
    timers: {},
  };
}

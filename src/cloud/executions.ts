/**
 * @module cloud/executions
 * A DAG's state machine and a run's execution on Step Functions: finding the state machine by
 * its contract name (no account id needed: ListStateMachines returns the ARN), describing an
 * execution, and resuming a failed one with RedriveExecution, with the reason when it cannot be.
 */
import { DescribeExecutionCommand, ExecutionDoesNotExist, ExecutionNotRedrivable, RedriveExecutionCommand, paginateListStateMachines } from '@aws-sdk/client-sfn';
import { names } from '../runtime/env.ts';
import type { RunRecord } from '../store/types.ts';
import type { Cloud } from './context.ts';
import { CloudError, deployHint } from './errors.ts';

/** Step Functions redrives an execution only within 14 days of its stop. */
export const REDRIVE_WINDOW_DAYS = 14;
/** Closed executions (and their names) are kept 90 days. */
export const EXECUTION_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExecutionInfo {
  readonly executionArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE. */
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly redriveCount: number;
  /** REDRIVABLE, NOT_REDRIVABLE or REDRIVABLE_BY_MAP_RUN (null where the API does not say, e.g. LocalStack). */
  readonly redriveStatus: string | null;
  readonly redriveStatusReason: string | null;
  readonly error: string | null;
  readonly cause: string | null;
}

/** The ARN of the DAG's state machine, or a CloudError saying the DAG is not deployed. */
export async function stateMachineArn(cloud: Cloud, dagId: string): Promise<string> {
  const name = names.stateMachine(cloud.target.env, dagId);
  for await (const page of paginateListStateMachines({ client: cloud.clients.sfn }, {})) {
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
  }
  throw new CloudError(`DAG "${dagId}" is not deployed to ${cloud.target.env}: there is no state machine "${name}" in ${cloud.where}`, deployHint(cloud.target));
}

/** The execution, or undefined when Step Functions no longer has it (or never had it). */
export async function describeExecution(cloud: Cloud, executionArn: string): Promise<ExecutionInfo | undefined> {
  try {
    const out = await cloud.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return {
      executionArn,
      status: out.status ?? 'UNKNOWN',
      startDate: out.startDate?.toISOString() ?? null,
      stopDate: out.stopDate?.toISOString() ?? null,
      redriveCount: out.redriveCount ?? 0,
      redriveStatus: out.redriveStatus ?? null,
      redriveStatusReason: out.redriveStatusReason ?? null,
      error: out.error ?? null,
      cause: out.cause ?? null,
    };
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

export interface Redrive {
  readonly executionArn: string;
  readonly redriveDate: string;
  /** The execution's status before the redrive (FAILED, TIMED_OUT or ABORTED). */
  readonly from: string;
  /** The run's execution number now: 1 + redrives so far. */
  readonly attempt: number;
}

/** The execution the run record points at, or why there is none. */
function executionOf(cloud: Cloud, run: RunRecord): string {
  if (run.executionArn) return run.executionArn;
  if (run.pendingInput) {
    throw new CloudError(`run "${run.runId}" has not started: it is queued until another run of ${run.dagId} ends (maxActiveRuns)`, 'nothing to retry yet');
  }
  throw new CloudError(`run "${run.runId}" has no execution recorded in ${cloud.where}`, `it may be starting right now; see: updraft show ${run.runId} ${cloud.target.flags}`);
}

/**
 * Resumes a failed, timed-out or aborted run from where it stopped (RedriveExecution): failed
 * states run again, succeeded ones are not re-executed. Says exactly why when Step Functions
 * cannot: still running, succeeded, past the 14-day window, or gone after 90 days.
 */
export async function redriveRun(cloud: Cloud, run: RunRecord, now: Date): Promise<Redrive> {
  const executionArn = executionOf(cloud, run);
  const info = await describeExecution(cloud, executionArn);
  const flags = cloud.target.flags;
  if (!info) {
    throw new CloudError(
      `the execution of run "${run.runId}" no longer exists in ${cloud.where}: Step Functions keeps executions ${EXECUTION_RETENTION_DAYS} days after they end, so this run cannot be resumed`,
      'its run record stays as it was; updraft show lists what it recorded',
    );
  }
  if (info.status === 'RUNNING' || info.status === 'PENDING_REDRIVE') {
    throw new CloudError(`run "${run.runId}" is still running (execution ${info.status}): wait for it to end before resuming it`, `follow it with: updraft show ${run.runId} ${flags}`);
  }
  if (info.status === 'SUCCEEDED') {
    throw new CloudError(`run "${run.runId}" succeeded: there is nothing to retry`, 'Step Functions resumes only failed, timed-out or aborted executions');
  }
  const stopped = info.stopDate ? Date.parse(info.stopDate) : undefined;
  if (stopped !== undefined && now.getTime() - stopped > REDRIVE_WINDOW_DAYS * DAY_MS) {
    const days = Math.floor((now.getTime() - stopped) / DAY_MS);
    const free = new Date(stopped + EXECUTION_RETENTION_DAYS * DAY_MS).toISOString().slice(0, 10);
    throw new CloudError(
      `run "${run.runId}" cannot be resumed: its execution stopped ${days} days ago (${info.stopDate}), and Step Functions redrives executions only within ${REDRIVE_WINDOW_DAYS} days of their stop`,
      `Step Functions keeps its execution name taken until ${free} (${EXECUTION_RETENTION_DAYS} days), so the interval cannot start again under this run id before then`,
    );
  }
  if (info.redriveStatus === 'NOT_REDRIVABLE') {
    throw new CloudError(`run "${run.runId}" cannot be resumed: ${info.redriveStatusReason ?? 'Step Functions says its execution is not redrivable'}`);
  }
  try {
    const out = await cloud.clients.sfn.send(new RedriveExecutionCommand({ executionArn }));
    return { executionArn, redriveDate: (out.redriveDate ?? now).toISOString(), from: info.status, attempt: info.redriveCount + 2 };
  } catch (error) {
    if (error instanceof ExecutionNotRedrivable) throw new CloudError(`run "${run.runId}" cannot be resumed: ${error.message}`, undefined, { cause: error });
    throw error;
  }
}

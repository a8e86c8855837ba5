/**
 * @module cloud/executions
 * A DAG's state machine and a run's execution on Step Functions: finding the state machine by
 * its contract name (no account id needed: ListStateMachines returns the ARN), describing an
 * execution, and resuming a run as a new execution of the same machine (runtime/resume).
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  paginateListStateMachines,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { LIMITS, parsePlaceholder, placeholdersIn, recordKeys } from '../compiler/contract.ts';
import type { DagIR } from '../ir/types.ts';
import { partExecutionArn, runValuesIn } from '../runtime/execution-events.ts';
import { executionInput, executionName } from '../runtime/launch.ts';
import {
  doneToBucket,
  errorOfRecord,
  resumeDone,
  stateOfRecord,
  type Resume,
} from '../runtime/resume.ts';
import { S3ObjectStore } from '../runtime/s3-objects.ts';
import { QUIET_LOG, executionArnOf, startQueuedRuns } from '../runtime/run-queue.ts';
import { names } from '../runtime/env.ts';
import type { ErrorInfo, RunRecord, TaskState } from '../store/types.ts';
import type { Cloud } from './context.ts';
import { CloudError, deployHint } from './errors.ts';

/** Closed executions (and their names) are kept 90 days. */
export const EXECUTION_RETENTION_DAYS = 90;

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
  readonly stateMachineArn: string;
  /** The execution's input (JSON), when Step Functions returns it. */
  readonly input: string | null;
}

/** The ARN of the DAG's state machine, or a CloudError saying the DAG is not deployed. */
export async function stateMachineArn(cloud: Cloud, dagId: string): Promise<string> {
  const name = names.stateMachine(cloud.target.env, dagId);
  for await (const page of paginateListStateMachines({ client: cloud.clients.sfn }, {})) {
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
  }
  throw new CloudError(
    `DAG "${dagId}" is not deployed to ${cloud.target.env}: there is no state machine "${name}" in ${cloud.where}`,
    { hint: deployHint(cloud.target) },
  );
}

/** The execution, or undefined when Step Functions no longer has it (or never had it). */
export async function describeExecution(
  cloud: Cloud,
  executionArn: string,
): Promise<ExecutionInfo | undefined> {
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
      stateMachineArn: out.stateMachineArn ?? '',
      input: out.input ?? null,
    };
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

/** The execution the run record points at, or why there is none. */
function executionOf(cloud: Cloud, run: RunRecord): string {
  if (run.executionArn) return run.executionArn;
  if (run.pendingInput) {
    throw new CloudError(
      `run "${run.runId}" has not started: it is queued until another run of ${run.dagId} ends (maxActiveRuns)`,
      { hint: 'nothing to retry yet' },
    );
  }
  throw new CloudError(`run "${run.runId}" has no execution recorded in ${cloud.where}`, {
    hint: `it may be starting right now; see: updraft show ${run.runId} ${cloud.target.flags}`,
  });
}

/**
 * Resumes a run (retry, clear) the way the engine does: a new execution of the DAG's state machine,
 * named `<run id>-r<n>`, whose input hands back what tasks that must not run again answered
 * (runtime/resume). Function tasks' answers come from their try records; operators' recorded
 * outputs and every task's state from the ended execution's document (the input of its final
 * state). Step Functions' RedriveExecution cannot do this: a compiled run fails only in its final
 * Fail state, where a redrive would start again — and fail again.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: resuming on AWS in order: describe, history, records, done, claim, start; each step a few lines
export async function resumeRun(
  cloud: Cloud,
  run: RunRecord,
  ir: DagIR,
  resume: Resume,
  parts: DeployedParts = [],
): Promise<Resumed> {
  const executionArn = executionOf(cloud, run);
  const info = await describeExecution(cloud, executionArn);
  const flags = cloud.target.flags;
  if (!info) {
    throw new CloudError(
      `the execution of run "${run.runId}" no longer exists in ${cloud.where}: Step Functions keeps executions ${EXECUTION_RETENTION_DAYS} days after they end, and resuming needs its input and final state`,
      { hint: 'its run record stays as it was; updraft show lists what it recorded' },
    );
  }
  if (info.status === 'RUNNING' || info.status === 'PENDING_REDRIVE') {
    throw new CloudError(
      `run "${run.runId}" is still running (execution ${info.status}): wait for it to end before resuming it`,
      { hint: `follow it with: updraft show ${run.runId} ${flags}` },
    );
  }
  if (info.status === 'SUCCEEDED' && resume.kind === 'retry') {
    throw new CloudError(`run "${run.runId}" succeeded: there is nothing to retry`, {
      hint: `to run tasks of it again: updraft clear ${run.runId} --task <task> ${flags}`,
    });
  }
  const values = runValuesIn(info.input);
  if (!values) {
    throw new CloudError(
      `run "${run.runId}" cannot be resumed: its execution's input is not an Updraft run's ({ run, t, done }), so it was not started by Updraft`,
      { hint: "start runs with updraft trigger or the DAG's schedule" },
    );
  }
  const document = await finalDocument(cloud, executionArn);
  // Records that stayed inside the DAG's parts are in their executions' documents.
  if (document && parts.length > 0)
    document.t = {
      ...(await partRecords(cloud, executionArn, parts)),
      ...document.t,
    };
  const [tries, records] = await Promise.all([
    cloud.store.listTries(run.runId),
    cloud.store.listTasks(run.runId),
  ]);
  const keys = recordKeys(ir);
  const states = new Map<string, TaskState>();
  const operators = new Map<string, { output?: unknown; error?: ErrorInfo }>();
  if (document) {
    for (const t of ir.tasks) {
      const rec = document.t?.[keys.get(t.id)!];
      const state = rec ? stateOfRecord(rec) : undefined;
      if (state) states.set(t.id, state);
      const e = rec && errorOfRecord(rec);
      if (rec)
        operators.set(t.id, {
          output: rec.o ?? null,
          ...(e && { error: { error: e.Error ?? 'Error', cause: e.Cause ?? '' } }),
        });
    }
  } else {
    // Ended without a final state (timed out, aborted): what the task runner recorded; operators run again.
    for (const r of records) states.set(r.taskId, r.state);
  }
  // A long list of a mapped task's earlier answers waits in the payload bucket (runtime/resume).
  const [, , , region, account] = executionArn.split(':');
  const done = await doneToBucket(
    resumeDone(ir, { states, tries, operators: document ? operators : new Map() }, resume),
    new S3ObjectStore({
      client: cloud.clients.s3,
      bucket: names.payloadBucket(cloud.target.env, account!, region!),
    }),
    (key) => `${run.runId}/${run.key}-${run.attempt + 1}/done-${key}.json`,
    ir,
  );
  const input = JSON.stringify(executionInput(values, done));
  if (Buffer.byteLength(input) > LIMITS.payloadBytes) {
    throw new CloudError(
      `run "${run.runId}" cannot be resumed: what its tasks answered before makes the new execution's input ${(Buffer.byteLength(input) / 1024).toFixed(0)} KiB, over Step Functions' 256 KiB limit`,
      {
        hint: 'clear the tasks with large outputs too (updraft clear --task), or make them return less (large function outputs go to the payload bucket by themselves)',
      },
    );
  }
  const attempt = run.attempt + 1;
  const name = executionName(run.runId, attempt);
  // Queued again with its new input, as a trigger queues a run: it starts now, or when a slot of
  // the DAG's maxActiveRuns frees (runtime/run-queue names the execution by the attempt).
  const claimed = await cloud.store.updateRun(
    run.runId,
    {
      status: 'queued',
      attempt,
      pendingInput: input,
      maxActiveRuns: ir.maxActiveRuns,
      executionArn: undefined,
      error: undefined,
      endedAt: undefined,
      startedAt: undefined,
    },
    { ifStatus: [run.status] },
  );
  if (!claimed)
    throw new CloudError(`run "${run.runId}" is already being resumed by another command`, {
      hint: `see: updraft show ${run.runId} ${flags}`,
    });
  let outcome: { readonly started: readonly string[]; readonly waiting: readonly string[] };
  try {
    outcome = await startQueuedRuns(
      { store: cloud.store, sfn: cloud.clients.sfn, log: QUIET_LOG },
      { dagId: ir.id, stateMachineArn: info.stateMachineArn, maxActiveRuns: ir.maxActiveRuns },
      { known: [claimed] },
    );
  } catch (error) {
    // Put the record back as it was, so the run can be resumed again.
    await cloud.store.updateRun(run.runId, {
      status: run.status,
      attempt: run.attempt,
      executionArn,
      pendingInput: undefined,
      ...(run.error && { error: run.error }),
      ...(run.endedAt && { endedAt: run.endedAt }),
      ...(run.startedAt && { startedAt: run.startedAt }),
    });
    throw error;
  }
  const next = executionArnOf(info.stateMachineArn, name);
  const given = Object.keys(done).length;
  return {
    executionArn: next,
    name,
    from: info.status,
    attempt,
    given,
    queued: outcome.waiting.includes(run.runId),
    ...(!document && { operatorsAgain: true }),
  };
}

export interface Resumed {
  readonly executionArn: string;
  readonly name: string;
  /** The ended execution's status (FAILED, TIMED_OUT, ABORTED; SUCCEEDED for a clear). */
  readonly from: string;
  /** The run's execution number now. */
  readonly attempt: number;
  /** Tasks whose earlier answers the new execution hands back. */
  readonly given: number;
  /** The DAG has maxActiveRuns runs going: the execution starts when a slot frees. */
  readonly queued: boolean;
  /** The ended execution left no final document (timed out, aborted): operators run again. */
  readonly operatorsAgain?: true;
}

/** The run document as the execution's final state received it (its Fail or Succeed state), if it ended in one. */
function finalDocument(cloud: Cloud, executionArn: string): Promise<{ t?: Records } | undefined> {
  return documentOfLast(
    cloud,
    executionArn,
    (e) => e.type === 'FailStateEntered' || e.type === 'SucceedStateEntered',
  );
}

/** The document the last state entered that `entered` picks received (of the last 20 events). */
async function documentOfLast(
  cloud: Cloud,
  executionArn: string,
  entered: (event: HistoryEvent) => boolean,
): Promise<{ t?: Records } | undefined> {
  const out = await cloud.clients.sfn.send(
    new GetExecutionHistoryCommand({
      executionArn,
      reverseOrder: true,
      includeExecutionData: true,
      maxResults: 20,
    }),
  );
  const input = out.events?.find(entered)?.stateEnteredEventDetails?.input;
  return input ? (JSON.parse(input) as { t?: Records }) : undefined;
}

/** The DAG's parts as compiled (compiler/parts): the CLI compiles, the cloud reads their executions. */
export type DeployedParts = readonly { readonly id: string; readonly minified: string }[];

type Records = Record<string, Record<string, unknown>>;

/**
 * Every record the run's part executions held: each part's document as its last state (the Pass
 * selecting its exports) received it. A part's execution is named from the execution that
 * started it (compiler/states/part: the MD5 of that name and the part's id), in the part's own
 * state machine; a part that did not run (or no longer exists) adds nothing.
 */
async function partRecords(
  cloud: Cloud,
  runExecutionArn: string,
  parts: DeployedParts,
): Promise<Records> {
  const starter = new Map<string, string>();
  for (const p of parts)
    for (const name of placeholdersIn(p.minified)) {
      const pp = parsePlaceholder(name);
      if (pp.kind === 'part') starter.set(pp.part, p.id);
    }
  const arns = new Map<string, string>();
  const arnOf = (id: string): string => {
    let arn = arns.get(id);
    if (arn === undefined) {
      const by = starter.get(id);
      arn = partExecutionArn(by === undefined ? runExecutionArn : arnOf(by), id);
      arns.set(id, arn);
    }
    return arn;
  };
  // One history read per part, all at once (a DAG has a few parts to a few dozen).
  const docs = await Promise.all(
    parts.map((p) => {
      const definition = JSON.parse(p.minified) as { States: Record<string, { End?: boolean }> };
      const last = Object.entries(definition.States).find(([, st]) => st.End === true)?.[0];
      return last === undefined ? undefined : documentEntering(cloud, arnOf(p.id), last);
    }),
  );
  return Object.assign({}, ...docs.map((d) => d?.t ?? {})) as Records;
}

/** The document the execution's state `state` last received, if it entered it (and the execution exists). */
async function documentEntering(
  cloud: Cloud,
  executionArn: string,
  state: string,
): Promise<{ t?: Records } | undefined> {
  try {
    return await documentOfLast(
      cloud,
      executionArn,
      (e) =>
        e.type?.endsWith('StateEntered') === true && e.stateEnteredEventDetails?.name === state,
    );
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

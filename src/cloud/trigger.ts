/**
 * @module cloud/trigger
 * A manual run on a deployed environment, built and started exactly as the launcher does a
 * scheduled one: the conf validated against the DAG's params, the interval `--date` names, the
 * run values and execution input of runtime/launch, the queued run record written first with its
 * input (conditionally: the deterministic run id makes a second trigger of the same interval a
 * no-op), then runtime/run-queue starts the DAG's oldest queued runs while fewer than
 * `maxActiveRuns` execute — so a manual run waits its turn like a scheduled one, and the
 * recorder starts it when a slot frees. A start that fails removes the queued record again, so
 * nothing half-written is left for a later tick to start with someone else's permissions.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS, type Manifest } from '../compiler/contract.ts';
import { intervalFor } from '../schedule/index.ts';
import type { DagIR } from '../ir/types.ts';
import { names } from '../runtime/env.ts';
import { executionInput, queuedRunRecord, runIdOf, runValuesOf } from '../runtime/launch.ts';
import { resolveParams } from '../runtime/params.ts';
import { QUIET_LOG, startQueuedRuns } from '../runtime/run-queue.ts';
import { ConfigError } from '../errors.ts';
import { keys } from '../store/table.ts';
import type { RunRecord } from '../store/types.ts';
import type { Cloud } from './context.ts';
import { describeExecution, stateMachineArn, type ExecutionInfo } from './executions.ts';

export interface TriggerRequest {
  readonly ir: DagIR;
  /** The compiled DAG's time-sensor timers (`compileDag(ir).manifest.timers`). */
  readonly timers: Manifest['timers'];
  readonly conf: Readonly<Record<string, unknown>>;
  /** A logical date (a fire time, or a day); @default - the latest complete interval */
  readonly date?: string;
  readonly now: Date;
}

export type TriggerResult =
  | { readonly outcome: 'started'; readonly run: RunRecord; readonly executionArn: string }
  | { readonly outcome: 'queued'; readonly run: RunRecord; readonly maxActiveRuns: number }
  | {
      readonly outcome: 'existing';
      readonly run: RunRecord;
      readonly execution: ExecutionInfo | undefined;
    };

export async function triggerRun(cloud: Cloud, request: TriggerRequest): Promise<TriggerResult> {
  const { ir, now } = request;
  const params = resolveParams(ir, request.conf);
  const interval = intervalFor(ir, request.date, now);
  const runId = runIdOf(ir.id, interval.logicalDate);
  const values = runValuesOf({
    dagId: ir.id,
    timezone: ir.timezone,
    timers: request.timers,
    interval,
    params,
    triggeredBy: 'manual',
    runId,
  });
  const input = JSON.stringify(executionInput(values));
  if (Buffer.byteLength(input) > LIMITS.payloadBytes) {
    throw new ConfigError(
      `the conf of DAG "${ir.id}" makes the execution input larger than Step Functions' 256 KiB limit; pass a reference (an S3 key) instead of the data`,
    );
  }
  // First: is the DAG deployed? (Before any record is written.)
  const machine = await stateMachineArn(cloud, ir.id);
  const { store } = cloud;
  const record: RunRecord = {
    ...queuedRunRecord(values, request.conf, now),
    pendingInput: input,
    maxActiveRuns: ir.maxActiveRuns,
  };
  const { created, run } = await store.createRun(record);
  if (!created) return existing(cloud, run);
  let outcome: { readonly started: readonly string[]; readonly waiting: readonly string[] };
  try {
    outcome = await startQueuedRuns(
      { store, sfn: cloud.clients.sfn, log: QUIET_LOG },
      { dagId: ir.id, stateMachineArn: machine, maxActiveRuns: ir.maxActiveRuns },
      { known: [record] },
    );
  } catch (error) {
    await forget(cloud, runId);
    throw error;
  }
  const current = (await store.getRun(runId)) ?? run;
  if (outcome.started.includes(runId) && current.executionArn)
    return { outcome: 'started', run: current, executionArn: current.executionArn };
  if (outcome.waiting.includes(runId))
    return { outcome: 'queued', run: current, maxActiveRuns: ir.maxActiveRuns };
  // Neither: an execution of that name already existed (started before this record was written).
  return existing(cloud, current);
}

async function existing(cloud: Cloud, run: RunRecord): Promise<TriggerResult> {
  return {
    outcome: 'existing',
    run,
    execution: run.executionArn ? await describeExecution(cloud, run.executionArn) : undefined,
  };
}

/** Removes the queued record of a run whose execution could not start (only if still untouched). */
async function forget(cloud: Cloud, runId: string): Promise<void> {
  try {
    await cloud.clients.dynamo.send(
      new DeleteCommand({
        TableName: names.table(cloud.target.env),
        Key: keys.run(runId),
        ConditionExpression: '#status = :queued AND attribute_not_exists(#arn)',
        ExpressionAttributeNames: { '#status': 'status', '#arn': 'executionArn' },
        ExpressionAttributeValues: { ':queued': 'queued' },
      }),
    );
  } catch {
    // The start's own error is what the user needs to see; a record we could not remove stays queued.
  }
}

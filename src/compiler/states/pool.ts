/**
 * @module compiler/states/pool
 * A pooled task's slot (`pool('warehouse', { slots: 4 })`): a Task state before its body takes one
 * of the pool's slots, and one after each way out of it (success, failure, timeout, a soft-failed
 * sensor's skip) gives it back. Both are the optimized DynamoDB integration, UpdateItem on the
 * pool's item in the run table (store/table: `POOL#<pool>`, a map of holders):
 *
 * - acquire: `SET holders.<holder> = {runId, execution}` on the condition that the map has fewer
 *   than `slots` entries or already has this holder (acquiring again is harmless). While the pool
 *   is full the condition fails, and the state's Retry on `DynamoDB.ConditionalCheckFailedException`
 *   waits and tries again: nothing runs and nothing is paid while it waits but the retries, each a
 *   state transition (contract POOL_WAIT). After the last retry the task fails with
 *   `Updraft.PoolTimeout`.
 * - release: `REMOVE holders.<holder>`, retried on any error; if it still fails the run goes on (the
 *   recorder gives back what an execution held when it ends, runtime/pool-release).
 *
 * The holder key is `<runId>#<taskId>#<mapIndex>` (-1 when not mapped): one per task instance,
 * the same in every execution of a run. The table's name is a placeholder (`${RunTable}`), filled by
 * infra; the embedded engine answers these states from its own store (engine/local-pools).
 */
import type { TaskIR } from '../../ir/types.ts';
import type { Catcher, JsonValue, Retrier, State } from '../asl.ts';
import {
  ERROR_NAMES,
  PLACEHOLDERS,
  placeholder,
  POOL_WAIT,
  poolTimeoutCause,
} from '../contract.ts';
import { ERR, RUN } from '../document.ts';
import { intrinsicString } from '../intrinsics.ts';
import { END, type Exits, type Next, type Scope, type Walk } from '../scope.ts';
import { failurePass, renderNextEnd } from './task-fields.ts';

/** Step Functions' optimized DynamoDB integration (answers at once; no `.sync`). */
export const DYNAMODB_UPDATE_ITEM = 'arn:aws:states:::dynamodb:updateItem';

/** What a full pool answers the acquire with. */
export const POOL_FULL = 'DynamoDB.ConditionalCheckFailedException';

/** DynamoDB's transient errors, retried with backoff on both states (as Lambda's service errors are). */
export const DYNAMODB_SERVICE_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerError',
  'DynamoDB.AmazonDynamoDBException',
];

/** Retries of the release (any error; then the run goes on and the recorder releases). */
const RELEASE_ATTEMPTS = 6;

/** Whether a task takes a slot of its pool: a time sensor runs nothing, so it takes none. */
export function takesPoolSlot(task: TaskIR): boolean {
  return (
    task.pool !== undefined &&
    !(task.body.kind === 'sensor' && task.body.sensor.check.kind === 'time')
  );
}

/** The pool's item in the run table (store/table keys.pool, in DynamoDB's attribute-value form). */
function poolKey(pool: string): JsonValue {
  return { pk: { S: `POOL#${pool}` }, sk: { S: 'POOL' } };
}

/** The holder key as an intrinsic: the run id, the task, the map index (`$.index` inside a Map's item). */
function holderKey(task: TaskIR, mapped: boolean): string {
  const id = intrinsicString(`#${task.id}#`).slice(1, -1);
  return mapped
    ? `States.Format('{}${id}{}', ${RUN}.runId, $.index)`
    : `States.Format('{}${id}-1', ${RUN}.runId)`;
}

function names(task: TaskIR, mapped: boolean): Record<string, JsonValue> {
  return { '#h': 'holders', '#k.$': holderKey(task, mapped) };
}

const TABLE = placeholder(PLACEHOLDERS.runTable);

/** The acquire state: waits for a slot, then goes to `next`; a wait that runs out fails the task. */
export function acquireState(
  task: TaskIR,
  mapped: boolean,
  next: string,
  catchTo: { readonly poolFull: string; readonly failed: string },
): State {
  const pool = task.pool!;
  const retry: Retrier[] = [
    {
      ErrorEquals: [POOL_FULL],
      IntervalSeconds: POOL_WAIT.intervalSeconds,
      MaxAttempts: POOL_WAIT.maxAttempts,
      BackoffRate: POOL_WAIT.backoffRate,
      MaxDelaySeconds: POOL_WAIT.maxDelaySeconds,
    },
    serviceRetrier(DYNAMODB_SERVICE_ERRORS),
  ];
  const catches: Catcher[] = [
    { ErrorEquals: [POOL_FULL], ResultPath: ERR, Next: catchTo.poolFull },
    { ErrorEquals: [ERROR_NAMES.all], ResultPath: ERR, Next: catchTo.failed },
  ];
  return {
    Type: 'Task',
    Resource: DYNAMODB_UPDATE_ITEM,
    Parameters: {
      TableName: TABLE,
      Key: poolKey(pool.name),
      UpdateExpression: 'SET #h.#k = :v',
      ConditionExpression: 'attribute_exists(#h) AND (size(#h) < :max OR attribute_exists(#h.#k))',
      ExpressionAttributeNames: names(task, mapped),
      ExpressionAttributeValues: {
        ':v': {
          M: { runId: { 'S.$': `${RUN}.runId` }, execution: { 'S.$': '$$.Execution.Name' } },
        },
        ':max': { N: String(pool.slots) },
      },
    },
    ResultPath: null,
    Retry: retry,
    Catch: catches,
    Next: next,
  };
}

/** The release state: gives the slot back, then `next` (also when DynamoDB keeps refusing: the recorder releases at the run's end). */
export function releaseState(
  task: TaskIR,
  mapped: boolean,
  next: string | typeof END,
  onError: string,
  outputPath?: string,
): State {
  return {
    Type: 'Task',
    Resource: DYNAMODB_UPDATE_ITEM,
    Parameters: {
      TableName: TABLE,
      Key: poolKey(task.pool!.name),
      UpdateExpression: 'REMOVE #h.#k',
      ExpressionAttributeNames: names(task, mapped),
    },
    ResultPath: null,
    ...(outputPath !== undefined && { OutputPath: outputPath }),
    Retry: [serviceRetrier([ERROR_NAMES.all], RELEASE_ATTEMPTS)],
    Catch: [{ ErrorEquals: [ERROR_NAMES.all], ResultPath: null, Next: onError }],
    ...renderNextEnd(next),
  };
}

function serviceRetrier(errors: readonly string[], attempts = 6): Retrier {
  return {
    ErrorEquals: errors,
    IntervalSeconds: 1,
    MaxAttempts: attempts,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  };
}

/** The Pass a wait that ran out goes through: the task's error, in the user's terms. */
export function poolTimeoutPass(task: TaskIR, next: string): State {
  const pool = task.pool!;
  return {
    Type: 'Pass',
    Result: {
      Error: ERROR_NAMES.poolTimeout,
      Cause: poolTimeoutCause(task.id, pool.name, pool.slots),
    },
    ResultPath: ERR,
    Next: next,
  };
}

/**
 * A pooled task's states around its body: `render` draws the body with exits that first give the
 * slot back; the acquire goes before the body's entry. Returns the acquire (the task's entry).
 */
export function renderPooled(
  emit: Walk,
  scope: Scope,
  task: TaskIR,
  exits: Exits,
  render: (exits: Exits) => Next,
): Next {
  const acquire = emit.ctx.name(`${task.id} pool slot`);
  scope.add(acquire, { Type: 'Pass' }); // keeps the task's place in the States order
  emit.stateTasks.set(acquire, { tasks: [task.id], role: 'acquire' });
  const release = (label: string, exit: () => Next): (() => Next) => {
    let name: string | undefined;
    return () => {
      if (name !== undefined) return name;
      name = emit.ctx.name(`${task.id} release slot${label}`);
      scope.add(name, { Type: 'Pass' });
      emit.stateTasks.set(name, { tasks: [task.id], role: 'release' });
      const next = exit();
      // A Catch cannot end a branch: when nothing follows, a failed release ends through a Pass.
      let onError: string;
      if (next === END) {
        onError = emit.ctx.name(`${task.id} released${label}`);
        scope.add(onError, { Type: 'Pass', End: true });
        emit.stateTasks.set(onError, { tasks: [task.id], role: 'release' });
      } else onError = next;
      scope.add(name, releaseState(task, false, next, onError));
      return name;
    };
  };
  const releasing: Exits = {
    success: release('', exits.success),
    failed: release(' (failed)', exits.failed),
    skipped: release(' (skipped)', exits.skipped),
  };
  const entry = render(releasing);
  // The body's own failure record (failurePass keeps one per task and scope).
  const failed = failurePass(emit, scope, task, releasing);
  const full = emit.ctx.name(`${task.id} pool wait exceeded`);
  emit.stateTasks.set(full, { tasks: [task.id], role: 'failed' });
  scope.add(full, poolTimeoutPass(task, failed));
  scope.add(acquire, acquireState(task, false, entry as string, { poolFull: full, failed }));
  return acquire;
}

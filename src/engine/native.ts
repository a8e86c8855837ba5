/**
 * @module engine/native
 * Local behaviour of native operators (Step Functions service integrations) on the embedded
 * engine. Receives the request the state machine would send to the service and answers the way
 * the service would: SNS/SQS/EventBridge messages land in the local outbox, "trigger a DAG"
 * runs that DAG on the engine, and the rest (Lambda, ECS, Batch, Glue, Athena, HTTP) call the
 * stand-in the DAG author gave (`local:` option, or `overrides` in tests) or fail saying how to
 * give one. Every call is recorded as a try like a task's.
 */
import { randomUUID } from 'node:crypto';
import type { DagIR, OperatorIR } from '../ir/types.ts';
import { ERROR_NAMES, type Manifest } from '../compiler/contract.ts';
import type { Dag } from '../sdk/dag.ts';
import type { OutboxMessage } from '../store/types.ts';
import { classifyError, stateError } from '../runtime/errors.ts';
import { PermanentError } from '../errors.ts';
import type { ObjectStore } from '../runtime/objects.ts';
import type { RunnerRecorder } from '../runtime/task-try.ts';
import type { Clock } from './clock.ts';

export type OperatorOverride = (request: Record<string, unknown>) => unknown;

/** What a triggered child run ended as (`states:startExecution.sync:2` answers with this). */
export interface ChildRun {
  readonly runId: string;
  readonly status: 'success' | 'failed';
  readonly output?: unknown;
  readonly error?: { readonly error: string; readonly cause: string };
}

export interface NativeDeps {
  /** Records an SNS/SQS/EventBridge message. */
  outbox(
    message: Omit<OutboxMessage, 'runId' | 'seq'> & { readonly seq?: number },
  ): void | Promise<void>;
  /** Runs another DAG (the request's `Input.run` names it) and, when `wait`, until it ends. */
  triggerDag(request: {
    readonly dagId: string;
    readonly name: string;
    readonly input: Record<string, unknown>;
    readonly wait: boolean;
  }): Promise<ChildRun>;
}

interface NativeOptions {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly manifest: Manifest;
  readonly overrides: Readonly<Record<string, OperatorOverride>>;
  readonly clock: Clock;
  readonly native: Partial<NativeDeps>;
  readonly recorder: RunnerRecorder;
  readonly objects: ObjectStore;
  readonly runId: string;
  readonly runAttempt: number;
  readonly nextTry: (taskId: string, mapIndex: number) => number;
}

const FACTORY: Record<OperatorIR['kind'], string> = {
  lambda_invoke: 'lambdaInvoke',
  ecs_task: 'ecsTask',
  batch_job: 'batchJob',
  glue_job: 'glueJob',
  athena_query: 'athenaQuery',
  http_request: 'httpRequest',
  sns_publish: 'snsPublish',
  sqs_send: 'sqsSend',
  eventbridge_put: 'eventBridgePut',
  trigger_dag: 'triggerDag',
};

const SERVICE: Record<OperatorIR['kind'], string> = {
  lambda_invoke: 'an existing Lambda function',
  ecs_task: 'an ECS task',
  batch_job: 'an AWS Batch job',
  glue_job: 'a Glue job',
  athena_query: 'an Athena query',
  http_request: 'an HTTP endpoint',
  sns_publish: 'SNS',
  sqs_send: 'SQS',
  eventbridge_put: 'EventBridge',
  trigger_dag: 'another DAG',
};

/** The message for an operator nobody gave a local stand-in. */
export function noOverrideMessage(taskId: string, kind: OperatorIR['kind']): string {
  return (
    `task "${taskId}" (${FACTORY[kind]}) calls ${SERVICE[kind]}, which the embedded engine cannot reach. ` +
    `Give it a local stand-in that returns what the service would: ${FACTORY[kind]}('${taskId.split('.').pop()}', { ..., local: (request) => ({ ... }) }), ` +
    `or pass overrides: { '${taskId}': (request) => ({ ... }) } to runDag() in a test.`
  );
}

/** The message for a built-in sensor the engine cannot check by itself. */
export function noSensorCheckMessage(taskId: string, kind: string): string {
  const factory =
    kind === 's3_key' ? 's3KeySensor' : kind === 'external_dag' ? 'externalDagSensor' : 'sensor';
  return (
    `sensor "${taskId}" (${factory}) has nothing to check on the embedded engine. ` +
    `Give it a local stand-in that answers whether the condition holds: ${factory}('${taskId.split('.').pop()}', { ..., local: (request) => true }), ` +
    `or pass overrides: { '${taskId}': (request) => true } to runDag() in a test.`
  );
}

export function nativeHandler(o: NativeOptions) {
  const irTasks = new Map(o.ir.tasks.map((t) => [t.id, t]));
  const iso = () => new Date(o.clock.now()).toISOString();
  return async (taskId: string, request: Record<string, unknown>): Promise<unknown> => {
    const ir = irTasks.get(taskId)!;
    if (ir.body.kind !== 'operator') throw new Error(`task "${taskId}" is not an operator`);
    const op = ir.body.operator;
    const tryNumber = o.nextTry(taskId, -1);
    const startedAt = o.clock.now();
    const base = { runId: o.runId, taskId, mapIndex: -1, tryNumber, runAttempt: o.runAttempt };
    await o.recorder.putTry({ ...base, state: 'running', startedAt: iso() });
    try {
      const response = await call(o, taskId, op, request);
      const endedAt = o.clock.now();
      await o.recorder.putTry({
        ...base,
        state: 'success',
        startedAt: new Date(startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        durationMs: endedAt - startedAt,
        response,
      });
      return response;
    } catch (thrown) {
      // A stand-in throws what the service would (`Glue.ConcurrentRunsExceededException`): its name is the error.
      const named =
        thrown instanceof Error && thrown.name !== 'Error' && !(thrown instanceof PermanentError);
      const error = named ? { error: thrown.name, cause: thrown.message } : classifyError(thrown);
      const endedAt = o.clock.now();
      await o.recorder.putTry({
        ...base,
        state: 'failed',
        startedAt: new Date(startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        durationMs: endedAt - startedAt,
        error,
      });
      throw stateError(error);
    }
  };
}

/**
 * A stand-in answers as the service does. Lambda's Invoke answers `{ Payload, StatusCode }` and the
 * compiled state reads `$.Payload`: a stand-in that returns the function's result itself would
 * otherwise break the interpreter with a JSONPath error far from the DAG.
 */
function checkStandIn(taskId: string, op: OperatorIR, response: unknown): unknown {
  const isObject = typeof response === 'object' && response !== null && !Array.isArray(response);
  if (op.kind === 'lambda_invoke' && !(isObject && 'Payload' in response)) {
    throw new PermanentError(
      `lambdaInvoke "${taskId}": its local stand-in returned ${JSON.stringify(response) ?? String(response)}, ` +
        `but a stand-in answers as Lambda's Invoke does; return { Payload: <the function's result> } ` +
        `(for example local: async (request) => ({ Payload: { ok: true } }))`,
    );
  }
  return response;
}

async function call(
  o: NativeOptions,
  taskId: string,
  op: OperatorIR,
  request: Record<string, unknown>,
): Promise<unknown> {
  const override = o.overrides[taskId] ?? o.dag.localOverride(taskId);
  if (override) return checkStandIn(taskId, op, await override(request));
  const at = new Date(o.clock.now()).toISOString();
  switch (op.kind) {
    case 'sns_publish':
      if (!o.native.outbox) break;
      await o.native.outbox({
        taskId,
        service: 'sns',
        target: String(request.TopicArn),
        message: {
          Message: request.Message,
          ...(request.Subject !== undefined && { Subject: request.Subject }),
        },
        at,
      });
      return { MessageId: randomUUID() };
    case 'sqs_send':
      if (!o.native.outbox) break;
      await o.native.outbox({
        taskId,
        service: 'sqs',
        target: String(request.QueueUrl),
        message: { MessageBody: request.MessageBody },
        at,
      });
      return { MessageId: randomUUID(), MD5OfMessageBody: '' };
    case 'eventbridge_put': {
      if (!o.native.outbox) break;
      const entries = (request.Entries as Record<string, unknown>[]) ?? [];
      for (const entry of entries)
        await o.native.outbox({
          taskId,
          service: 'events',
          target: String(entry.EventBusName ?? 'default'),
          message: entry,
          at,
        });
      return { Entries: entries.map(() => ({ EventId: randomUUID() })), FailedEntryCount: 0 };
    }
    case 'trigger_dag': {
      if (!o.native.triggerDag) break;
      const name = String(request.Name);
      const child = await o.native.triggerDag({
        dagId: op.dagId,
        name,
        input: request.Input as Record<string, unknown>,
        wait: op.wait,
      });
      const arn = `arn:aws:states:us-east-1:000000000000:execution:updraft-${op.dagId}:${name}`;
      if (!op.wait) return { ExecutionArn: arn, StartDate: new Date(o.clock.now()).toISOString() };
      if (child.status === 'failed') {
        // startExecution.sync fails the parent's task when the child fails, as on AWS.
        throw stateError({
          error: ERROR_NAMES.statesTaskFailed,
          cause: `DAG "${op.dagId}" run ${child.runId} failed${child.error ? `: ${child.error.cause}` : ''}`,
        });
      }
      return {
        ExecutionArn: arn,
        Name: name,
        Status: 'SUCCEEDED',
        Output: child.output ?? {},
        StartDate: at,
        StopDate: new Date(o.clock.now()).toISOString(),
      };
    }
    default:
      break;
  }
  throw stateError({
    error: ERROR_NAMES.noLocalOverride,
    cause: noOverrideMessage(taskId, op.kind),
  });
}

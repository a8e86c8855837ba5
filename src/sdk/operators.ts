/**
 * @module sdk/operators
 * Native operators: Step Functions service integrations declared as data (no Lambda code of
 * ours runs; `.sync` where the service has it). Parameters may hold upstream outputs, run
 * values and `format` templates. Each call adds a task instance to the DAG being built.
 */
import type { OperatorIR } from '../ir/types.ts';
import { callerLocation, currentBuilder, type LocalOverride, type RawBody } from './builder.ts';
import { DagDefinitionError } from '../errors.ts';
import type { Input } from './task.ts';
import type { TaskOptions as BaseTaskOptions } from './options.ts';

/** Options of native operators and built-in sensors: task options plus a local stand-in. */
export interface TaskOptions extends BaseTaskOptions {
  /**
   * What runs instead of the AWS service on the embedded engine (`updraft run`, tests): gets the
   * request the state machine would send and returns the service's response.
   * @default - SNS/SQS/EventBridge go to the local outbox, triggerDag runs the DAG locally, others fail with a hint
   */
  readonly local?: LocalOverride;
}
import { TaskNode } from './nodes.ts';

type JsonInput = Input<unknown>;

/** Add an instance whose body is data (operators, built-in sensors). */
export function addNode<T>(
  kindName: string,
  id: string,
  body: RawBody,
  options: Record<string, unknown>,
  ownKeys: readonly string[] = [],
): TaskNode<T> {
  const builder = currentBuilder(`${kindName} "${id}"`);
  const fullId = builder.fullId(id);
  const { local, ...rest } = options;
  if (local !== undefined && typeof local !== 'function') {
    throw new DagDefinitionError(
      `${kindName} "${id}": "local" must be a function (request) => result that stands in for the AWS service on the embedded engine, got ${typeof local}.`,
    );
  }
  builder.addTask({
    id: fullId,
    localId: id,
    group: builder.currentGroup,
    body,
    options: rest,
    args: [],
    source: callerLocation(),
    ownKeys,
    ...(local !== undefined && { local: local as LocalOverride }),
  });
  return new TaskNode<T>(fullId, builder);
}

function operator<T>(
  kindName: string,
  kind: OperatorIR['kind'],
  id: string,
  all: object,
  fields: readonly string[],
): TaskNode<T> {
  const op: Record<string, unknown> = { kind };
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all ?? {}))
    (fields.includes(key) ? op : rest)[key] = value;
  return addNode<T>(
    kindName,
    id,
    { kind: 'operator', operator: op as { kind: string } },
    rest,
    fields,
  );
}

/** Invoke an existing Lambda function (by name or ARN); the output is its response payload. */
export function lambdaInvoke<T = unknown>(
  id: string,
  options: TaskOptions & { readonly functionName: string; readonly payload?: JsonInput },
): TaskNode<T> {
  return operator<T>('lambdaInvoke', 'lambda_invoke', id, options, ['functionName', 'payload']);
}

export interface EcsTaskOptions extends TaskOptions {
  readonly cluster: string;
  readonly taskDefinition: string;
  /** @default 'FARGATE' */
  readonly launchType?: 'FARGATE' | 'EC2';
  readonly subnets: readonly string[];
  readonly securityGroups?: readonly string[];
  /**
   * The container of the task definition that `command` and `environment` override; required with
   * either of them (ECS names the container to override, and the task definition's containers are
   * known only in the account, so there is no default).
   */
  readonly container?: string;
  readonly command?: Input<readonly string[]>;
  readonly environment?: Input<Record<string, string>>;
}
/** Run an ECS/Fargate task and wait for it to stop (`ecs:runTask.sync`). */
export function ecsTask(
  id: string,
  options: EcsTaskOptions,
): TaskNode<{ readonly taskArn: string; readonly stoppedReason?: string }> {
  return operator(
    'ecsTask',
    'ecs_task',
    id,
    { launchType: 'FARGATE', securityGroups: [], ...options },
    [
      'cluster',
      'taskDefinition',
      'launchType',
      'subnets',
      'securityGroups',
      'container',
      'command',
      'environment',
    ],
  );
}

/** Submit an AWS Batch job and wait for it (`batch:submitJob.sync`). */
export function batchJob(
  id: string,
  options: TaskOptions & {
    readonly jobName: string;
    readonly jobQueue: string;
    readonly jobDefinition: string;
    readonly parameters?: Input<Record<string, string>>;
  },
): TaskNode<{ readonly jobId: string }> {
  return operator('batchJob', 'batch_job', id, options, [
    'jobName',
    'jobQueue',
    'jobDefinition',
    'parameters',
  ]);
}

/** Start a Glue job run and wait for it (`glue:startJobRun.sync`). */
export function glueJob(
  id: string,
  options: TaskOptions & {
    readonly jobName: string;
    readonly arguments?: Input<Record<string, string>>;
  },
): TaskNode<{ readonly jobRunId: string }> {
  return operator('glueJob', 'glue_job', id, options, ['jobName', 'arguments']);
}

/** Run an Athena query and wait for it (`athena:startQueryExecution.sync`). */
export function athenaQuery(
  id: string,
  options: TaskOptions & {
    readonly query: Input<string>;
    readonly database?: string;
    readonly workGroup?: string;
    readonly outputLocation?: string;
  },
): TaskNode<{ readonly queryExecutionId: string }> {
  return operator('athenaQuery', 'athena_query', id, options, [
    'query',
    'database',
    'workGroup',
    'outputLocation',
  ]);
}

/** Call an HTTPS API (Step Functions HTTP task); `connection` names the auth connection. */
export function httpRequest<T = unknown>(
  id: string,
  options: TaskOptions & {
    readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    readonly url: Input<string>;
    readonly connection: string;
    readonly headers?: Input<Record<string, string>>;
    readonly query?: Input<Record<string, string>>;
    readonly body?: JsonInput;
  },
): TaskNode<{ readonly statusCode: number; readonly body: T }> {
  return operator('httpRequest', 'http_request', id, { method: 'GET', ...options }, [
    'method',
    'url',
    'connection',
    'headers',
    'query',
    'body',
  ]);
}

/** Publish to an SNS topic (by name). */
export function snsPublish(
  id: string,
  options: TaskOptions & {
    readonly topic: string;
    readonly message: JsonInput;
    readonly subject?: string;
  },
): TaskNode<{ readonly messageId: string }> {
  return operator('snsPublish', 'sns_publish', id, options, ['topic', 'message', 'subject']);
}

/** Send a message to an SQS queue (by name). */
export function sqsSend(
  id: string,
  options: TaskOptions & { readonly queue: string; readonly message: JsonInput },
): TaskNode<{ readonly messageId: string }> {
  return operator('sqsSend', 'sqs_send', id, options, ['queue', 'message']);
}

/** Put an event on an EventBridge bus. */
export function eventBridgePut(
  id: string,
  options: TaskOptions & {
    readonly eventBus?: string;
    readonly source: string;
    readonly detailType: string;
    readonly detail: JsonInput;
  },
): TaskNode<{ readonly eventId: string }> {
  return operator('eventBridgePut', 'eventbridge_put', id, { eventBus: 'default', ...options }, [
    'eventBus',
    'source',
    'detailType',
    'detail',
  ]);
}

/** Trigger another Updraft DAG (Airflow's TriggerDagRunOperator); by default wait for its run to finish. */
export function triggerDag(
  id: string,
  options: TaskOptions & {
    readonly dagId: string;
    readonly conf?: JsonInput /** @default true */;
    readonly wait?: boolean;
  },
): TaskNode<{ readonly runId: string; readonly status: string }> {
  return operator('triggerDag', 'trigger_dag', id, { wait: true, ...options }, [
    'dagId',
    'conf',
    'wait',
  ]);
}

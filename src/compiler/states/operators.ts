/**
 * @module compiler/states/operators
 * Native operators → Step Functions service integrations (`.sync` where the service has it):
 * resource ARN, Parameters (values from the run and upstream outputs), and the compact output
 * the task records. Account-specific ARNs are placeholders (`${Region}`, `${Account}`,
 * `${StateMachine_<dag>}`, `${Connection_<id>}`) that infra fills through DefinitionSubstitutions.
 */
import type { OperatorIR, ValueIR } from '../../ir/types.ts';
import { assertNever } from '../../ir/types.ts';
import { InternalError } from '../../errors.ts';
import { LAMBDA_INVOKE, type JsonValue } from '../asl.ts';
import type { CompileContext } from '../context.ts';
import { renderField } from '../values.ts';
import { childTimerKey } from '../link.ts';
import { PLACEHOLDERS, placeholder } from '../contract.ts';
import { runValue, timer } from '../document.ts';

export interface RenderedOperator {
  readonly resource: string;
  readonly parameters: Record<string, JsonValue>;
  /** What the task records as its output: fields picked from the service's response, or one path. */
  readonly output: Record<string, JsonValue> | { readonly path: string };
}

const REGION = placeholder(PLACEHOLDERS.region);
const ACCOUNT = placeholder(PLACEHOLDERS.account);

function field(
  ctx: CompileContext,
  out: Record<string, JsonValue>,
  name: string,
  v: ValueIR | undefined,
): void {
  if (!v) return;
  const [k, value] = renderField(name, v, ctx.keys);
  out[k] = value;
}

/**
 * A message body: strings as they are; JSON (literal, an upstream output, or an object built
 * from outputs) is passed as JSON, which the SNS, SQS and EventBridge integrations serialize.
 */
function stringField(
  ctx: CompileContext,
  out: Record<string, JsonValue>,
  name: string,
  v: ValueIR,
): void {
  field(ctx, out, name, v);
}

/**
 * ECS wants `[{ Name, Value }]`: a literal object, or an object whose values are literals, run
 * values, outputs or templates (each becomes its own `Value.$`). A whole upstream output cannot be
 * turned into that list in ASL; validation refuses it (ir/validate, code ecs-environment-not-object).
 */
function ecsEnvironment(ctx: CompileContext, env: ValueIR): JsonValue {
  if (env.kind === 'literal')
    return Object.entries(env.value as Record<string, unknown>).map(([Name, Value]) => ({
      Name,
      Value: String(Value),
    }));
  if (env.kind === 'object') {
    return Object.entries(env.fields).map(([Name, v]) => {
      const entry: Record<string, JsonValue> = { Name };
      if (v.kind === 'literal') entry.Value = String(v.value);
      else field(ctx, entry, 'Value', v);
      return entry;
    });
  }
  throw new InternalError(
    `ecsTask environment of kind ${env.kind} reached the compiler (validation refuses it)`,
  );
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one short case per native operator (Parameters of each service integration)
export function renderOperator(ctx: CompileContext, op: OperatorIR): RenderedOperator {
  const p: Record<string, JsonValue> = {};
  switch (op.kind) {
    case 'lambda_invoke':
      p.FunctionName = op.functionName;
      field(ctx, p, 'Payload', op.payload);
      return { resource: LAMBDA_INVOKE, parameters: p, output: { path: '$.Payload' } };
    case 'ecs_task': {
      p.Cluster = op.cluster;
      p.TaskDefinition = op.taskDefinition;
      p.LaunchType = op.launchType;
      p.NetworkConfiguration = {
        AwsvpcConfiguration: { Subnets: [...op.subnets], SecurityGroups: [...op.securityGroups] },
      };
      if (op.command || op.environment) {
        // ECS names the container to override; validation requires `container` here (ir/validate:
        // the task definition's containers are known only in the account, not at compile time).
        const override: Record<string, JsonValue> = { Name: op.container! };
        field(ctx, override, 'Command', op.command);
        if (op.environment) override.Environment = ecsEnvironment(ctx, op.environment);
        p.Overrides = { ContainerOverrides: [override] };
      }
      return {
        resource: 'arn:aws:states:::ecs:runTask.sync',
        parameters: p,
        output: { 'taskArn.$': '$.TaskArn' },
      };
    }
    case 'batch_job':
      p.JobName = op.jobName;
      p.JobQueue = op.jobQueue;
      p.JobDefinition = op.jobDefinition;
      field(ctx, p, 'Parameters', op.parameters);
      return {
        resource: 'arn:aws:states:::batch:submitJob.sync',
        parameters: p,
        output: { 'jobId.$': '$.JobId' },
      };
    case 'glue_job':
      p.JobName = op.jobName;
      field(ctx, p, 'Arguments', op.arguments);
      return {
        resource: 'arn:aws:states:::glue:startJobRun.sync',
        parameters: p,
        output: { 'jobRunId.$': '$.Id' },
      };
    case 'athena_query':
      field(ctx, p, 'QueryString', op.query);
      if (op.database) p.QueryExecutionContext = { Database: op.database };
      if (op.workGroup) p.WorkGroup = op.workGroup;
      if (op.outputLocation) p.ResultConfiguration = { OutputLocation: op.outputLocation };
      return {
        resource: 'arn:aws:states:::athena:startQueryExecution.sync',
        parameters: p,
        output: { 'queryExecutionId.$': '$.QueryExecution.QueryExecutionId' },
      };
    case 'http_request':
      field(ctx, p, 'ApiEndpoint', op.url);
      p.Method = op.method;
      p.Authentication = { ConnectionArn: placeholder(PLACEHOLDERS.connection(op.connection)) };
      field(ctx, p, 'Headers', op.headers);
      field(ctx, p, 'QueryParameters', op.query);
      field(ctx, p, 'RequestBody', op.body);
      return {
        resource: 'arn:aws:states:::http:invoke',
        parameters: p,
        output: { 'statusCode.$': '$.StatusCode', 'body.$': '$.ResponseBody' },
      };
    case 'sns_publish':
      p.TopicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${op.topic}`;
      stringField(ctx, p, 'Message', op.message);
      if (op.subject) p.Subject = op.subject;
      return {
        resource: 'arn:aws:states:::sns:publish',
        parameters: p,
        output: { 'messageId.$': '$.MessageId' },
      };
    case 'sqs_send':
      p.QueueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${op.queue}`;
      stringField(ctx, p, 'MessageBody', op.message);
      return {
        resource: 'arn:aws:states:::sqs:sendMessage',
        parameters: p,
        output: { 'messageId.$': '$.MessageId' },
      };
    case 'eventbridge_put': {
      const entry: Record<string, JsonValue> = {
        EventBusName: op.eventBus,
        Source: op.source,
        DetailType: op.detailType,
      };
      stringField(ctx, entry, 'Detail', op.detail);
      p.Entries = [entry];
      return {
        resource: 'arn:aws:states:::events:putEvents',
        parameters: p,
        output: { 'eventId.$': '$.Entries[0].EventId' },
      };
    }
    case 'trigger_dag': {
      const run: Record<string, JsonValue> = {
        dagId: op.dagId,
        'runId.$': `States.Format('${op.dagId}-{}-t', ${runValue('key')})`,
        'key.$': runValue('key'),
        'logicalDate.$': runValue('logicalDate'),
        'ds.$': runValue('ds'),
        'dataIntervalStart.$': runValue('dataIntervalStart'),
        'dataIntervalEnd.$': runValue('dataIntervalEnd'),
        triggeredBy: 'dag',
        // The child's time sensors wait for timestamps its launcher would have computed: the
        // parent's run carries them (compiler/link), with the same data interval.
        timers: Object.fromEntries(
          (op.childTimers ?? []).map((t) => [`${t.key}.$`, timer(childTimerKey(op.dagId, t.key))]),
        ),
      };
      if (op.conf) field(ctx, run, 'params', op.conf);
      else run.params = {};
      p.StateMachineArn = placeholder(PLACEHOLDERS.stateMachine(op.dagId));
      // Deterministic and ≤ 80 characters (DAG id ≤ 48 + key 20 + "-t"): a retry of this task finds the same run.
      p['Name.$'] = `States.Format('${op.dagId}-{}-t', ${runValue('key')})`;
      p.Input = { run, t: {}, done: {} };
      return op.wait
        ? {
            resource: 'arn:aws:states:::states:startExecution.sync:2',
            parameters: p,
            output: { 'runId.$': '$.Name', 'status.$': '$.Status' },
          }
        : {
            resource: 'arn:aws:states:::states:startExecution',
            parameters: p,
            output: { 'executionArn.$': '$.ExecutionArn' },
          };
    }
    default:
      return assertNever(op, 'operator');
  }
}

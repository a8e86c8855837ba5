/**
 * @module infra/operator-permissions
 * What a DAG's state machine role needs for its native operators, per service integration, as
 * the Step Functions developer guide lists them ("IAM policies for integrated services"): the
 * call itself on the resource the DAG names, plus, for `.sync` integrations, the describe/stop
 * calls and the managed EventBridge rule Step Functions uses to learn that the job finished.
 * Where the DAG names a resource only at run time (a value from an upstream task), the
 * statement says so in its `sid` and uses the narrowest wildcard the ARN format allows.
 */
import { Stack, ArnFormat } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { OperatorIR, TaskIR } from '../src/ir/types.ts';
import { assertNever } from '../src/ir/types.ts';
import type { PlatformRefs } from './refs.ts';

export interface OperatorGrants {
  readonly statements: iam.PolicyStatement[];
  /** Resources given as `*` because the ARN is not known before the run, with why (for cdk-nag). */
  readonly wildcards: { readonly resource: string; readonly reason: string }[];
}

/** Step Functions' managed rule for a `.sync` integration of this service. */
function syncRule(stack: Stack, rule: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
    resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: rule })],
  });
}

const isArn = (s: string) => s.startsWith('arn:');

export function operatorGrants(scope: Construct, tasks: readonly TaskIR[], refs: PlatformRefs, httpConnectionArn: (connection: string) => string): OperatorGrants {
  const stack = Stack.of(scope);
  const statements: iam.PolicyStatement[] = [];
  const wildcards: OperatorGrants['wildcards'] = [];
  const arn = (service: string, resource: string, resourceName: string, arnFormat = ArnFormat.SLASH_RESOURCE_NAME) => stack.formatArn({ service, resource, resourceName, arnFormat });
  const add = (actions: string[], resources: string[]) => statements.push(new iam.PolicyStatement({ actions, resources }));
  const star = (actions: string[], reason: string) => {
    add(actions, ['*']);
    wildcards.push({ resource: 'Resource::*', reason: `${actions.join(', ')}: ${reason}` });
  };
  const seen = new Set<string>();
  for (const task of tasks) {
    if (task.body.kind !== 'operator') continue;
    const op: OperatorIR = task.body.operator;
    const key = JSON.stringify(op);
    if (seen.has(key)) continue;
    seen.add(key);
    switch (op.kind) {
      case 'lambda_invoke': {
        const fn = isArn(op.functionName) ? op.functionName : arn('lambda', 'function', op.functionName, ArnFormat.COLON_RESOURCE_NAME);
        add(['lambda:InvokeFunction'], [fn, `${fn}:*`]);
        break;
      }
      case 'ecs_task': {
        const td = isArn(op.taskDefinition) ? op.taskDefinition : arn('ecs', 'task-definition', `${op.taskDefinition.split(':')[0]}:*`);
        add(['ecs:RunTask'], [td]);
        star(['ecs:StopTask', 'ecs:DescribeTasks'], 'task ARNs exist only once the run starts the task');
        statements.push(
          new iam.PolicyStatement({
            actions: ['iam:PassRole'],
            resources: ['*'],
            conditions: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          }),
        );
        wildcards.push({ resource: 'Resource::*', reason: `iam:PassRole: the task definition's roles are not known to Updraft; limited to ecs-tasks.amazonaws.com (task ${task.id})` });
        statements.push(syncRule(stack, 'StepFunctionsGetEventsForECSTaskRule'));
        break;
      }
      case 'batch_job':
        add(['batch:SubmitJob'], [
          isArn(op.jobQueue) ? op.jobQueue : arn('batch', 'job-queue', op.jobQueue),
          isArn(op.jobDefinition) ? op.jobDefinition : arn('batch', 'job-definition', `${op.jobDefinition.split(':')[0]}*`),
        ]);
        star(['batch:DescribeJobs', 'batch:TerminateJob'], 'job ids exist only once the run submits the job');
        statements.push(syncRule(stack, 'StepFunctionsGetEventsForBatchJobsRule'));
        break;
      case 'glue_job':
        add(['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'], [arn('glue', 'job', op.jobName)]);
        break;
      case 'athena_query': {
        add(['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'], [arn('athena', 'workgroup', op.workGroup ?? 'primary')]);
        const db = op.database ?? 'default';
        add(['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'], [
          stack.formatArn({ service: 'glue', resource: 'catalog', arnFormat: ArnFormat.NO_RESOURCE_NAME }),
          arn('glue', 'database', db),
          arn('glue', 'table', `${db}/*`),
        ]);
        wildcards.push({ resource: `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${db}/*`, reason: `an Athena query may read any table of database "${db}" (task ${task.id})` });
        if (op.outputLocation?.startsWith('s3://')) {
          const [bucket, ...rest] = op.outputLocation.slice(5).split('/');
          const prefix = rest.join('/');
          add(['s3:GetBucketLocation', 's3:ListBucket'], [`arn:${stack.partition}:s3:::${bucket}`]);
          add(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], [`arn:${stack.partition}:s3:::${bucket}/${prefix ? `${prefix.replace(/\/$/, '')}/` : ''}*`]);
        }
        break;
      }
      case 'http_request': {
        const connection = httpConnectionArn(op.connection);
        add(['events:RetrieveConnectionCredentials'], [connection]);
        add(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [arn('secretsmanager', 'secret', 'events!connection/*', ArnFormat.COLON_RESOURCE_NAME)]);
        wildcards.push({ resource: `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:events!connection/*`, reason: 'EventBridge connections keep their credentials in secrets named events!connection/<name>/<uuid>' });
        statements.push(new iam.PolicyStatement({ actions: ['states:InvokeHTTPEndpoint'], resources: [refs.stateMachineArnPattern] }));
        break;
      }
      case 'sns_publish':
        add(['sns:Publish'], [stack.formatArn({ service: 'sns', resource: op.topic, arnFormat: ArnFormat.NO_RESOURCE_NAME })]);
        break;
      case 'sqs_send':
        add(['sqs:SendMessage'], [stack.formatArn({ service: 'sqs', resource: op.queue, arnFormat: ArnFormat.NO_RESOURCE_NAME })]);
        break;
      case 'eventbridge_put':
        add(['events:PutEvents'], [isArn(op.eventBus) ? op.eventBus : arn('events', 'event-bus', op.eventBus)]);
        break;
      case 'trigger_dag': {
        add(['states:StartExecution'], [refs.stateMachineArn(op.dagId)]);
        if (op.wait) {
          const executions = refs.stateMachineArn(op.dagId).replace(':stateMachine:', ':execution:');
          add(['states:DescribeExecution', 'states:StopExecution'], [`${executions}:*`]);
          statements.push(syncRule(stack, 'StepFunctionsGetEventsForStepFunctionsExecutionRule'));
        }
        break;
      }
      default:
        return assertNever(op, 'operator');
    }
  }
  return { statements, wildcards };
}

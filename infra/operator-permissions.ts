/**
 * @module infra/operator-permissions
 * What a DAG's state machine role needs for its native operators, per service integration, as
 * the Step Functions developer guide's "IAM policies for …" page of that integration lists them
 * (checked page by page: lambda-iam, ecs-iam, batch-iam, glue-iam, athena-iam, sns-iam, sqs-iam,
 * eventbridge-iam, stepfunctions-iam, and the HTTP task's connection permissions): the call on
 * the resource the DAG names, plus, for `.sync` integrations, the describe/stop calls and the
 * managed EventBridge rule Step Functions uses to learn that the job finished.
 *
 * Where AWS only knows the resource at run time (a task id, an execution name, a revision),
 * the statement uses the narrowest wildcard the ARN format allows and returns it in `wildcards`
 * with the reason, so the DAG construct acknowledges exactly that resource to cdk-nag.
 */
import { Stack, ArnFormat } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { OperatorIR, TaskIR } from '../src/ir/types.ts';
import { ConfigError } from '../src/errors.ts';
import type { PlatformRefs } from './refs.ts';

export interface OperatorGrants {
  readonly statements: iam.PolicyStatement[];
  /** Resources (as written in the statements, tokens and all) that hold a wildcard, with why. */
  readonly wildcards: { readonly resource: string; readonly reason: string }[];
}

export interface OperatorGrantsContext {
  readonly refs: PlatformRefs;
  /** HTTP operators: connection id → EventBridge connection ARN. */
  httpConnectionArn(connection: string): string;
  /** Athena operators without `outputLocation`: the workgroup's query result location, when declared. */
  athenaResultLocation(workGroup: string): string | undefined;
}

const isArn = (s: string) => s.startsWith('arn:');

/** The Glue calls Athena makes for DDL and for reading table metadata (athena-iam, "Run a Job (.sync)"). */
export const ATHENA_GLUE_ACTIONS = [
  'glue:CreateDatabase',
  'glue:GetDatabase',
  'glue:GetDatabases',
  'glue:UpdateDatabase',
  'glue:DeleteDatabase',
  'glue:CreateTable',
  'glue:UpdateTable',
  'glue:GetTable',
  'glue:GetTables',
  'glue:DeleteTable',
  'glue:BatchDeleteTable',
  'glue:BatchCreatePartition',
  'glue:CreatePartition',
  'glue:UpdatePartition',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
  'glue:DeletePartition',
  'glue:BatchDeletePartition',
] as const;

/** `s3://bucket/prefix/` → bucket and key prefix (`''` or ending in `/`), or undefined when it is not an S3 URI. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) return undefined;
  const rest = m[2] ?? '';
  return { bucket: m[1]!, prefix: rest === '' ? '' : rest.endsWith('/') ? rest : `${rest}/` };
}

type Kind = OperatorIR['kind'];
type OperatorOf<K extends Kind> = Extract<OperatorIR, { kind: K }>;

/** The statements and acknowledged wildcards of one DAG's role, as they are added. */
class Grants implements OperatorGrants {
  readonly statements: iam.PolicyStatement[] = [];
  readonly wildcards: { resource: string; reason: string }[] = [];
  readonly stack: Stack;
  readonly dagId: string;
  readonly ctx: OperatorGrantsContext;
  constructor(stack: Stack, dagId: string, ctx: OperatorGrantsContext) {
    this.stack = stack;
    this.dagId = dagId;
    this.ctx = ctx;
  }

  arn(
    service: string,
    resource: string,
    resourceName: string,
    arnFormat = ArnFormat.SLASH_RESOURCE_NAME,
  ): string {
    return this.stack.formatArn({ service, resource, resourceName, arnFormat });
  }

  add(actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.statements.push(
      new iam.PolicyStatement({ actions, resources, ...(conditions && { conditions }) }),
    );
  }

  /** Acknowledges a wildcard resource to cdk-nag, with why it cannot be narrower. */
  wild(resource: string, reason: string): void {
    this.wildcards.push({ resource, reason });
  }

  /** Step Functions' managed rule for a `.sync` integration of this service. */
  syncRule(rule: string): void {
    this.add(
      ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      [this.stack.formatArn({ service: 'events', resource: 'rule', resourceName: rule })],
    );
  }

  /** `name:revision` exactly; a bare `name` (latest ACTIVE revision) as `name` and `name:*`. */
  revisioned(service: string, resource: string, value: string, task: string): string[] {
    if (isArn(value)) return [value];
    if (/:\d+$/.test(value)) return [this.arn(service, resource, value)];
    const any = this.arn(service, resource, `${value}:*`);
    this.wild(
      any,
      `${resource} "${value}" is named without a revision (task ${task} runs its latest ACTIVE one); the revision is known only when the run starts — pin "${value}:<revision>" to drop this wildcard`,
    );
    return [this.arn(service, resource, value), any];
  }
}

/** One grant per operator kind; each cites the developer guide page it follows. */
const GRANTS: { readonly [K in Kind]: (g: Grants, op: OperatorOf<K>, taskId: string) => void } = {
  // lambda-iam: InvokeFunction on the function as named (a qualified name is its own ARN).
  lambda_invoke: (g, op) =>
    g.add(
      ['lambda:InvokeFunction'],
      [
        isArn(op.functionName)
          ? op.functionName
          : g.arn('lambda', 'function', op.functionName, ArnFormat.COLON_RESOURCE_NAME),
      ],
    ),
  // ecs-iam, Run a Job (.sync): RunTask on the task definition; StopTask/DescribeTasks on the
  // task (its id exists only once the run starts it), here limited to tasks of the cluster.
  ecs_task: (g, op, taskId) => {
    g.add(['ecs:RunTask'], g.revisioned('ecs', 'task-definition', op.taskDefinition, taskId));
    const cluster = isArn(op.cluster)
      ? op.cluster.slice(op.cluster.indexOf(':cluster/') + ':cluster/'.length)
      : op.cluster;
    const tasksOfCluster = g.arn('ecs', 'task', `${cluster}/*`);
    g.add(['ecs:StopTask', 'ecs:DescribeTasks'], [tasksOfCluster]);
    g.wild(
      tasksOfCluster,
      `ECS task ids exist only once the run starts the task (task ${taskId}); limited to cluster "${cluster}"`,
    );
    g.add(['iam:PassRole'], ['*'], {
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    g.wild(
      '*',
      `iam:PassRole: the task definition's task and execution roles are not known to Updraft; passed to ecs-tasks.amazonaws.com only (task ${taskId})`,
    );
    g.syncRule('StepFunctionsGetEventsForECSTaskRule');
  },
  // batch-iam, Run a Job (.sync): SubmitJob on the queue and job definition; DescribeJobs
  // has no resource-level permissions and TerminateJob acts on a job id known only at run time.
  batch_job: (g, op, taskId) => {
    g.add(
      ['batch:SubmitJob'],
      [
        isArn(op.jobQueue) ? op.jobQueue : g.arn('batch', 'job-queue', op.jobQueue),
        ...g.revisioned('batch', 'job-definition', op.jobDefinition, taskId),
      ],
    );
    g.add(['batch:DescribeJobs', 'batch:TerminateJob'], ['*']);
    g.wild(
      '*',
      `batch:DescribeJobs accepts only "*", and batch:TerminateJob's job id exists only once the run submits it (task ${taskId})`,
    );
    g.syncRule('StepFunctionsGetEventsForBatchJobsRule');
  },
  // glue-iam, Run a Job (.sync).
  glue_job: (g, op) =>
    g.add(
      ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
      [g.arn('glue', 'job', op.jobName)],
    ),
  athena_query: athenaGrants,
  http_request: (g, op) => {
    g.add(['events:RetrieveConnectionCredentials'], [g.ctx.httpConnectionArn(op.connection)]);
    const secrets = g.arn(
      'secretsmanager',
      'secret',
      'events!connection/*',
      ArnFormat.COLON_RESOURCE_NAME,
    );
    g.add(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [secrets]);
    g.wild(
      secrets,
      'EventBridge connections keep their credentials in secrets named events!connection/<name>/<uuid>, the uuid chosen by EventBridge',
    );
    g.add(['states:InvokeHTTPEndpoint'], [g.ctx.refs.stateMachineArn(g.dagId)]);
  },
  sns_publish: (g, op) =>
    g.add(
      ['sns:Publish'],
      [
        g.stack.formatArn({
          service: 'sns',
          resource: op.topic,
          arnFormat: ArnFormat.NO_RESOURCE_NAME,
        }),
      ],
    ),
  sqs_send: (g, op) =>
    g.add(
      ['sqs:SendMessage'],
      [
        g.stack.formatArn({
          service: 'sqs',
          resource: op.queue,
          arnFormat: ArnFormat.NO_RESOURCE_NAME,
        }),
      ],
    ),
  eventbridge_put: (g, op) =>
    g.add(
      ['events:PutEvents'],
      [isArn(op.eventBus) ? op.eventBus : g.arn('events', 'event-bus', op.eventBus)],
    ),
  // stepfunctions-iam: StartExecution on the state machine; with .sync, Describe/Stop on its
  // executions (named at run time) and the managed rule.
  trigger_dag: (g, op, taskId) => {
    const machine = g.ctx.refs.stateMachineArn(op.dagId);
    g.add(['states:StartExecution'], [machine]);
    if (!op.wait) return;
    const executions = `${machine.replace(':stateMachine:', ':execution:')}:*`;
    g.add(['states:DescribeExecution', 'states:StopExecution'], [executions]);
    g.wild(
      executions,
      `executions of DAG "${op.dagId}" only; their names are made at run time (task ${taskId} waits for the run it started)`,
    );
    g.syncRule('StepFunctionsGetEventsForStepFunctionsExecutionRule');
  },
};

export function operatorGrants(
  scope: Construct,
  dagId: string,
  tasks: readonly TaskIR[],
  ctx: OperatorGrantsContext,
): OperatorGrants {
  const grants = new Grants(Stack.of(scope), dagId, ctx);
  const seen = new Set<string>();
  for (const task of tasks) {
    if (task.body.kind !== 'operator') continue;
    const op: OperatorIR = task.body.operator;
    const key = JSON.stringify(op);
    if (seen.has(key)) continue;
    seen.add(key);
    (GRANTS[op.kind] as (g: Grants, op: OperatorIR, taskId: string) => void)(grants, op, task.id);
  }
  return { statements: grants.statements, wildcards: grants.wildcards };
}

/**
 * athena-iam, Run a Job (.sync): the query calls on the workgroup and the data catalog; S3 on
 * the query result location (Athena writes results with the caller's credentials); the Glue
 * calls DDL makes (MSCK REPAIR TABLE creates partitions: glue:BatchCreatePartition); and
 * lakeformation:GetDataAccess for tables Lake Formation governs.
 */
function athenaGrants(g: Grants, op: OperatorOf<'athena_query'>, taskId: string): void {
  const { dagId, stack } = g;
  const workGroup = op.workGroup ?? 'primary';
  const location = op.outputLocation ?? g.ctx.athenaResultLocation(workGroup);
  if (location === undefined) {
    throw new ConfigError(
      `DAG "${dagId}" task "${taskId}": athenaQuery has no outputLocation, and the result location of workgroup "${workGroup}" is not declared; ` +
        `the state machine's role must be allowed to write the query results there. Either give the task outputLocation: 's3://<bucket>/<prefix>/', ` +
        `or declare the workgroup's location in cdk.json: "context": { "updraft:athenaResultLocations": { "${workGroup}": "s3://<bucket>/<prefix>/" } }`,
    );
  }
  const s3 = parseS3Uri(location);
  if (!s3)
    throw new ConfigError(
      `DAG "${dagId}" task "${taskId}": Athena result location ${JSON.stringify(location)} is not an S3 URI; write it as s3://<bucket>/<prefix>/`,
    );
  g.add(
    [
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetDataCatalog',
    ],
    [
      g.arn('athena', 'workgroup', workGroup),
      // The Glue Data Catalog as Athena names it; federated catalogs are not granted.
      g.arn('athena', 'datacatalog', 'AwsDataCatalog'),
    ],
  );
  const bucket = `arn:${stack.partition}:s3:::${s3.bucket}`;
  const results = `${bucket}/${s3.prefix}*`;
  g.add(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], [bucket]);
  g.add(
    ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
    [results],
  );
  g.wild(
    results,
    `Athena writes each query's results under ${location} with a name of its own (task ${taskId})`,
  );
  const db = op.database ?? 'default';
  const tables = g.arn('glue', 'table', `${db}/*`);
  const functions = g.arn('glue', 'userDefinedFunction', `${db}/*`);
  g.add(
    [...ATHENA_GLUE_ACTIONS],
    [
      stack.formatArn({
        service: 'glue',
        resource: 'catalog',
        arnFormat: ArnFormat.NO_RESOURCE_NAME,
      }),
      g.arn('glue', 'database', db),
      tables,
      functions,
    ],
  );
  g.wild(
    tables,
    `an Athena query and its DDL may use any table of database "${db}" (task ${taskId})`,
  );
  g.wild(
    functions,
    `an Athena query may call the user-defined functions of database "${db}" (task ${taskId})`,
  );
  g.add(['lakeformation:GetDataAccess'], ['*']);
  g.wild(
    '*',
    `lakeformation:GetDataAccess (Athena reading tables Lake Formation governs) accepts only "*" (task ${taskId})`,
  );
}

/**
 * Every native operator, every sensor kind, mapping, groups and triggerDag
 * (test/fixtures/every-operator) through the CDK app in dev, staging and prod: cdk-nag clean
 * with only narrow, justified acknowledgments, and each operator's IAM statements exactly as the
 * Step Functions developer guide's IAM page for that integration lists them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../src/loader/load-project.ts';
import type { DagIR } from '../../src/ir/types.ts';
import { ENVIRONMENTS, type Environment } from '../../src/runtime/env.ts';
import { buildUpdraftApp } from '../../infra/updraft-app.ts';
import { flattenCfnReference, nagReport } from '../../infra/nag.ts';
import { ATHENA_GLUE_ACTIONS } from '../../infra/operator-permissions.ts';

let irs: DagIR[];
let code: string;
const HTTP = { partner_api: 'arn:aws:events:eu-west-1:123456789012:connection/partner_api/abc' };

beforeAll(async () => {
  const loaded = await loadProject('dags', {
    root: path.resolve(import.meta.dirname, '../fixtures/every-operator'),
  });
  expect(loaded.problems).toEqual([]);
  irs = loaded.dags.map((d) => d.ir);
  code = mkdtempSync(path.join(tmpdir(), 'updraft-code-'));
  writeFileSync(path.join(code, 'index.mjs'), 'export const handler = async () => ({});\n');
});

function build(
  environment: Environment,
  dags: readonly DagIR[] = irs,
  athenaResultLocations?: Record<string, string>,
) {
  // CloudFormation's rules are checked on the examples' real synth (synth.test.ts).
  const app = new App({ builtinCloudFormationValidation: false });
  const result = buildUpdraftApp(app, {
    environment,
    dags: dags.map((ir) => ({ ir, codeDir: code })),
    platformCode: { launcher: code, recorder: code },
    httpConnections: HTTP,
    ...(athenaResultLocations && { athenaResultLocations }),
  });
  return { app, ...result };
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The state machine role's statements of one DAG, resources as cdk-nag prints them. */
function machineStatements(
  app: ReturnType<typeof build>,
  dagId: string,
): { Action: string | string[]; Resource: string[]; Condition?: unknown }[] {
  const stack = app.dagStacks.find((s) => s.node.tryFindChild(dagId))!;
  const prefix = `${dagId.replace(/[^A-Za-z0-9]/g, '')}StateMachineRole`;
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .map((s) => ({
      Action: s.Action,
      Resource: [s.Resource].flat().map((r) => flattenCfnReference(r)),
      ...(s.Condition !== undefined && { Condition: s.Condition }),
    }));
}

const acct = (service: string, rest: string) =>
  `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${rest}`;

describe('every operator, sensor, mapping, group and triggerDag', () => {
  it.each(ENVIRONMENTS)(
    'is cdk-nag clean in %s, each IAM5 acknowledgment naming the exact resource with its reason',
    (env) => {
      const { app } = build(env);
      expect(nagReport(app).lines).toEqual([]);
      for (const stack of app.node.findAll().filter((c): c is Stack => Stack.isStack(c))) {
        for (const c of stack.node.findAll()) {
          for (const m of c.node.metadata.filter((x) => x.type === 'aws:cdk:acknowledged-rules')) {
            for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
              // Never the whole rule: IAM5 only ever for one named finding.
              if (id.includes('AwsSolutions-IAM5'))
                expect(id, c.node.path).toMatch(/AwsSolutions-IAM5\[(Resource|Action)::.+\]$/);
              expect(reason.length, `${c.node.path} ${id}`).toBeGreaterThan(30);
            }
          }
        }
      }
    },
  );

  it('grants each operator exactly what its Step Functions integration needs (developer guide IAM pages)', () => {
    const statements = machineStatements(build('prod'), 'every_operator');
    const rule = (name: string) => ({
      Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      Resource: [acct('events', `rule/${name}`)],
    });
    expect(
      statements.filter(
        (s) =>
          ![s.Action].flat().some((a) => a.startsWith('logs:') || a.startsWith('xray:')) &&
          !String(s.Resource[0]).includes('TaskRunner'),
      ),
    ).toEqual([
      // lambda-iam: the function as named, no versions or aliases beyond it.
      { Action: 'lambda:InvokeFunction', Resource: [acct('lambda', 'function:orders-enricher')] },
      {
        Action: 'lambda:InvokeFunction',
        Resource: ['arn:aws:lambda:eu-west-1:123456789012:function:scorer'],
      },
      // ecs-iam (.sync): a pinned revision exactly; tasks of the cluster; the roles passed to ECS tasks only; the managed rule.
      { Action: 'ecs:RunTask', Resource: [acct('ecs', 'task-definition/transform:3')] },
      { Action: ['ecs:StopTask', 'ecs:DescribeTasks'], Resource: [acct('ecs', 'task/etl/*')] },
      {
        Action: 'iam:PassRole',
        Resource: ['*'],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      rule('StepFunctionsGetEventsForECSTaskRule'),
      // A family without revision runs its latest ACTIVE revision.
      {
        Action: 'ecs:RunTask',
        Resource: [acct('ecs', 'task-definition/export'), acct('ecs', 'task-definition/export:*')],
      },
      // batch-iam (.sync).
      {
        Action: 'batch:SubmitJob',
        Resource: [
          acct('batch', 'job-queue/etl-queue'),
          acct('batch', 'job-definition/nightly-job:2'),
        ],
      },
      { Action: ['batch:DescribeJobs', 'batch:TerminateJob'], Resource: ['*'] },
      rule('StepFunctionsGetEventsForBatchJobsRule'),
      // glue-iam (.sync).
      {
        Action: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
        Resource: [acct('glue', 'job/compact')],
      },
      // athena-iam (.sync): workgroup and catalog, the result location, Glue for DDL, Lake Formation.
      {
        Action: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetDataCatalog',
        ],
        Resource: [acct('athena', 'workgroup/etl'), acct('athena', 'datacatalog/AwsDataCatalog')],
      },
      {
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: ['arn:<AWS::Partition>:s3:::acme-athena-results'],
      },
      {
        Action: [
          's3:GetObject',
          's3:PutObject',
          's3:ListMultipartUploadParts',
          's3:AbortMultipartUpload',
        ],
        Resource: ['arn:<AWS::Partition>:s3:::acme-athena-results/updraft/*'],
      },
      {
        Action: [...ATHENA_GLUE_ACTIONS],
        Resource: [
          acct('glue', 'catalog'),
          acct('glue', 'database/analytics'),
          acct('glue', 'table/analytics/*'),
          acct('glue', 'userDefinedFunction/analytics/*'),
        ],
      },
      { Action: 'lakeformation:GetDataAccess', Resource: ['*'] },
      // HTTP task: the connection, its EventBridge-managed secret, InvokeHTTPEndpoint on this DAG's own machine.
      { Action: 'events:RetrieveConnectionCredentials', Resource: [HTTP.partner_api] },
      {
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: [acct('secretsmanager', 'secret:events!connection/*')],
      },
      {
        Action: 'states:InvokeHTTPEndpoint',
        Resource: [acct('states', 'stateMachine:updraft-prod-every_operator')],
      },
      // sns-iam, sqs-iam, eventbridge-iam.
      { Action: 'sns:Publish', Resource: [acct('sns', 'etl-events')] },
      { Action: 'sqs:SendMessage', Resource: [acct('sqs', 'etl-jobs')] },
      { Action: 'events:PutEvents', Resource: [acct('events', 'event-bus/etl-bus')] },
      // stepfunctions-iam: .sync:2 (wait) and fire-and-forget start the same machine.
      {
        Action: 'states:StartExecution',
        Resource: [acct('states', 'stateMachine:updraft-prod-child')],
      },
      {
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [acct('states', 'execution:updraft-prod-child:*')],
      },
      rule('StepFunctionsGetEventsForStepFunctionsExecutionRule'),
      // iam-policies-eg-dist-map: the mapped task over an output has a Distributed Map for a long
      // list, which starts this machine's own child executions and reads and writes the run's
      // objects (ItemReader, ResultWriter), under the run's prefix only.
      {
        Action: 'states:StartExecution',
        Resource: [acct('states', 'stateMachine:updraft-prod-every_operator')],
      },
      {
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [acct('states', 'execution:updraft-prod-every_operator/*')],
      },
      {
        Action: [
          's3:GetObject',
          's3:PutObject',
          's3:ListMultipartUploadParts',
          's3:AbortMultipartUpload',
        ],
        Resource: [
          'arn:<AWS::Partition>:s3:::updraft-prod-payloads-<AWS::AccountId>-<AWS::Region>/every_operator-????-??-??T*',
        ],
      },
    ]);
  });

  it('refuses an Athena query whose result location is unknown, naming the DAG, task and both fixes', () => {
    const athena = irs.find((d) => d.id === 'every_operator')!;
    const without: DagIR = {
      ...athena,
      tasks: athena.tasks.map((t) =>
        t.body.kind === 'operator' && t.body.operator.kind === 'athena_query'
          ? {
              ...t,
              body: {
                kind: 'operator',
                operator: { ...t.body.operator, outputLocation: undefined, workGroup: 'reports' },
              },
            }
          : t,
      ) as DagIR['tasks'],
    };
    expect(() => build('prod', [without, irs.find((d) => d.id === 'child')!])).toThrow(
      'DAG "every_operator" task "ops.athena": athenaQuery has no outputLocation, and the result location of workgroup "reports" is not declared; ' +
        "the state machine's role must be allowed to write the query results there. Either give the task outputLocation: 's3://<bucket>/<prefix>/', " +
        'or declare the workgroup\'s location in cdk.json: "context": { "updraft:athenaResultLocations": { "reports": "s3://<bucket>/<prefix>/" } }',
    );
    // Declared for the workgroup (cdk.json context): granted there.
    const statements = machineStatements(
      build('prod', [without, irs.find((d) => d.id === 'child')!], {
        reports: 's3://acme-reports/athena',
      }),
      'every_operator',
    );
    expect(statements).toContainEqual({
      Action: [
        's3:GetObject',
        's3:PutObject',
        's3:ListMultipartUploadParts',
        's3:AbortMultipartUpload',
      ],
      Resource: ['arn:<AWS::Partition>:s3:::acme-reports/athena/*'],
    });
    expect(statements).toContainEqual({
      Action: [
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetDataCatalog',
      ],
      Resource: [acct('athena', 'workgroup/reports'), acct('athena', 'datacatalog/AwsDataCatalog')],
    });
  });
});

/**
 * The CDK app's stacks, asserted property by property (Template.fromStack): table, bucket,
 * functions, the recorder's event rule, per-DAG state machines with their substitutions and log
 * settings, schedules, least-privilege roles per DAG, environments — and cdk-nag clean.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../src/loader/load-project.ts';
import type { DagIR } from '../../src/ir/types.ts';
import { parseEnvironment, type Environment } from '../../src/runtime/env.ts';
import { buildUpdraftApp, place } from '../../infra/updraft-app.ts';
import { nagReport } from '../../infra/nag.ts';
import { poolItemUpdate } from '../../src/store/table.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, notify, task } from '../../src/sdk/index.ts';
import { compileDag, type CompileResult } from '../../src/compiler/index.ts';
import { chain } from '../../bench/shapes.ts';

/** An ARN in the stack's partition, region and account, as CDK writes it: `arn:…:<service>:…:<tail>`. */
const regionalArn = (service: string, tail: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      tail,
    ],
  ],
});

const ATHENA_RESULTS = { primary: 's3://acme-athena-results/primary/' };
let irs: DagIR[];
let code: string;

beforeAll(async () => {
  const loaded = await loadProject('dags', {
    root: path.resolve(import.meta.dirname, '../fixtures/examples'),
  });
  irs = loaded.dags.map((d) => d.ir);
  const dir = mkdtempSync(path.join(tmpdir(), 'updraft-code-'));
  writeFileSync(path.join(dir, 'index.mjs'), 'export const handler = async () => ({});\n');
  code = dir;
});

const built = new Map<Environment, ReturnType<typeof buildApp>>();

/**
 * The example project's app in one environment, built once and shared by the tests that only read
 * its templates (a CDK app is ~1 s to build and synthesize); the cdk-nag test builds its own.
 */
function build(environment: Environment) {
  if (!built.has(environment)) built.set(environment, buildApp(environment));
  return built.get(environment)!;
}

function buildApp(environment: Environment, dags: readonly DagIR[] = irs) {
  // CloudFormation's rules are checked on the examples' real synth (synth.test.ts).
  const app = new App({ builtinCloudFormationValidation: false });
  // warehouse_refresh's Athena query names no outputLocation: its workgroup's location, as cdk.json declares it.
  const result = buildUpdraftApp(app, {
    environment,
    dags: dags.map((ir) => ({ ir, codeDir: code })),
    platformCode: { launcher: code, recorder: code },
    athenaResultLocations: ATHENA_RESULTS,
  });
  const templates = new Map<string, Template>();
  const dagTemplate = (dagId: string) => {
    if (!templates.has(dagId))
      templates.set(
        dagId,
        Template.fromStack(result.dagStacks.find((s) => s.node.tryFindChild(dagId))!),
      );
    return templates.get(dagId)!;
  };
  return { app, ...result, platformTemplate: Template.fromStack(result.platform), dagTemplate };
}

/** The resources of one DAG construct in its stack's template. */
function resourcesOf(
  template: Template,
  type: string,
  dagId: string,
): Record<string, { Properties: Record<string, unknown> }> {
  const all = template.findResources(type) as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
  return Object.fromEntries(
    Object.entries(all).filter(([id]) => id.startsWith(dagId.replace(/[^A-Za-z0-9]/g, ''))),
  );
}

describe('platform stack', () => {
  it("lets the recorder send the DAGs' notifications and keep their deadlines: the Slack connection's secret, one-time schedules in its own group, passing only the deadline role, which may only invoke the recorder", () => {
    const t = build('prod').platformTemplate;
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'updraft-prod-deadlines' });
    const recorderPolicy = Object.values(
      t.findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('^RecorderRoleDefaultPolicy') },
      }),
    )[0] as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } };
    const statements = recorderPolicy.Properties.PolicyDocument.Statement;
    const byAction = (action: string) =>
      statements.filter((s) => ([] as unknown[]).concat(s.Action).includes(action));
    expect(JSON.stringify(byAction('secretsmanager:GetSecretValue')[0]!.Resource)).toContain(
      'secret:updraft/prod/connections/slack_alerts-??????',
    );
    expect(byAction('scheduler:CreateSchedule')[0]).toMatchObject({
      Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
      Effect: 'Allow',
    });
    expect(JSON.stringify(byAction('scheduler:CreateSchedule')[0]!.Resource)).toContain(
      ':schedule/updraft-prod-deadlines/*',
    );
    expect(byAction('iam:PassRole')[0]).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'updraft-prod-deadline-checks',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^DeadlineRoleDefaultPolicy'),
      PolicyDocument: {
        Statement: [
          {
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Recorder'), 'Arn'] },
          },
        ],
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'updraft-prod-recorder',
      Environment: {
        Variables: Match.objectLike({
          UPDRAFT_DEADLINE_ROLE: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadlineRole'), 'Arn'] },
        }),
      },
    });
  });

  it('lets the launcher read an execution that already exists (the run queue records its real status), the recorder read history too', () => {
    const { platformTemplate } = build('dev');
    const policies = Object.entries(platformTemplate.findResources('AWS::IAM::Policy'));
    const actionsOf = (fn: string) =>
      policies
        .filter(([id]) => id.startsWith(fn))
        .flatMap(
          ([, p]) =>
            (
              p as {
                Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
              }
            ).Properties.PolicyDocument.Statement,
        )
        .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(actionsOf('Launcher')).toEqual(
      expect.arrayContaining([
        'states:StartExecution',
        'states:ListExecutions',
        'states:DescribeExecution',
      ]),
    );
    expect(actionsOf('Launcher')).not.toContain('states:GetExecutionHistory');
    expect(actionsOf('Recorder')).toEqual(
      expect.arrayContaining([
        'states:StartExecution',
        'states:DescribeExecution',
        'states:GetExecutionHistory',
      ]),
    );
    // A run's cost counts its parts' executions (compiler/parts): their history, nothing else.
    platformTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'states:GetExecutionHistory',
            Effect: 'Allow',
            Resource: regionalArn('states', ':execution:updraft-part-dev-*:*'),
          },
        ]),
      },
    });
  });

  it('keeps run metadata in one encrypted, point-in-time-recoverable table with TTL, protected in prod', () => {
    const { platformTemplate } = build('prod');
    platformTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'updraft-prod',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1' }),
        Match.objectLike({ IndexName: 'gsi2' }),
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
    platformTemplate.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    build('dev').platformTemplate.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
    });
  });

  it('stores payloads encrypted, TLS-only, private, expiring, with access logs', () => {
    const { platformTemplate } = build('prod');
    platformTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '',
          ['updraft-prod-payloads-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
        ],
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'payloads/' }),
    });
    platformTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('runs the launcher and recorder on nodejs24.x arm64 with their environment', () => {
    const { platformTemplate } = build('staging');
    platformTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'updraft-staging-launcher',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          UPDRAFT_ENV: 'staging',
          UPDRAFT_TABLE: 'updraft-staging',
          UPDRAFT_CATCHUP_LIMIT: '25',
          UPDRAFT_DATA_WINDOW_DAYS: '7',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    platformTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'updraft-staging-recorder',
      Environment: {
        Variables: Match.objectLike({ UPDRAFT_ALERTS_TOPIC: { Ref: Match.anyValue() } }),
      },
    });
  });

  it('sends the status changes of this environment’s state machines, and only those, to the recorder', () => {
    const { platformTemplate } = build('prod');
    platformTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [
            {
              prefix: regionalArn('states', ':stateMachine:updraft-prod-'),
            },
          ],
        },
      },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('alerts through an encrypted topic that CloudWatch may use; alarms only outside dev', () => {
    const prod = build('prod').platformTemplate;
    prod.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'updraft-prod-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    prod.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    expect(Object.keys(prod.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(3);
    expect(
      Object.keys(build('dev').platformTemplate.findResources('AWS::CloudWatch::Alarm')),
    ).toHaveLength(0);
  });

  it('lets EventBridge Scheduler invoke the launcher and nothing else', () => {
    const { platformTemplate } = build('prod');
    platformTemplate.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'updraft-prod',
    });
    platformTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });
});

describe('one construct per DAG', () => {
  it('deploys the compiled ASL with ARNs through DefinitionSubstitutions, logging ALL without execution data, traced', () => {
    const t = build('prod').dagTemplate('daily_orders');
    const machines = resourcesOf(t, 'AWS::StepFunctions::StateMachine', 'daily_orders');
    const [machine] = Object.values(machines);
    expect(machine!.Properties.StateMachineName).toBe('updraft-prod-daily_orders');
    expect(machine!.Properties.StateMachineType).toBe('STANDARD');
    expect(machine!.Properties.DefinitionSubstitutions).toEqual({
      TaskRunnerFunctionArn: {
        'Fn::GetAtt': [expect.stringMatching(/^dailyordersTaskRunnerFunction/), 'Arn'],
      },
      // Its pooled tasks take their slots in the run table (test/infra/pools.test.ts).
      RunTable: 'updraft-prod',
    });
    expect(String(machine!.Properties.DefinitionString)).toContain('${TaskRunnerFunctionArn}');
    expect(String(machine!.Properties.DefinitionString)).not.toMatch(/arn:aws:lambda/);
    expect(machine!.Properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [
        {
          CloudWatchLogsLogGroup: {
            LogGroupArn: {
              'Fn::GetAtt': [expect.stringMatching(/^dailyordersExecutionLogs/), 'Arn'],
            },
          },
        },
      ],
    });
    expect(machine!.Properties.TracingConfiguration).toEqual({ Enabled: true });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/states/updraft-prod-daily_orders',
      RetentionInDays: 90,
    });
  });

  it('never logs execution data, in any state machine of any environment', () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      for (const stack of build(env).dagStacks) {
        const machines = Template.fromStack(stack).findResources(
          'AWS::StepFunctions::StateMachine',
        );
        for (const m of Object.values(machines))
          expect(
            (m as { Properties: { LoggingConfiguration: { IncludeExecutionData: boolean } } })
              .Properties.LoggingConfiguration.IncludeExecutionData,
          ).toBe(false);
      }
    }
  });

  it('bundles task code into a nodejs24.x arm64 Lambda that knows its DAG, table, bucket and secret prefix', () => {
    const t = build('prod').dagTemplate('daily_orders');
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'updraft-prod-daily_orders',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 900,
      Environment: {
        Variables: {
          UPDRAFT_ENV: 'prod',
          UPDRAFT_DAG: 'daily_orders',
          UPDRAFT_TABLE: 'updraft-prod',
          UPDRAFT_BUCKET: {
            'Fn::Join': [
              '',
              ['updraft-prod-payloads-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
            ],
          },
          UPDRAFT_SECRET_PREFIX: 'updraft/prod/connections/',
          POWERTOOLS_SERVICE_NAME: 'daily_orders',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('schedules ticks to the launcher in the DAG’s timezone, off in dev, with the launch spec as input', () => {
    const prod = build('prod').dagTemplate('daily_orders');
    prod.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'daily_orders',
      GroupName: 'updraft-prod',
      ScheduleExpression: 'cron(0 2,3 * * ? *)', // 02:00 does not exist on the spring-forward day: Scheduler skips it, so 03:00 ticks too
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: regionalArn('lambda', ':function:updraft-prod-launcher'),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
      }),
    });
    const schedule = Object.values(prod.findResources('AWS::Scheduler::Schedule'))[0] as {
      Properties: { Target: { Input: unknown } };
    };
    const input = JSON.stringify(schedule.Properties.Target.Input);
    expect(input).toContain('\\"dagId\\":\\"daily_orders\\"');
    expect(input).toContain('\\"maxActiveRuns\\":1');
    expect(input).toContain('<aws.scheduler.scheduled-time>');
    build('dev').dagTemplate('daily_orders').hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'daily_orders',
      State: 'DISABLED',
    });
  });

  it('lets a DAG’s task role read only the secrets of the connections its tasks declare, and write only its own records', () => {
    const { dagTemplate } = build('prod');
    const policies = resourcesOf(
      dagTemplate('wait_for_export'),
      'AWS::IAM::Policy',
      'wait_for_export',
    );
    const statements = Object.values(policies).flatMap(
      (p) =>
        (
          p.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
          }
        ).Statement,
    );
    const secrets = statements.filter((s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(secrets).toHaveLength(1);
    expect(JSON.stringify(secrets[0]!.Resource)).toContain(
      'secret:updraft/prod/connections/partner_sftp-??????',
    );
    expect(JSON.stringify(secrets[0]!.Resource)).not.toContain('warehouse');
    const own = statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))!;
    expect(own.Condition).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': ['RUN#wait_for_export-????-??-??T*', 'DATASET#*'],
      },
    });
    // The external DAG sensor reads the other DAG's runs, read-only.
    const upstream = statements.find((s) =>
      JSON.stringify(s.Condition ?? '').includes('RUN#daily_orders-'),
    )!;
    expect(upstream.Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const dailyPolicies = resourcesOf(
      dagTemplate('daily_orders'),
      'AWS::IAM::Policy',
      'daily_orders',
    );
    expect(JSON.stringify(dailyPolicies)).toContain('connections/warehouse-??????');
    expect(JSON.stringify(dailyPolicies)).not.toContain('partner_sftp');
  });

  it("lets a DAG that notifies retry send from its task runner: the webhook connection's secret, the named topic, the alerts topic's ARN to name it by", () => {
    const notifying = dag(
      'retry_notes',
      {
        notify: [
          notify.webhook('ops_hook', { on: ['retry'] }),
          notify.sns({ on: ['retry'], topic: 'data-team' }),
        ],
      },
      () => void task('flaky', { retry: { attempts: 3, delay: '1m' } }, async () => 1)(),
    );
    const { dagTemplate } = buildApp('dev', [buildDagIR(notifying, 'dags/n.ts').ir]);
    const t = dagTemplate('retry_notes');
    const statements = Object.values(resourcesOf(t, 'AWS::IAM::Policy', 'retry_notes')).flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );
    const secrets = statements.filter((x) =>
      [x.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(secrets.map((x) => x.Resource))).toContain('connections/ops_hook-??????');
    const publish = statements.filter((x) => [x.Action].flat().includes('sns:Publish'));
    expect(JSON.stringify(publish.map((x) => x.Resource))).toContain(':data-team');
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'updraft-dev-retry_notes',
      Environment: { Variables: Match.objectLike({ UPDRAFT_ALERTS_TOPIC: Match.anyValue() }) },
    });
    // Only retry sends come from the task runner: a DAG without them gets none of this.
    expect(
      JSON.stringify(
        resourcesOf(build('prod').dagTemplate('daily_orders'), 'AWS::IAM::Policy', 'daily_orders'),
      ),
    ).not.toContain('slack_alerts');
  });

  it('grants a native Athena operator its workgroup and its own result location, and no task runner when no task runs code', () => {
    const t = build('prod').dagTemplate('warehouse_refresh');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'athena:StartQueryExecution',
              'athena:StopQueryExecution',
              'athena:GetQueryExecution',
              'athena:GetDataCatalog',
            ],
          }),
          Match.objectLike({
            Action: [
              's3:GetObject',
              's3:PutObject',
              's3:ListMultipartUploadParts',
              's3:AbortMultipartUpload',
            ],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':s3:::analytics-athena-results/warehouse_refresh/*',
                ],
              ],
            },
          }),
        ]),
      },
    });
  });
});

describe('environments and scale', () => {
  it('refuses an unknown environment with the allowed ones', () => {
    expect(() => parseEnvironment('qa')).toThrow(
      '-c env is "qa": use one of dev, staging, prod (for example -c env=dev)',
    );
  });

  it('names and tags everything with the environment', () => {
    const { platform, dagStacks } = build('staging');
    expect(platform.stackName).toBe('Updraft-staging-Platform');
    expect(dagStacks.map((s) => s.stackName)).toEqual(['Updraft-staging-Dags-1']);
    Template.fromStack(platform).hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([{ Key: 'updraft:env', Value: 'staging' }]),
    });
  });

  it('keeps a DAG in the stack it was deployed in when others are added', () => {
    const cost = { resources: 11, bytes: 20_000 };
    const costs = new Map(['a', 'b', 'c', 'd'].map((id) => [id, cost]));
    const first = place(['b', 'c', 'd'], costs, {}, { resources: 25, templateBytes: 1e6 });
    expect(first).toEqual({ b: 1, c: 1, d: 2 });
    const second = place(['a', 'b', 'c', 'd'], costs, first, { resources: 25, templateBytes: 1e6 });
    expect(second).toEqual({ a: 2, b: 1, c: 1, d: 2 });
  });

  it('is cdk-nag clean in every environment, every suppression with a reason', () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const { app } = buildApp(env);
      expect(nagReport(app).lines, env).toEqual([]);
      for (const stack of app.node.findAll().filter((c): c is Stack => Stack.isStack(c))) {
        for (const c of stack.node.findAll()) {
          for (const m of c.node.metadata.filter((x) => x.type === 'aws:cdk:acknowledged-rules')) {
            for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
              expect(id).toMatch(/^(\w+::)?AwsSolutions-[A-Z]+\d+/);
              expect(reason.length, `${c.node.path} ${id}`).toBeGreaterThan(30);
            }
          }
        }
      }
    }
  });
});

describe('a DAG cut into parts (compiler/parts)', () => {
  /** One DAG in its own app, compiled as given (cut into parts, or large). */
  function single(ir: DagIR, compiled: CompileResult) {
    const app = new App({ builtinCloudFormationValidation: false });
    const result = buildUpdraftApp(app, {
      environment: 'prod',
      dags: [{ ir, codeDir: code, compiled }],
      platformCode: { launcher: code, recorder: code },
    });
    return { app, template: Template.fromStack(result.dagStacks[0]!) };
  }
  const line = () => {
    const { ir } = buildDagIR(
      dag('cut', {}, () => {
        let prev = task('a', async () => 1)();
        for (const id of ['b', 'c', 'd', 'e']) prev = prev.then(task(id, async () => 1));
      }),
      'cut.ts',
    );
    return ir;
  };

  it('deploys each part as a state machine outside the recorder’s prefix; the parent starts exactly its parts and waits for them', () => {
    const ir = line();
    const { app, template } = single(ir, compileDag(ir, { maxPartTasks: 2 }));
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(
      Object.values(machines)
        .map((m) => m.Properties.StateMachineName)
        .sort(),
    ).toEqual(['updraft-part-prod-cut-p1', 'updraft-part-prod-cut-p2', 'updraft-prod-cut']);
    const [parentId, parent] = Object.entries(machines).find(
      ([, m]) => m.Properties.StateMachineName === 'updraft-prod-cut',
    )!;
    const partIds = Object.entries(machines)
      .filter(([id]) => id !== parentId)
      .map(([id]) => id)
      .sort();
    expect(Object.keys(parent.Properties.DefinitionSubstitutions).sort()).toEqual([
      'Part_p1',
      'Part_p2',
      'TaskRunnerFunctionArn',
    ]);
    expect(parent.Properties.DefinitionSubstitutions.Part_p1).toEqual({ Ref: partIds[0] });
    const parentRole = parent.Properties.RoleArn['Fn::GetAtt'][0];
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === parentRole),
    )!;
    const statements = policy.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    expect(statements.find((st) => st.Action === 'states:StartExecution')!.Resource).toEqual(
      partIds.map((id) => ({ Ref: id })),
    );
    expect(
      statements.find(
        (st) => Array.isArray(st.Action) && st.Action.includes('states:DescribeExecution'),
      ),
    ).toBeDefined();
    expect(nagReport(app).lines).toEqual([]);
  });

  it('deploys a large definition from S3 rather than inline (a template is at most 1 MB)', () => {
    const { ir } = buildDagIR(chain('long', 450), 'long.ts');
    const compiled = compileDag(ir);
    expect(JSON.stringify(compiled.definition).length).toBeGreaterThan(200_000);
    const { template } = single(ir, compiled);
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine!.Properties.DefinitionS3Location).toBeDefined();
    expect(machine!.Properties.DefinitionString).toBeUndefined();
    expect(Object.keys(machine!.Properties.DefinitionSubstitutions)).toEqual([
      'TaskRunnerFunctionArn',
    ]);
  });
});

describe('pools (infra/pools)', () => {
  it("creates each pool's item once at deploy, after the table, with the idempotent UpdateItem of store/table", () => {
    const t = build('prod').platformTemplate;
    const tables = Object.keys(t.findResources('AWS::DynamoDB::GlobalTable'));
    const items = Object.values(
      t.findResources('Custom::AWS') as Record<
        string,
        { Properties: { Create: string; Update: string }; DependsOn?: string[] }
      >,
    );
    // daily_orders' extract and load use the one pool of the examples.
    expect(items).toHaveLength(1);
    expect(JSON.parse(items[0]!.Properties.Create)).toEqual({
      service: 'DynamoDB',
      action: 'updateItem',
      parameters: poolItemUpdate('updraft-prod', 'warehouse', 4),
      physicalResourceId: { id: 'updraft-pool-warehouse' },
    });
    expect(items[0]!.Properties.Update).toBe(items[0]!.Properties.Create);
    expect(items[0]!.DependsOn).toEqual(expect.arrayContaining(tables));
    // Its provider may write the pools' items and nothing else.
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'dynamodb:UpdateItem',
            Condition: {
              'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['POOL#warehouse'] },
            },
          }),
        ],
      },
    });
  });

  it("lets a pooled DAG's state machine update its pools' items only, and the recorder release them", () => {
    const { dagTemplate, platformTemplate } = build('prod');
    const machinePolicy = (dagId: string) =>
      Object.entries(resourcesOf(dagTemplate(dagId), 'AWS::IAM::Policy', dagId)).find(([id]) =>
        id.includes('StateMachineRole'),
      )![1].Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(
      machinePolicy('daily_orders').Statement.filter((s) => String(s.Action).includes('dynamodb')),
    ).toEqual([
      {
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['POOL#warehouse'] } },
        Effect: 'Allow',
        Resource: expect.anything(),
      },
    ]);
    expect(JSON.stringify(machinePolicy('ingest_crm'))).not.toContain('dynamodb:');
    const recorder = Object.entries(
      platformTemplate.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { PolicyDocument: unknown } }
      >,
    ).find(([id]) => /^Recorder.*Policy/.test(id))![1];
    const actions = JSON.stringify(recorder.Properties.PolicyDocument);
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'])
      expect(actions).toContain(action);
  });
});

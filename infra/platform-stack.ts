/**
 * @module infra/platform-stack
 * What every DAG of an environment shares: the run-metadata table, the payload bucket (and its
 * access-log bucket), the launcher (schedule ticks → executions) and the recorder (execution
 * status events → run records, alerts), the schedule group and the role Scheduler uses, the
 * alerts topic, a dead-letter queue for events and ticks that could not be delivered, a
 * dashboard and alarms. Everything has a fixed name from `runtime/env`, so DAG stacks refer to
 * it by name and ARN, never through CloudFormation exports: a DAG stack can be added, moved or
 * deleted without touching this one.
 */
import { ArnFormat, Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV, names, type Environment } from '../src/runtime/env.ts';
import { TABLE_SCHEMA } from '../src/store/table.ts';
import { platformRefs, type PlatformRefs } from './refs.ts';
import { updraftFunction } from './function.ts';
import { suppress } from './nag.ts';
import { addNotificationAccess, needsAny, type NotificationNeeds } from './notifications.ts';
import { addPoolItems } from './pools.ts';
import type { PoolIR } from '../src/ir/types.ts';
import type { EnvironmentSettings } from './settings.ts';

export interface PlatformStackProps extends StackProps {
  readonly environment: Environment;
  readonly settings: EnvironmentSettings;
  /** Bundled launcher and recorder (folders with `index.mjs`). */
  readonly code: { readonly launcher: lambda.Code; readonly recorder: lambda.Code };
  /** What the DAGs' notifications and deadlines reach (infra/notifications). */
  readonly notifications?: NotificationNeeds;
  /** The pools the DAGs use: each gets its item in the table at deploy (infra/pools). @default none */
  readonly pools?: readonly PoolIR[];
}

export class PlatformStack extends Stack {
  readonly refs: PlatformRefs;
  readonly table: dynamodb.TableV2;
  readonly payloads: s3.Bucket;
  readonly alerts: sns.Topic;
  readonly launcher: lambda.Function;
  readonly recorder: lambda.Function;
  readonly deadLetters: sqs.Queue;
  readonly updraftEnv: Environment;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    // Access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL (which
    // would forbid BucketOwnerEnforced object ownership).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { environment: env, settings } = props;
    this.updraftEnv = env;
    this.refs = platformRefs(this, env);

    this.table = this.createTable(env, settings);
    addPoolItems(this, this.table, this.refs, props.pools ?? []);
    this.payloads = this.createPayloadBucket(settings);
    this.alerts = this.createAlertsTopic(env, settings);
    this.deadLetters = this.createDeadLetterQueue(env);
    // Both are small and quick: a tick or an event is a few DynamoDB and Step Functions calls.
    // Scheduler and EventBridge invoke both asynchronously: their retry policies and DLQs cover
    // delivery only, so an invocation that fails after Lambda's retries goes to the same queue.
    const onFailure = new destinations.SqsDestination(this.deadLetters);
    const platformFunction = (
      id: string,
      functionName: string,
      description: string,
      code: lambda.Code,
      environment: Record<string, string>,
    ) =>
      updraftFunction(this, id, {
        functionName,
        description: `Updraft ${env}: ${description}`,
        code,
        settings,
        memorySize: 256,
        timeout: Duration.minutes(1),
        onFailure,
        environment: { [ENV.environment]: env, [ENV.table]: names.table(env), ...environment },
      });
    this.launcher = platformFunction(
      'Launcher',
      names.launcherFunction(env),
      'schedule ticks -> DAG runs (catchup, maxActiveRuns, deterministic names)',
      props.code.launcher,
      {
        [ENV.catchupLimit]: String(settings.catchupLimit),
        ...(settings.dataWindowDays !== undefined && {
          [ENV.dataWindowDays]: String(settings.dataWindowDays),
        }),
      },
    );
    this.recorder = platformFunction(
      'Recorder',
      names.recorderFunction(env),
      'execution status events -> run records, alerts',
      props.code.recorder,
      { [ENV.alertsTopic]: this.alerts.topicArn },
    );
    this.grantPlatform();
    if (props.notifications && needsAny(props.notifications))
      addNotificationAccess(this, this.recorder, props.notifications, this.refs, env);

    this.routeExecutionEvents(env);
    this.allowSchedulerToLaunch(env);
    if (settings.alarms) this.addAlarms(env);
    this.addDashboard(env);
  }

  /** The single table of run metadata (store/table.ts draws its key layout). */
  private createTable(
    env: Environment,
    settings: PlatformStackProps['settings'],
  ): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, 'Table', {
      tableName: names.table(env),
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((i) => ({
        indexName: i.indexName,
        partitionKey: { name: i.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: i.sortKey, type: dynamodb.AttributeType.STRING },
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });
  }

  /** Big task outputs by reference, with its own access-log bucket. */
  private createPayloadBucket(settings: PlatformStackProps['settings']): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: settings.accessLogRetention }],
      removalPolicy: settings.removalPolicy,
    });
    return new s3.Bucket(this, 'Payloads', {
      bucketName: this.refs.bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'payloads/',
      lifecycleRules: [
        {
          expiration: settings.payloadRetention,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: settings.removalPolicy,
    });
  }

  private createAlertsTopic(env: Environment, settings: PlatformStackProps['settings']): sns.Topic {
    // CloudWatch alarms can publish only to topics whose key lets cloudwatch.amazonaws.com use it:
    // the AWS-managed SNS key does not, so the topic has a key of its own.
    const key = new kms.Key(this, 'AlertsKey', {
      alias: `alias/${names.alertsTopic(env)}`,
      enableKeyRotation: true,
      removalPolicy: settings.removalPolicy,
      description: `Encrypts Updraft ${env} alerts`,
    });
    key.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    const topic = new sns.Topic(this, 'Alerts', {
      topicName: names.alertsTopic(env),
      masterKey: key,
      enforceSSL: true,
      displayName: `Updraft ${env} alerts`,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one (that let
    // the account's services publish): CloudWatch would be denied. Allow it for this account's
    // Updraft alarms only (all named updraft-<env>-…, in the platform and the DAG stacks). The
    // recorder publishes with its role (same account: its identity policy is enough). No
    // EventBridge rule targets this topic; one that does needs its own statement here.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${names.prefix(env)}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    return topic;
  }

  private createDeadLetterQueue(env: Environment): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetters', {
      queueName: names.deadLetters(env),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Where `updraft doctor --target aws` (and a person) finds it; the name is also names.deadLetters(env).
    new CfnOutput(this, 'DeadLettersQueueUrl', {
      value: queue.queueUrl,
      description:
        'Undelivered ticks and status events, failed launcher/recorder invocations (updraft doctor --target aws lists and replays them)',
    });
    new CfnOutput(this, 'DeadLettersQueueArn', { value: queue.queueArn });
    return queue;
  }

  private routeExecutionEvents(env: Environment): void {
    // The recorder hears every execution of this environment's state machines (and only those).
    new events.Rule(this, 'ExecutionStatus', {
      ruleName: `${names.prefix(env)}-execution-status`,
      description: `Updraft ${env}: Step Functions execution status changes -> recorder`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ prefix: this.refs.stateMachineArnPrefix }] },
      },
      targets: [
        new targets.LambdaFunction(this.recorder, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }

  /** EventBridge Scheduler's role: invoke the launcher, send undelivered ticks to the dead letters. */
  private allowSchedulerToLaunch(env: Environment): void {
    new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', { name: names.scheduleGroup(env) });
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      roleName: this.refs.schedulerRoleName,
      description: `EventBridge Scheduler invokes the Updraft ${env} launcher`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.launcher.grantInvoke(schedulerRole);
    this.deadLetters.grantSendMessages(schedulerRole);
    suppress(schedulerRole, [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [
          `Resource::<${this.getLogicalId(this.launcher.node.defaultChild as lambda.CfnFunction)}.Arn>:*`,
        ],
        reason:
          'invoking the launcher includes its versions and aliases (lambda:InvokeFunction on <arn>:*)',
      },
    ]);
    suppress(this.deadLetters, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'this queue is the dead-letter queue of the recorder rule, of every schedule and of the launcher and recorder invocations; it has no queue behind it',
      },
    ]);
  }

  /** Each function may touch what its job needs, nothing else. */
  private grantPlatform(): void {
    const { refs } = this;
    for (const fn of [this.launcher, this.recorder]) {
      this.table.grantReadWriteData(fn);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution', 'states:ListExecutions'],
          resources: [refs.stateMachineArnPattern],
        }),
      );
    }
    // Both start queued runs (runtime/run-queue), which reads an execution that already exists.
    this.launcher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [refs.executionArnPattern],
      }),
    );
    this.recorder.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [refs.executionArnPattern],
      }),
    );
    // A run's cost counts the executions of its parts (compiler/parts): their history only.
    this.recorder.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:GetExecutionHistory'],
        resources: [refs.partExecutionArnPattern],
      }),
    );
    this.alerts.grantPublish(this.recorder);
    const table = `Resource::<${this.getLogicalId(this.table.node.defaultChild as dynamodb.CfnGlobalTable)}.Arn>/index/*`;
    const common = [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts only "*" as resource',
      },
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [table],
        reason: 'queries by DAG (gsi1) and of active runs (gsi2) read the table’s indexes',
      },
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [
          `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${names.stateMachinePrefix(this.updraftEnv)}*`,
        ],
        reason:
          'starts runs of this environment’s DAGs, whose state machines are deployed in other stacks and all named updraft-<env>-<dag>',
      },
    ];
    const executions = `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${names.stateMachinePrefix(this.updraftEnv)}*:*`;
    suppress(this.launcher.role!, [
      ...common,
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [executions],
        reason:
          'reads the status of an execution of this environment’s DAGs that already exists when it starts a run',
      },
    ]);
    suppress(this.recorder.role!, [
      ...common,
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [
          `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:updraft-part-${this.updraftEnv}-*:*`,
        ],
        reason:
          'reads the history of the executions of this environment’s DAG parts, whose names are made at run time, to count a run’s transitions',
      },
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [executions],
        reason: 'reads the status and history of executions of this environment’s DAGs only',
      },
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Action::kms:GenerateDataKey*'],
        reason:
          'publishing to the encrypted alerts topic needs a data key from its KMS key (that key only)',
      },
    ]);
  }

  private addAlarms(env: Environment): void {
    const action = new actions.SnsAction(this.alerts);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, `${id}Alarm`, {
        alarmName: `${names.prefix(env)}-${id.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}`,
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    alarm(
      'LauncherErrors',
      this.launcher.metricErrors({ period: Duration.minutes(5) }),
      'The launcher failed: scheduled runs may not have started',
    );
    alarm(
      'RecorderErrors',
      this.recorder.metricErrors({ period: Duration.minutes(5) }),
      'The recorder failed: run records may be stale',
    );
    alarm(
      'DeadLetters',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      `Ticks or status events were not delivered, or the launcher or recorder failed on one: npx updraft doctor --target aws --env ${env} lists and replays them`,
    );
  }

  private addDashboard(env: Environment): void {
    // SEARCH finds every state machine of the environment, including DAGs deployed later.
    const executions = (metric: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{AWS/States,StateMachineArn} MetricName="${metric}" ${names.stateMachinePrefix(env)}', 'Sum', 3600)`,
        label,
        usingMetrics: {},
        period: Duration.hours(1),
      });
    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: names.dashboard(env),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Runs succeeded per DAG',
            left: [executions('ExecutionsSucceeded', '')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Runs failed or timed out per DAG',
            left: [executions('ExecutionsFailed', ''), executions('ExecutionsTimedOut', '')],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Launcher and recorder errors',
            left: [this.launcher.metricErrors(), this.recorder.metricErrors()],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Undelivered ticks and events',
            left: [this.deadLetters.metricApproximateNumberOfMessagesVisible()],
            width: 12,
          }),
        ],
      ],
    });
  }
}

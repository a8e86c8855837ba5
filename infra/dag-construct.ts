/**
 * @module infra/dag-construct
 * One DAG on AWS: its state machine (the compiled ASL, ARNs filled in through
 * DefinitionSubstitutions), its task Lambda (only when a task runs code), its schedule (an
 * EventBridge Scheduler tick to the launcher, in the DAG's timezone) and alarms — with roles that
 * can touch this DAG's records, objects and declared connections only.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Annotations, ArnFormat, Aws, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { timeScheduleOf, type DagIR, type TaskIR } from '../src/ir/types.ts';
import {
  LIMITS,
  parsePlaceholder,
  placeholdersIn,
  PLACEHOLDERS,
  type CompileResult,
} from '../src/compiler/index.ts';
import { ConfigError } from '../src/errors.ts';
import { awsScheduleOf } from '../src/schedule/index.ts';
import { ENV, names, type Environment } from '../src/runtime/env.ts';
import { launchSpecOf } from '../src/runtime/launch.ts';
import { updraftFunction } from './function.ts';
import { operatorGrants } from './operator-permissions.ts';
import { poolGrant } from './pools.ts';
import { payloadBucketName, type PlatformRefs } from './refs.ts';
import type { EnvironmentSettings } from './settings.ts';
import { flattenCfnReference, suppress } from './nag.ts';
import { grantSends, notificationNeeds } from './notifications.ts';

export interface UpdraftDagProps {
  readonly environment: Environment;
  readonly settings: EnvironmentSettings;
  readonly refs: PlatformRefs;
  readonly ir: DagIR;
  readonly compiled: CompileResult;
  /** The task runner bundle of the DAG's file; required when a task runs code. */
  readonly code?: lambda.Code;
  /** HTTP operators: connection id → EventBridge connection ARN. */
  readonly httpConnections?: Readonly<Record<string, string>>;
  /** Athena operators without `outputLocation`: workgroup → its query result location (`s3://bucket/prefix/`). */
  readonly athenaResultLocations?: Readonly<Record<string, string>>;
}

/**
 * A definition larger than this is deployed from S3 (DefinitionS3Location, as a CDK asset) rather
 * than inline: a stack's template is at most 1 MB, and a DAG cut into parts carries several
 * definitions of up to 1 MiB each. Smaller ones stay inline, readable in the template.
 */
export const INLINE_DEFINITION_BYTES = 200_000;

/** A definition inline (minified: it is the bulk of a DAG's template), or from S3 when large. */
function definitionBody(definition: string): sfn.DefinitionBody {
  if (definition.length <= INLINE_DEFINITION_BYTES)
    return sfn.DefinitionBody.fromString(definition);
  const file = path.join(
    mkdtempSync(path.join(tmpdir(), 'updraft-definition-')),
    'definition.asl.json',
  );
  writeFileSync(file, definition);
  return sfn.DefinitionBody.fromFile(file);
}

export class UpdraftDag extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The DAG's parts (compiler/parts), in id order: child state machines its runs start. */
  readonly parts: sfn.StateMachine[];
  readonly taskFunction?: lambda.Function;
  readonly schedule?: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: UpdraftDagProps) {
    super(scope, id);
    const { environment: env, settings, refs, ir, compiled } = props;
    Tags.of(this).add('updraft:dag', ir.id);
    const substitutions: Record<string, string> = {};

    const runnerTasks = ir.tasks.filter(
      (t) =>
        t.body.kind !== 'operator' &&
        !(t.body.kind === 'sensor' && t.body.sensor.check.kind === 'time'),
    );
    if (compiled.manifest.substitutions.includes(PLACEHOLDERS.taskRunner)) {
      if (!props.code)
        throw new ConfigError(
          `DAG "${ir.id}" has tasks that run code but no task runner bundle was given`,
        );
      this.taskFunction = this.addTaskFunction(props, runnerTasks);
      substitutions[PLACEHOLDERS.taskRunner] = this.taskFunction.functionArn;
    }
    for (const name of compiled.manifest.substitutions) {
      const p = parsePlaceholder(name);
      if (p.kind === 'region') substitutions[name] = Aws.REGION;
      else if (p.kind === 'account') substitutions[name] = Aws.ACCOUNT_ID;
      else if (p.kind === 'stateMachine')
        substitutions[name] = refs.stateMachineArn(triggeredDag(ir, name));
      else if (p.kind === 'connection') substitutions[name] = httpConnection(props, p.connection);
      else if (p.kind === 'runTable') substitutions[name] = refs.tableName;
      else if (p.kind === 'payloadBucket') substitutions[name] = refs.bucketName;
    }

    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: names.stateMachineLogGroup(env, ir.id),
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    const machine = (id: string, name: string, definition: string, comment: string) =>
      new sfn.StateMachine(this, id, {
        stateMachineName: name,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: definitionBody(definition),
        definitionSubstitutions: { ...substitutions },
        // ALL events for the run history, never the data: task outputs and params stay out of logs.
        logs: { destination: executionLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
        comment,
      });
    // Parts (compiler/parts) before what starts them: a part starts only parts of higher ids.
    this.parts = [];
    for (const part of [...compiled.parts].reverse()) {
      const m = machine(
        `Part${part.id}`,
        names.partStateMachine(env, ir.id, part.id),
        part.minified,
        `Updraft DAG ${ir.id} (${env}), part ${part.id}`,
      );
      this.grantMachine(m, props, part.definition, names.partStateMachine(env, ir.id, part.id));
      substitutions[PLACEHOLDERS.part(part.id)] = m.stateMachineArn;
      this.parts.unshift(m);
    }
    this.stateMachine = machine(
      'StateMachine',
      names.stateMachine(env, ir.id),
      JSON.stringify(compiled.definition),
      `Updraft DAG ${ir.id} (${env})`,
    );
    this.grantMachine(
      this.stateMachine,
      props,
      compiled.definition,
      names.stateMachine(env, ir.id),
    );

    this.schedule = this.addSchedule(props);
    if (settings.alarms) this.addAlarms(props);
  }

  /**
   * What a state machine of the DAG may do: invoke its task runner, the services its operators
   * call, its pools' slots, and start the parts its definition starts (and wait for them).
   */
  private grantMachine(
    machine: sfn.StateMachine,
    props: UpdraftDagProps,
    definition: CompileResult['definition'],
    machineName: string,
  ): void {
    const { refs, ir } = props;
    this.taskFunction?.grantInvoke(machine);
    const grants = operatorGrants(machine, ir.id, ir.tasks, {
      refs,
      httpConnectionArn: (c) => httpConnection(props, c),
      athenaResultLocation: (workGroup) => props.athenaResultLocations?.[workGroup],
    });
    for (const s of grants.statements) machine.addToRolePolicy(s);
    const pools = poolGrant(refs, ir);
    if (pools) machine.addToRolePolicy(pools);
    const started = placeholdersIn(JSON.stringify(definition)).flatMap((name) => {
      const p = parsePlaceholder(name);
      return p.kind === 'part' ? [this.parts.find((m) => m.node.id === `Part${p.part}`)!] : [];
    });
    const stack = Stack.of(this);
    const partWildcards: { resource: string; reason: string }[] = [];
    if (started.length > 0) {
      // stepfunctions-iam (.sync): StartExecution on the part, Describe/Stop on its executions
      // (named at run time), and the managed rule that reports their end.
      machine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: started.map((m) => m.stateMachineArn),
        }),
      );
      const executions = started.map((m) =>
        stack.formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${names.partStateMachine(props.environment, ir.id, m.node.id.slice('Part'.length))}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      );
      machine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: executions,
        }),
      );
      for (const e of executions)
        partWildcards.push({
          resource: e,
          reason: `executions of a part of DAG "${ir.id}" only; their names are made at run time from the run's`,
        });
      machine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [
            stack.formatArn({
              service: 'events',
              resource: 'rule',
              resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
            }),
          ],
        }),
      );
    }
    partWildcards.push(...this.grantDistributedMaps(machine, props, definition, machineName));
    // One acknowledgment per wildcard resource, exactly as cdk-nag prints it, with every reason for it.
    const reasons = new Map<string, string[]>([
      [
        'Resource::*',
        [
          'Step Functions log delivery (logs:CreateLogDelivery, …) and X-Ray tracing accept only "*" as resource',
        ],
      ],
    ]);
    for (const w of [...grants.wildcards, ...partWildcards]) {
      const part = `Resource::${flattenCfnReference(stack.resolve(w.resource))}`;
      reasons.set(part, [...(reasons.get(part) ?? []), w.reason]);
    }
    if (this.taskFunction)
      reasons.set(
        `Resource::<${stack.getLogicalId(this.taskFunction.node.defaultChild as lambda.CfnFunction)}.Arn>:*`,
        ['invoking the task runner includes its versions and aliases'],
      );
    suppress(
      machine.role,
      [...reasons].map(([part, why]) => ({
        id: 'AwsSolutions-IAM5',
        appliesTo: [part],
        reason: [...new Set(why)].join('; '),
      })),
    );
  }

  /**
   * A machine with Distributed Maps (compiler/states/distributed) starts its own child executions
   * (StartExecution on itself, by name: its ARN would be a circular reference), describes and
   * stops them, reads the list a task put in the payload bucket (ItemReader) and writes the Map
   * Run's results there (ResultWriter), under the run's prefix only. Returns the wildcards to acknowledge.
   */
  private grantDistributedMaps(
    machine: sfn.StateMachine,
    props: UpdraftDagProps,
    definition: CompileResult['definition'],
    machineName: string,
  ): { resource: string; reason: string }[] {
    if (!hasDistributedMap(definition)) return [];
    const { refs, ir } = props;
    const stack = Stack.of(this);
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'stateMachine',
            resourceName: machineName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const children = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${machineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [children],
      }),
    );
    const objects = `${refs.bucketArn}/${ir.id}-????-??-??T*`;
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          's3:GetObject',
          's3:PutObject',
          's3:ListMultipartUploadParts',
          's3:AbortMultipartUpload',
        ],
        resources: [objects],
      }),
    );
    return [
      {
        resource: children,
        reason: `the child executions of this machine's Distributed Maps only; Step Functions names them at run time`,
      },
      {
        resource: objects,
        reason: `objects of this DAG's runs only (keys start with the run id): the lists its Distributed Maps read and the results they write`,
      },
    ];
  }

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: one CDK Function with its bundling, environment, grants and cdk-nag reasons, read as one resource
  private addTaskFunction(props: UpdraftDagProps, runnerTasks: readonly TaskIR[]): lambda.Function {
    const { environment: env, settings, refs, ir } = props;
    const timeouts = runnerTasks.map((t) => t.timeoutSeconds);
    for (const t of runnerTasks) {
      if ((t.timeoutSeconds ?? 0) > LIMITS.lambdaSeconds) {
        Annotations.of(this).addWarningV2(
          'updraft:task-timeout',
          `task "${t.id}" of DAG "${ir.id}" has a ${t.timeoutSeconds}s timeout, but a Lambda invocation stops at 900s; run longer work with ecsTask or batchJob`,
        );
      }
    }
    const timeout = timeouts.some((s) => s === undefined)
      ? LIMITS.lambdaSeconds
      : Math.min(LIMITS.lambdaSeconds, Math.max(...(timeouts as number[])));
    const memory = Math.max(settings.taskMemoryMiB, ...runnerTasks.map((t) => t.memoryMiB ?? 0));
    const fn = updraftFunction(this, 'TaskRunner', {
      functionName: names.taskFunction(env, ir.id),
      description: `Updraft ${env}: task code of DAG ${ir.id}`,
      code: props.code!,
      settings,
      memorySize: memory,
      timeout: Duration.seconds(timeout),
      environment: {
        [ENV.environment]: env,
        [ENV.table]: refs.tableName,
        [ENV.bucket]: refs.bucketName,
        [ENV.dag]: ir.id,
        [ENV.secretPrefix]: names.secretPrefix(env),
        POWERTOOLS_SERVICE_NAME: ir.id,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    const own = [`RUN#${ir.id}-????-??-??T*`];
    // Its own run's items only (run ids are `<dag>-<logical date>`), plus the dataset events its outlets write.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:Query',
        ],
        resources: [refs.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...own, 'DATASET#*'] },
        },
      }),
    );
    const upstreamDags = [
      ...new Set(
        runnerTasks.flatMap((t) =>
          t.body.kind === 'sensor' && t.body.sensor.check.kind === 'external_dag'
            ? [t.body.sensor.check.dagId]
            : [],
        ),
      ),
    ];
    if (upstreamDags.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:Query'],
          resources: [refs.tableArn],
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': upstreamDags.map((d) => `RUN#${d}-????-??-??T*`),
            },
          },
        }),
      );
    }
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [`${refs.bucketArn}/${ir.id}-????-??-??T*`],
      }),
    );
    // A `retry` notification is sent by the task runner when a try fails (runtime/run-notifications).
    grantSends(fn, notificationNeeds([ir], 'retry'), refs);
    const connections = [...new Set(runnerTasks.flatMap((t) => t.connections))].sort();
    if (connections.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: connections.map((c) => refs.secretArn(c)),
        }),
      );
    }
    const s3Checks = runnerTasks.flatMap((t) =>
      t.body.kind === 'sensor' && t.body.sensor.check.kind === 's3_key'
        ? [t.body.sensor.check]
        : [],
    );
    const wild: { id: string; appliesTo: string[]; reason: string }[] = [];
    for (const check of s3Checks) {
      const bucket = check.bucket.kind === 'literal' ? String(check.bucket.value) : '*';
      const key = check.key.kind === 'literal' ? String(check.key.value) : '*';
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [`arn:${Aws.PARTITION}:s3:::${bucket}/${key}`],
        }),
      );
      // HeadObject answers 404 (not there yet) rather than 403 only with ListBucket.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [`arn:${Aws.PARTITION}:s3:::${bucket}`],
        }),
      );
      if (bucket === '*' || key === '*')
        wild.push({
          id: 'AwsSolutions-IAM5',
          appliesTo: [
            `Resource::arn:<AWS::Partition>:s3:::${bucket}/${key}`,
            `Resource::arn:<AWS::Partition>:s3:::${bucket}`,
          ],
          reason: `the S3 key sensor's bucket or key is computed at run time`,
        });
    }
    suppress(fn.role!, [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts only "*" as resource',
      },
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [
          `Resource::arn:<AWS::Partition>:s3:::${payloadBucketName(env, '<AWS::AccountId>', '<AWS::Region>')}/${ir.id}-????-??-??T*`,
        ],
        reason: `objects of this DAG's runs only (keys start with the run id)`,
      },
      ...wild,
    ]);
    return fn;
  }

  private addSchedule(props: UpdraftDagProps): scheduler.CfnSchedule | undefined {
    const { environment: env, settings, refs, ir, compiled } = props;
    const tick = awsScheduleOf(ir);
    if (!tick) return undefined;
    const stack = Stack.of(this);
    // No StartDate/EndDate on the schedule: Scheduler refuses a StartDate more than 5 minutes in
    // the past on every later update, so the launcher applies the DAG's start and end date instead.
    return new scheduler.CfnSchedule(this, 'Schedule', {
      name: names.schedule(ir.id),
      groupName: names.scheduleGroup(env),
      description:
        `Updraft ${env}: ${ir.id} (${timeScheduleOf(ir.schedule)?.kind === 'rate' ? 'every ' : ''}${timeScheduleOf(ir.schedule)?.expression ?? ''})${tick.exact ? '' : ` — ${tick.note ?? 'ticks more often than it runs'}`}`.slice(
          0,
          512,
        ),
      scheduleExpression: tick.expression,
      scheduleExpressionTimezone: tick.timezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: settings.schedulesEnabled ? 'ENABLED' : 'DISABLED',
      target: {
        arn: refs.launcherArn,
        roleArn: refs.schedulerRoleArn,
        input: stack.toJsonString({
          spec: launchSpecOf(ir, compiled.manifest),
          stateMachineArn: this.stateMachine.stateMachineArn,
          scheduledTime: '<aws.scheduler.scheduled-time>',
        }),
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 20 },
        deadLetterConfig: { arn: refs.deadLettersArn },
      },
    });
  }

  private addAlarms(props: UpdraftDagProps): void {
    const { environment: env, refs, ir } = props;
    const topic = sns.Topic.fromTopicArn(this, 'Alerts', refs.alertsTopicArn);
    const metrics: [string, cloudwatch.Metric, string][] = [
      ['failed', this.stateMachine.metricFailed({ period: Duration.minutes(5) }), 'failed'],
      ['timed-out', this.stateMachine.metricTimedOut({ period: Duration.minutes(5) }), 'timed out'],
    ];
    for (const [suffix, metric, what] of metrics) {
      new cloudwatch.Alarm(this, `Runs-${suffix}`, {
        alarmName: `${names.stateMachine(env, ir.id)}-${suffix}`,
        alarmDescription: `A run of DAG ${ir.id} ${what}: npx updraft runs ${ir.id} --target aws --env ${env}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new actions.SnsAction(topic));
    }
  }
}

/** `StateMachine_<id>` → the DAG id (the placeholder replaces characters other than [A-Za-z0-9_]). */
function triggeredDag(ir: DagIR, placeholder: string): string {
  for (const t of ir.tasks) {
    if (t.body.kind === 'operator' && t.body.operator.kind === 'trigger_dag') {
      const id = t.body.operator.dagId;
      if (PLACEHOLDERS.stateMachine(id) === placeholder) return id;
    }
  }
  throw new ConfigError(`DAG "${ir.id}": placeholder \${${placeholder}} names no DAG it triggers`);
}

function httpConnection(props: UpdraftDagProps, connection: string): string {
  const arn = props.httpConnections?.[connection];
  if (arn) return arn;
  throw new ConfigError(
    `DAG "${props.ir.id}" calls HTTP through connection "${connection}", which needs an EventBridge connection ARN; ` +
      `create one (aws events create-connection …) and add it to cdk.json: "context": { "updraft:httpConnections": { "${connection}": "arn:aws:events:…:connection/…" } }`,
  );
}

/** Whether a definition has a Distributed Map (at any depth). */
function hasDistributedMap(machine: CompileResult['definition']): boolean {
  return Object.values(machine.States).some(
    (state) =>
      (state.Type === 'Map' &&
        (state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED' ||
          hasDistributedMap(state.ItemProcessor))) ||
      (state.Type === 'Parallel' && state.Branches.some(hasDistributedMap)),
  );
}

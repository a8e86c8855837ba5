/**
 * @module infra/notifications
 * What the recorder needs to send the DAGs' notifications and check their deadlines (runtime/
 * run-notifications): the connections that hold Slack/webhook URLs, the SNS topics named in
 * `notify.sns({ topic })`, and, when a DAG has a `deadline`, a schedule group for the one-time
 * deadline checks plus the role Scheduler invokes the recorder with (runtime/deadline-schedules).
 * The task Lambda of a DAG that notifies `retry` gets the same connections and topics
 * (infra/dag-construct).
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import type { DagIR, NotificationIR } from '../src/ir/types.ts';
import { ENV, names, type Environment } from '../src/runtime/env.ts';
import type { PlatformRefs } from './refs.ts';
import { suppress } from './nag.ts';

/** The connections and topics some notifications of these DAGs use, and whether any has a deadline. */
export interface NotificationNeeds {
  readonly connections: readonly string[];
  readonly topics: readonly string[];
  /** Some entry publishes to the alerts topic (`notify.sns()` without a topic). */
  readonly alerts: boolean;
  readonly deadlines: boolean;
}

const channelsOf = (entries: readonly NotificationIR[]) => ({
  connections: entries.flatMap((n) => (n.channel.kind === 'sns' ? [] : [n.channel.connection])),
  topics: entries.flatMap((n) =>
    n.channel.kind === 'sns' && n.channel.topic ? [n.channel.topic] : [],
  ),
});

/** Everything the DAGs' `notify` entries (DAG and task level) reach, or only the `retry` ones. */
export function notificationNeeds(dags: readonly DagIR[], only?: 'retry'): NotificationNeeds {
  const entries = dags
    .flatMap((d) => [...d.notifications, ...d.tasks.flatMap((t) => t.notifications)])
    .filter((n) => only === undefined || n.on.includes(only));
  const { connections, topics } = channelsOf(entries);
  return {
    connections: [...new Set(connections)].sort(),
    topics: [...new Set(topics)].sort(),
    alerts: entries.some((n) => n.channel.kind === 'sns' && n.channel.topic === undefined),
    deadlines: only === undefined && dags.some((d) => d.deadlineSeconds !== undefined),
  };
}

/** True when the needs reach anything at all. */
export function needsAny(needs: NotificationNeeds): boolean {
  return needs.connections.length + needs.topics.length > 0 || needs.alerts || needs.deadlines;
}

/** Lets `fn` read the connections' secrets and publish to the topics (the alerts topic's ARN in its environment names them). */
export function grantSends(
  fn: lambda.Function,
  needs: NotificationNeeds,
  refs: PlatformRefs,
  withTopicEnv = true,
): void {
  if (needs.connections.length > 0)
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: needs.connections.map((c) => refs.secretArn(c)),
      }),
    );
  if (needs.topics.length > 0)
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        resources: needs.topics.map(
          (t) => `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${t}`,
        ),
      }),
    );
  if (needs.alerts)
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [refs.alertsTopicArn] }),
    );
  if (withTopicEnv && (needs.alerts || needs.topics.length > 0))
    fn.addEnvironment(ENV.alertsTopic, refs.alertsTopicArn);
}

/** The recorder's part: sends, and the deadline checks' schedule group and invoke role. */
export function addNotificationAccess(
  scope: Construct,
  recorder: lambda.Function,
  needs: NotificationNeeds,
  refs: PlatformRefs,
  env: Environment,
): void {
  // The recorder publishes to the alerts topic already, and has its ARN (its own alerts).
  grantSends(recorder, { ...needs, alerts: false }, refs, false);
  if (!needs.deadlines) return;
  new scheduler.CfnScheduleGroup(scope, 'DeadlineGroup', {
    name: names.deadlineGroup(env),
  });
  const role = new iam.Role(scope, 'DeadlineRole', {
    roleName: names.deadlineRole(env),
    description: `EventBridge Scheduler invokes the Updraft ${env} recorder for a run's deadline check`,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [recorder.functionArn],
    }),
  );
  recorder.addEnvironment(ENV.deadlineRole, role.roleArn);
  const schedules = `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${names.deadlineGroup(env)}/*`;
  recorder.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
      resources: [schedules],
    }),
  );
  recorder.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
  suppress(recorder.role!, [
    {
      id: 'AwsSolutions-IAM5',
      appliesTo: [
        `Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${names.deadlineGroup(env)}/*`,
      ],
      reason:
        'creates and deletes the one-time deadline checks of runs, one schedule per run, named by run, in this environment’s deadline group only',
    },
  ]);
}

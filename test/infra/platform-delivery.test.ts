/**
 * The platform stack's delivery paths, asserted on the synthesized template: alarms can publish
 * to the alerts topic (its policy allows CloudWatch, scoped to this account's Updraft alarms, and
 * still denies plain HTTP), failed asynchronous invocations of the launcher and recorder land in
 * the dead-letter queue, the queue alarms to the topic, and the CLI can find the queue.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { names, type Environment } from '../../src/runtime/env.ts';
import { buildUpdraftApp } from '../../infra/updraft-app.ts';

let code: string;
beforeAll(() => {
  code = mkdtempSync(path.join(tmpdir(), 'updraft-code-'));
  writeFileSync(path.join(code, 'index.mjs'), 'export const handler = async () => ({});\n');
});

function platform(environment: Environment): Template {
  // CloudFormation's rules are checked on the examples' real synth (synth.test.ts).
  const app = new App({ builtinCloudFormationValidation: false });
  const { platform } = buildUpdraftApp(app, {
    environment,
    dags: [],
    platformCode: { launcher: code, recorder: code },
  });
  return Template.fromStack(platform);
}

const logicalId = (t: Template, type: string, props: Record<string, unknown>) => {
  const found = Object.keys(t.findResources(type, { Properties: props }));
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0]!;
};

describe('alerts topic', () => {
  it('lets CloudWatch alarms of this environment and account publish, and denies publishing without TLS', () => {
    const t = platform('prod');
    const topic = logicalId(t, 'AWS::SNS::Topic', { TopicName: 'updraft-prod-alerts' });
    const policies = Object.values(t.findResources('AWS::SNS::TopicPolicy')) as {
      Properties: { PolicyDocument: { Statement: unknown[] }; Topics: unknown[] };
    }[];
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.Topics).toEqual([{ Ref: topic }]);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: {
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:updraft-prod-*',
                ],
              ],
            },
          },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
  });
});

describe('dead-letter queue', () => {
  it.each(['dev', 'prod'] as const)(
    'receives the launcher’s and recorder’s failed asynchronous invocations (%s)',
    (env) => {
      const t = platform(env);
      const queue = logicalId(t, 'AWS::SQS::Queue', { QueueName: names.deadLetters(env) });
      for (const fn of [names.launcherFunction(env), names.recorderFunction(env)]) {
        const id = logicalId(t, 'AWS::Lambda::Function', { FunctionName: fn });
        t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: id },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 2,
          MaximumEventAgeInSeconds: 21600,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
        });
      }
      expect(Object.keys(t.findResources('AWS::Lambda::EventInvokeConfig'))).toHaveLength(2);
    },
  );

  it('alarms to the alerts topic when it holds a message (outside dev)', () => {
    const t = platform('prod');
    const queue = logicalId(t, 'AWS::SQS::Queue', { QueueName: 'updraft-prod-dead-letters' });
    const topic = logicalId(t, 'AWS::SNS::Topic', { TopicName: 'updraft-prod-alerts' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'updraft-prod-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
      AlarmDescription: Match.stringLikeRegexp('updraft doctor --target aws --env prod'),
    });
  });

  it('keeps its name and outputs its URL and ARN, where updraft doctor finds it', () => {
    const t = platform('staging');
    const queue = logicalId(t, 'AWS::SQS::Queue', { QueueName: 'updraft-staging-dead-letters' });
    t.hasOutput('DeadLettersQueueUrl', { Value: { Ref: queue } });
    t.hasOutput('DeadLettersQueueArn', { Value: { 'Fn::GetAtt': [queue, 'Arn'] } });
  });
});

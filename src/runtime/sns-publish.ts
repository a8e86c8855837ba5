/**
 * @module runtime/sns-publish
 * `notify.sns()` on AWS: publishes to the environment's alerts topic, or to a topic named in
 * `notify.sns({ topic })`, which lives beside it (same region and account).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifyDeps } from './notify-send.ts';

export function snsPublisher(
  client: SNSClient,
  alertsTopicArn: string,
): NonNullable<NotifyDeps['publish']> {
  return async (topic, subject, message) => {
    const arn = topic ? alertsTopicArn.replace(/[^:]+$/, topic) : alertsTopicArn;
    await client.send(new PublishCommand({ TopicArn: arn, Subject: subject, Message: message }));
  };
}

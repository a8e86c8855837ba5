/**
 * @module cloud/clients
 * The AWS SDK clients of one cloud target, each created once, on first use, with the target's
 * region, endpoint and credentials (a command that only reads the table never builds a
 * Scheduler client). Operations take a `CloudClients`, so tests pass their own or mock the
 * classes with aws-sdk-client-mock.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../store/dynamo-store.ts';
import type { CloudTarget } from './target.ts';

export interface CloudClients {
  readonly sfn: SFNClient;
  /** Document client over DynamoDB that drops undefined values (what DynamoStore expects). */
  readonly dynamo: DynamoDBDocumentClient;
  readonly logs: CloudWatchLogsClient;
  readonly scheduler: SchedulerClient;
  readonly secrets: SecretsManagerClient;
  /** The dead-letter queue (`updraft doctor`). */
  readonly sqs: SQSClient;
  /** Replays of launcher and recorder invocations (`updraft doctor --replay`). */
  readonly lambda: LambdaClient;
  /** The payload bucket's offloaded outputs (`updraft ui` reads them). */
  readonly s3: S3Client;
  /** The region the clients use, resolved through the SDK's chain when not given. */
  region(): Promise<string | undefined>;
  /** Closes the sockets of every client created (so the CLI process can exit at once). */
  destroy(): void;
}

interface ClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function clientConfig(target: CloudTarget): ClientConfig {
  return {
    ...(target.region !== undefined && { region: target.region }),
    ...(target.endpoint !== undefined && { endpoint: target.endpoint }),
    ...(target.credentials && { credentials: { ...target.credentials } }),
  };
}

export function createCloudClients(
  target: CloudTarget,
  overrides: Partial<Omit<CloudClients, 'region' | 'destroy'>> = {},
): CloudClients {
  const config = clientConfig(target);
  const made = new Map<string, { destroy(): void }>();
  const once = <T extends { destroy(): void }>(name: string, make: () => T): T => {
    let client = made.get(name) as T | undefined;
    if (!client) {
      client = make();
      made.set(name, client);
    }
    return client;
  };
  return {
    get sfn() {
      return overrides.sfn ?? once('sfn', () => new SFNClient(config));
    },
    get dynamo() {
      // The document client's destroy() leaves the client it wraps open: keep that one to close.
      return (
        overrides.dynamo ??
        once('dynamo', () =>
          createDocumentClient(once('dynamodb', () => new DynamoDBClient(config))),
        )
      );
    },
    get logs() {
      return overrides.logs ?? once('logs', () => new CloudWatchLogsClient(config));
    },
    get scheduler() {
      return overrides.scheduler ?? once('scheduler', () => new SchedulerClient(config));
    },
    get secrets() {
      return overrides.secrets ?? once('secrets', () => new SecretsManagerClient(config));
    },
    get sqs() {
      return overrides.sqs ?? once('sqs', () => new SQSClient(config));
    },
    get s3() {
      return overrides.s3 ?? once('s3', () => new S3Client(config));
    },
    get lambda() {
      return overrides.lambda ?? once('lambda', () => new LambdaClient(config));
    },
    async region() {
      if (target.region !== undefined) return target.region;
      try {
        return await this.sfn.config.region();
      } catch {
        return undefined; // no region anywhere: the first call says so, with what to set
      }
    },
    destroy() {
      for (const client of made.values()) client.destroy();
      made.clear();
    },
  };
}

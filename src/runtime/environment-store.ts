/**
 * @module runtime/environment-store
 * The run store of a deployed environment, opened the same way by every Lambda and by the CLI's
 * AWS target: the environment's table, with the record retention its environment keeps.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// The store module itself, not src/store/index.ts: that one pulls the SQLite store into a bundle.
import { DynamoStore } from '../store/dynamo-store.ts';
import { RECORD_RETENTION_DAYS, type Environment } from './env.ts';

export function environmentStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  environment: Environment,
): DynamoStore {
  return new DynamoStore({ client, tableName, retentionDays: RECORD_RETENTION_DAYS[environment] });
}

// Deployed tables expire old run history through DynamoDB TTL: every record the store writes
// carries `expiresAt` (epoch seconds) when a retention is set, and readers never see it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoStore, createDocumentClient } from '../../src/store/dynamo-store.ts';
import { keys } from '../../src/store/table.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

let local: Dynalite;
let client: ReturnType<typeof createDocumentClient>;
const NOW = Date.parse('2026-11-21T00:00:00Z');
const EXPIRES = NOW / 1000 + 30 * 86_400;

beforeAll(async () => {
  local = await startDynalite();
  client = createDocumentClient(
    new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
});
afterAll(async () => {
  client.destroy();
  await local.close();
});

const raw = async (key: { pk: string; sk: string }) =>
  (await client.send(new GetCommand({ TableName: 'updraft', Key: key }))).Item;

it('stamps runs, tries and try counters with expiresAt and keeps it out of records', async () => {
  const store = new DynamoStore({ client, retentionDays: 30, now: () => NOW });
  const run = {
    runId: 'ttl-2026-11-20T00-00-00Z',
    dagId: 'ttl',
    key: '2026-11-20T00-00-00Z',
    logicalDate: '2026-11-20T00:00:00.000Z',
    dataIntervalStart: '2026-11-20T00:00:00.000Z',
    dataIntervalEnd: '2026-11-21T00:00:00.000Z',
    triggeredBy: 'manual' as const,
    conf: {},
    status: 'queued' as const,
    attempt: 1,
    queuedAt: '2026-11-21T00:00:00.000Z',
  };
  await store.createRun(run);
  await store.putTry({
    runId: run.runId,
    taskId: 'a',
    mapIndex: -1,
    tryNumber: 1,
    runAttempt: 1,
    state: 'success',
    startedAt: run.queuedAt,
  });
  await store.nextTry(run.runId, 'a', -1);
  expect((await raw(keys.run(run.runId)))?.expiresAt).toBe(EXPIRES);
  expect((await raw(keys.try(run.runId, 'a', -1, 1)))?.expiresAt).toBe(EXPIRES);
  expect((await raw(keys.counter(run.runId, 'a', -1)))?.expiresAt).toBe(EXPIRES);
  expect(await store.getRun(run.runId)).toEqual(run);
  expect((await store.listTries(run.runId))[0]).not.toHaveProperty('expiresAt');
});

it('writes no expiresAt without a retention (the local engine keeps history until cleaned)', async () => {
  const store = new DynamoStore({ client });
  await store.putTry({
    runId: 'keep-1',
    taskId: 'a',
    mapIndex: -1,
    tryNumber: 1,
    runAttempt: 1,
    state: 'success',
    startedAt: '2026-11-21T00:00:00.000Z',
  });
  expect(await raw(keys.try('keep-1', 'a', -1, 1))).not.toHaveProperty('expiresAt');
});

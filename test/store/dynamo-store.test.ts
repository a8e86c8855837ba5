// What only the DynamoDB store does (the shared behaviour is in conformance.test.ts), against a
// real DynamoDB API (dynalite): writes land before the call returns, a bad item names itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore, type RunRecord, type TryRecord } from '../../src/store/index.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

let local: Dynalite;

beforeAll(async () => {
  local = await startDynalite();
});
afterAll(async () => {
  await local.close();
});

const run: RunRecord = {
  runId: 'daily-2026-11-20T00-00-00Z',
  dagId: 'daily',
  key: '2026-11-20T00-00-00Z',
  logicalDate: '2026-11-20T00:00:00.000Z',
  dataIntervalStart: '2026-11-19T00:00:00.000Z',
  dataIntervalEnd: '2026-11-20T00:00:00.000Z',
  triggeredBy: 'schedule',
  conf: {},
  status: 'queued',
  attempt: 1,
  queuedAt: '2026-11-20T00:00:01.000Z',
};
const aTry = (taskId: string, mapIndex = -1): TryRecord => ({
  runId: run.runId,
  taskId,
  mapIndex,
  tryNumber: 1,
  runAttempt: 1,
  state: 'success',
  startedAt: '2026-11-20T00:01:00.000Z',
});

describe('DynamoStore', () => {
  it('has written a record when the call returns: another client reads it at once', async () => {
    const writer = new DynamoStore({ client: local.client() });
    const reader = new DynamoStore({ client: local.client() });
    try {
      await writer.createRun(run);
      await writer.putTry(aTry('solo'));
      await writer.putTask({
        runId: run.runId,
        dagId: run.dagId,
        taskId: 'solo',
        state: 'success',
        attempts: 1,
      });
      expect(await reader.listTries(run.runId)).toEqual([aTry('solo')]);
      expect(await reader.listTasks(run.runId)).toEqual([
        { runId: run.runId, dagId: run.dagId, taskId: 'solo', state: 'success', attempts: 1 },
      ]);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('fails a write DynamoDB refuses (an item over 400 KB) and leaves nothing behind', async () => {
    await expect(
      local.store.putTask({
        runId: run.runId,
        dagId: run.dagId,
        taskId: 'huge',
        state: 'success',
        attempts: 1,
        output: 'x'.repeat(500 * 1024),
      }),
    ).rejects.toThrow(/size/);
    expect((await local.store.listTasks(run.runId)).map((t) => t.taskId)).not.toContain('huge');
  });

  it('writes lineage of many datasets in batches of 25 and lands them all', async () => {
    const records = Array.from({ length: 60 }, (_, i) => ({
      runId: run.runId,
      dagId: run.dagId,
      taskId: 'load',
      direction: 'out' as const,
      dataset: `s3://lake/t${String(i).padStart(2, '0')}`,
      at: '2026-11-20T00:02:00.000Z',
    }));
    await local.store.putLineage(records);
    expect(await local.store.listLineage(run.runId)).toEqual(records);
    expect(await local.store.datasetEvents('s3://lake/t59')).toEqual([records[59]]);
  });

  it('refuses use after close', async () => {
    const own = new DynamoStore({ client: local.client() });
    await own.putTry(aTry('last'));
    await own.close();
    await expect(own.putTry(aTry('late'))).rejects.toThrow(
      'the run-metadata store is closed: it was used after close()',
    );
  });
});

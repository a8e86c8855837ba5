// The DynamoDB store against a real (in-memory) dynalite: runs, indexes, records, write-behind.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalError } from '../../src/sdk/errors.ts';
import { DynamoStore, createDocumentClient, openLocalStore, type LocalStore, type RunRecord, type Store, type TaskRecord, type TryRecord } from '../../src/store/index.ts';

let local: LocalStore;
let store: Store;

beforeAll(async () => {
  local = await openLocalStore();
  store = local.store;
});

afterAll(async () => {
  await local.close();
});

let unique = 0;
/** Run ids unique per test, so tests share one table without seeing each other's records. */
function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  const dagId = overrides.dagId ?? `dag${++unique}`;
  const logicalDate = overrides.logicalDate ?? '2026-11-20T00:00:00.000Z';
  const key = logicalDate.replace(/:/g, '-').replace('.000', '');
  return {
    runId: `${dagId}__${key}__${++unique}`,
    dagId,
    key,
    logicalDate,
    dataIntervalStart: '2026-11-19T00:00:00.000Z',
    dataIntervalEnd: logicalDate,
    triggeredBy: 'schedule',
    conf: { region: 'eu', nested: { n: 1 } },
    status: 'queued',
    attempt: 1,
    queuedAt: '2026-11-20T00:00:01.000Z',
    ...overrides,
  };
}

function makeTry(runId: string, taskId: string, mapIndex: number, tryNumber: number): TryRecord {
  return { runId, taskId, mapIndex, tryNumber, runAttempt: 1, state: 'success', startedAt: '2026-11-20T00:01:00.000Z', endedAt: '2026-11-20T00:01:02.000Z', durationMs: 2000 };
}

/** A store whose requests take 0-20 ms each: batches overlap and may finish in any order, as on AWS. */
function jitteryStore(): DynamoStore {
  const client = plainClient();
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  client.send = (async (command: unknown) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    return send(command);
  }) as typeof client.send;
  return new DynamoStore({ client, maxInFlight: 8 });
}

/** Another client of the same endpoint, as another process would have: it cannot flush our buffer. */
function plainClient(): DynamoDBDocumentClient {
  return createDocumentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: local.endpoint }));
}

describe('runs', () => {
  it('creates a run once: a second create returns the first record', async () => {
    const run = makeRun();
    expect(await store.createRun(run)).toEqual({ created: true, run });
    const again = await store.createRun({ ...run, attempt: 7, conf: {} });
    expect(again).toEqual({ created: false, run });
    expect(await store.getRun(run.runId)).toEqual(run);
  });

  it('lets exactly one of 20 concurrent creates of the same run win', async () => {
    const run = makeRun();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.createRun({ ...run, attempt: i + 1 })));
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    const winner = created[0]!.run;
    for (const r of results) expect(r.run).toEqual(winner);
    expect(await store.getRun(run.runId)).toEqual(winner);
  });

  it('returns undefined for a run that does not exist', async () => {
    expect(await store.getRun('nope__x')).toBeUndefined();
  });

  it('updates only from the given states, and removes fields set to undefined', async () => {
    const run = makeRun();
    await store.createRun(run);
    const running = await store.updateRun(run.runId, { status: 'running', startedAt: '2026-11-20T00:00:02.000Z', owner: { pid: 42, host: 'h', heartbeatAt: 't' } }, { ifStatus: ['queued'] });
    expect(running).toEqual({ ...run, status: 'running', startedAt: '2026-11-20T00:00:02.000Z', owner: { pid: 42, host: 'h', heartbeatAt: 't' } });

    expect(await store.updateRun(run.runId, { status: 'failed' }, { ifStatus: ['queued'] })).toBeUndefined();
    expect(await store.updateRun(run.runId, { status: 'failed' }, { ifStatus: [] })).toBeUndefined();
    expect((await store.getRun(run.runId))?.status).toBe('running');

    const done = await store.updateRun(run.runId, { status: 'success', owner: undefined, endedAt: '2026-11-20T00:05:00.000Z' }, { ifStatus: ['queued', 'running'] });
    expect(done).toEqual({ ...run, status: 'success', startedAt: '2026-11-20T00:00:02.000Z', endedAt: '2026-11-20T00:05:00.000Z' });
    expect(await store.getRun(run.runId)).toEqual(done);
  });

  it('never creates a run by updating one that does not exist', async () => {
    expect(await store.updateRun('ghost__x', { status: 'running' })).toBeUndefined();
    expect(await store.updateRun('ghost__x', {})).toBeUndefined();
    expect(await store.getRun('ghost__x')).toBeUndefined();
  });

  it('keeps the active-runs index in step with the status', async () => {
    const before = new Set((await store.activeRuns()).map((r) => r.runId));
    const fresh = async (): Promise<string[]> => (await store.activeRuns()).map((r) => r.runId).filter((id) => !before.has(id));
    const a = makeRun({ logicalDate: '2030-01-01T00:00:00.000Z' });
    const b = makeRun({ logicalDate: '2030-01-02T00:00:00.000Z' });
    await store.createRun(a);
    await store.createRun(b);
    expect(await fresh()).toEqual([b.runId, a.runId]);

    await store.updateRun(a.runId, { status: 'running' });
    await store.updateRun(b.runId, { status: 'failed' });
    expect(await fresh()).toEqual([a.runId]);

    await store.updateRun(b.runId, { status: 'queued', attempt: 2 }); // resumed
    await store.updateRun(a.runId, { status: 'success' });
    expect(await fresh()).toEqual([b.runId]);
    await store.updateRun(b.runId, { status: 'success' });
    expect(await fresh()).toEqual([]);

    const done = await store.createRun(makeRun({ status: 'success' }));
    expect(await fresh()).toEqual([]);
    expect(await store.getRun(done.run.runId)).toEqual(done.run);
  });

  it('lists runs newest first, per DAG, by status, across DAGs, up to a limit', async () => {
    const x = `x${++unique}`;
    const y = `y${++unique}`;
    const runs = [
      makeRun({ dagId: x, logicalDate: '2040-01-01T00:00:00.000Z', status: 'success' }),
      makeRun({ dagId: x, logicalDate: '2040-01-03T00:00:00.000Z', status: 'failed' }),
      makeRun({ dagId: x, logicalDate: '2040-01-02T00:00:00.000Z', status: 'running' }),
      makeRun({ dagId: y, logicalDate: '2040-01-04T00:00:00.000Z', status: 'success' }),
      makeRun({ dagId: y, logicalDate: '2039-12-31T00:00:00.000Z', status: 'queued' }),
    ];
    for (const run of runs) await store.createRun(run);
    const [x1, x3, x2, y4, y0] = runs;
    const ids = (list: RunRecord[]): string[] => list.map((r) => r.runId);

    expect(ids(await store.listRuns({ dagId: x }))).toEqual(ids([x3!, x2!, x1!]));
    expect(await store.listRuns({ dagId: x, limit: 1 })).toEqual([x3]);
    expect(ids(await store.listRuns({ dagId: x, status: 'success' }))).toEqual([x1!.runId]);
    expect(ids(await store.listRuns({ dagId: y, status: 'queued' }))).toEqual([y0!.runId]);
    // Other tests' runs are older than 2039, so the newest of all are these.
    expect(ids(await store.listRuns({ limit: 5 }))).toEqual(ids([y4!, x3!, x2!, x1!, y0!]));
    expect(ids(await store.listRuns({ limit: 2 }))).toEqual(ids([y4!, x3!]));
    expect(ids(await store.listRuns({ status: 'success', limit: 2 }))).toEqual(ids([y4!, x1!]));
    expect(ids((await store.listRuns({ status: 'running' })).slice(0, 1))).toEqual([x2!.runId]);
    expect(await store.listRuns({ dagId: 'no-such-dag' })).toEqual([]);
  });
});

describe('records', () => {
  it('round-trips tasks exactly, one per task, the latest put winning', async () => {
    const { run } = await store.createRun(makeRun());
    const extract: TaskRecord = { runId: run.runId, dagId: run.dagId, taskId: 'extract', state: 'running', attempts: 1, startedAt: 's' };
    const load: TaskRecord = {
      runId: run.runId,
      dagId: run.dagId,
      taskId: 'load',
      state: 'failed',
      attempts: 3,
      startedAt: 's',
      endedAt: 'e',
      output: { $ref: 's3://b/k', bytes: 300_000 },
      error: { error: 'Updraft.TaskFailed', cause: 'Error: boom' },
      mapped: { count: 10, failed: 2 },
      reused: false,
    };
    await store.putTask(extract);
    await store.putTask(load);
    const extractDone: TaskRecord = { ...extract, state: 'success', endedAt: 'e', output: [1, 'two', { three: null }, ''] };
    await store.putTask(extractDone);
    expect(await store.listTasks(run.runId)).toEqual([extractDone, load]);
    expect(await store.listTasks('other__run')).toEqual([]);
  });

  it('lists tries by task, map index and try number', async () => {
    const { run } = await store.createRun(makeRun());
    const tries = [makeTry(run.runId, 'b', 9, 1), makeTry(run.runId, 'a', -1, 2), makeTry(run.runId, 'b', 10, 1), makeTry(run.runId, 'a', -1, 1), makeTry(run.runId, 'a_b', -1, 1)];
    for (const t of tries) await store.putTry(t);
    const failed: TryRecord = { ...makeTry(run.runId, 'b', 9, 2), state: 'failed', error: { error: 'States.Timeout', cause: 'timed out' } };
    await store.putTry(failed);
    const [b9, a2, b10, a1, ab] = tries;
    expect(await store.listTries(run.runId)).toEqual([a1, a2, ab, b9, failed, b10]);
    expect(await store.listTries(run.runId, 'a')).toEqual([a1, a2]);
    expect(await store.listTries(run.runId, 'b')).toEqual([b9, failed, b10]);
  });

  it('records lineage and, for outputs, dataset events newest first', async () => {
    const { run } = await store.createRun(makeRun());
    const dataset = `s3://lake/orders-${++unique}`;
    const lineage = [
      { runId: run.runId, dagId: run.dagId, taskId: 'load', direction: 'out' as const, dataset, at: '2026-11-20T00:02:00.000Z' },
      { runId: run.runId, dagId: run.dagId, taskId: 'extract', direction: 'in' as const, dataset: 's3://raw/x', at: '2026-11-20T00:01:00.000Z' },
      { runId: run.runId, dagId: run.dagId, taskId: 'extract', direction: 'out' as const, dataset, at: '2026-11-20T00:01:30.000Z' },
    ];
    await store.putLineage(lineage);
    const [loadOut, extractIn, extractOut] = lineage;
    expect(await store.listLineage(run.runId)).toEqual([extractIn, extractOut, loadOut]);
    expect(await store.datasetEvents(dataset)).toEqual([loadOut, extractOut]);
    expect(await store.datasetEvents(dataset, 1)).toEqual([loadOut]);
    expect(await store.datasetEvents('s3://raw/x')).toEqual([]);
  });

  it('keeps outbox messages per run in seq order, and all runs oldest first', async () => {
    const r1 = (await store.createRun(makeRun())).run.runId;
    const r2 = (await store.createRun(makeRun())).run.runId;
    const message = (runId: string, seq: number, at: string) => ({ runId, seq, taskId: 'notify', service: 'sns' as const, target: 'arn:aws:sns:us-east-1:1:t', message: { seq, text: 'hi' }, at });
    const m = [message(r1, 2, '2050-01-01T00:00:03.000Z'), message(r2, 1, '2050-01-01T00:00:02.000Z'), message(r1, 1, '2050-01-01T00:00:01.000Z')];
    for (const msg of m) await store.putOutbox(msg);
    expect(await store.listOutbox(r1)).toEqual([m[2], m[0]]);
    expect((await store.listOutbox()).filter((x) => x.runId === r1 || x.runId === r2)).toEqual([m[2], m[1], m[0]]);
  });
});

describe('write-behind', () => {
  it('lands 3000 buffered tries exactly once each', async () => {
    const { run } = await store.createRun(makeRun());
    const started = performance.now();
    for (let i = 0; i < 3000; i++) await store.putTry(makeTry(run.runId, `t${i % 1000}`, -1, 1 + Math.floor(i / 1000)));
    await store.flush();
    const elapsed = performance.now() - started;
    const tries = await store.listTries(run.runId);
    expect(tries).toHaveLength(3000);
    expect(new Set(tries.map((t) => `${t.taskId}/${t.tryNumber}`)).size).toBe(3000);
    expect(elapsed).toBeLessThan(5_000); // ~0.6 s on a 2-core machine; single Puts would take ~6 s
  });

  it('lets the later put of a key win, even while the earlier one is in flight', async () => {
    const jittery = jitteryStore();
    try {
      const { run } = await jittery.createRun(makeRun());
      const task = (taskId: string, attempts: number): TaskRecord => ({ runId: run.runId, dagId: run.dagId, taskId, state: 'running', attempts });
      for (let round = 1; round <= 6; round++) {
        for (let i = 0; i < 100; i++) await jittery.putTask(task(`t${String(i).padStart(3, '0')}`, round));
        await new Promise((resolve) => setTimeout(resolve, 5)); // some batches go out before the next round
      }
      const tasks = await jittery.listTasks(run.runId);
      expect(tasks).toHaveLength(100);
      expect(tasks.filter((t) => t.attempts !== 6)).toEqual([]);
    } finally {
      await jittery.close();
    }
  });

  it('makes a flush wait for the version that replaced the one it was waiting for', async () => {
    const jittery = jitteryStore();
    const reader = new DynamoStore({ client: plainClient() });
    try {
      const { run } = await jittery.createRun(makeRun());
      const task = (taskId: string, attempts: number): TaskRecord => ({ runId: run.runId, dagId: run.dagId, taskId, state: 'running', attempts });
      for (let i = 0; i < 25; i++) void jittery.putTask(task(`t${i}`, 0)); // a full batch: in flight at once
      void jittery.putTask(task('t0', 1)); // waits for t0's version 0 to land
      const flushed = jittery.flush();
      void jittery.putTask(task('t0', 2)); // replaces version 1 in the buffer
      await flushed;
      expect((await reader.listTasks(run.runId)).find((t) => t.taskId === 't0')?.attempts).toBe(2);
    } finally {
      await jittery.close();
      await reader.close();
    }
  });

  it('neither loses nor repeats writes put while a flush is running', async () => {
    const { run } = await store.createRun(makeRun());
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 600; i++) {
      await store.putTry(makeTry(run.runId, 'x', i, 1));
      if (i % 50 === 0) flushes.push(store.flush());
    }
    await Promise.all(flushes);
    await store.flush();
    const tries = await store.listTries(run.runId, 'x');
    expect(tries.map((t) => t.mapIndex)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('writes on its own within ~100 ms, without a flush', async () => {
    const { run } = await store.createRun(makeRun());
    const reader = new DynamoStore({ client: plainClient() });
    try {
      await store.putTry(makeTry(run.runId, 'solo', -1, 1));
      expect(await reader.listTries(run.runId)).toEqual([]); // buffered
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await reader.listTries(run.runId)).toEqual([makeTry(run.runId, 'solo', -1, 1)]);
    } finally {
      await reader.close();
    }
  });

  it('reports a write that failed at the next flush(), and lands the rest of its batch', async () => {
    const { run } = await store.createRun(makeRun());
    for (let i = 0; i < 10; i++) await store.putTry(makeTry(run.runId, 'ok', i, 1));
    await store.putTask({ runId: run.runId, dagId: run.dagId, taskId: 'huge', state: 'success', attempts: 1, output: 'x'.repeat(500 * 1024) });
    // Reads and run updates wait for the writes but leave the report to flush().
    expect(await store.listTries(run.runId)).toHaveLength(10);
    expect(await store.updateRun(run.runId, { status: 'running' })).toEqual({ ...run, status: 'running' });
    const failure = await store.flush().then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(InternalError);
    expect((failure as Error).message).toMatch(new RegExp(`^run-metadata write\\(s\\) failed: RUN#${run.runId} TASK#huge: .*size`));
    expect(await store.listTasks(run.runId)).toEqual([]);
    await expect(store.flush()).resolves.toBeUndefined(); // reported once
  });
});

describe('close', () => {
  it('flushes on close and refuses use afterwards', async () => {
    const own = await openLocalStore();
    const { run } = await own.store.createRun(makeRun());
    await own.store.putTry(makeTry(run.runId, 'last', -1, 1));
    await own.store.close();
    await expect(own.store.putTry(makeTry(run.runId, 'late', -1, 1))).rejects.toThrow('the run-metadata store is closed: it was used after close()');
    await own.close();
  });
});

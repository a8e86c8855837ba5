/**
 * The store conformance suite (hono's pattern: one set of cases, every implementation): the
 * embedded SQLite store (in memory and on a file) and the DynamoDB store of AWS on a real
 * DynamoDB API (dynalite). A new implementation is done when these pass.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SqliteStore,
  type PoolHolder,
  type PoolSlots,
  type RunRecord,
  type Store,
  type TaskRecord,
  type TryRecord,
} from '../../src/store/index.ts';
import { poolHolderKey } from '../../src/store/types.ts';
import { startDynalite } from '../support/dynalite.ts';

interface Implementation {
  readonly name: string;
  open(): Promise<{ store: Store & PoolSlots; close(): Promise<void> }>;
}

const implementations: Implementation[] = [
  {
    name: 'sqlite (memory)',
    open: async () => {
      const store = new SqliteStore({ file: ':memory:' });
      return { store, close: () => store.close() };
    },
  },
  {
    name: 'sqlite (file)',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'updraft-conformance-'));
      const store = new SqliteStore({ file: path.join(dir, 'updraft.db') });
      return {
        store,
        close: async () => {
          await store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    open: async () => {
      const d = await startDynalite();
      return { store: d.store, close: () => d.close() };
    },
  },
];

describe.each(implementations)('store conformance: $name', (impl) => {
  let store: Store & PoolSlots;
  let close: () => Promise<void>;
  let unique = 0;

  beforeAll(async () => {
    ({ store, close } = await impl.open());
  });
  afterAll(async () => {
    await close();
  });

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
    return {
      runId,
      taskId,
      mapIndex,
      tryNumber,
      runAttempt: 1,
      state: 'success',
      startedAt: '2026-11-20T00:01:00.000Z',
      endedAt: '2026-11-20T00:01:02.000Z',
      durationMs: 2000,
    };
  }
  const runId = () => `counters-run-${++unique}`;

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
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.createRun({ ...run, attempt: i + 1 })),
      );
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
      const running = await store.updateRun(
        run.runId,
        {
          status: 'running',
          startedAt: '2026-11-20T00:00:02.000Z',
          owner: { pid: 42, host: 'h', heartbeatAt: 't' },
        },
        { ifStatus: ['queued'] },
      );
      expect(running).toEqual({
        ...run,
        status: 'running',
        startedAt: '2026-11-20T00:00:02.000Z',
        owner: { pid: 42, host: 'h', heartbeatAt: 't' },
      });

      expect(
        await store.updateRun(run.runId, { status: 'failed' }, { ifStatus: ['queued'] }),
      ).toBeUndefined();
      expect(
        await store.updateRun(run.runId, { status: 'failed' }, { ifStatus: [] }),
      ).toBeUndefined();
      expect((await store.getRun(run.runId))?.status).toBe('running');

      const done = await store.updateRun(
        run.runId,
        { status: 'success', owner: undefined, endedAt: '2026-11-20T00:05:00.000Z' },
        { ifStatus: ['queued', 'running'] },
      );
      expect(done).toEqual({
        ...run,
        status: 'success',
        startedAt: '2026-11-20T00:00:02.000Z',
        endedAt: '2026-11-20T00:05:00.000Z',
      });
      expect(await store.getRun(run.runId)).toEqual(done);
    });

    it('never creates a run by updating one that does not exist', async () => {
      expect(await store.updateRun('ghost__x', { status: 'running' })).toBeUndefined();
      expect(await store.updateRun('ghost__x', {})).toBeUndefined();
      expect(await store.getRun('ghost__x')).toBeUndefined();
    });

    it('keeps the active-runs index in step with the status', async () => {
      const before = new Set((await store.activeRuns()).map((r) => r.runId));
      const fresh = async (): Promise<string[]> =>
        (await store.activeRuns()).map((r) => r.runId).filter((id) => !before.has(id));
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
      const extract: TaskRecord = {
        runId: run.runId,
        dagId: run.dagId,
        taskId: 'extract',
        state: 'running',
        attempts: 1,
        startedAt: 's',
      };
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
      const extractDone: TaskRecord = {
        ...extract,
        state: 'success',
        endedAt: 'e',
        output: [1, 'two', { three: null }, ''],
      };
      await store.putTask(extractDone);
      expect(await store.listTasks(run.runId)).toEqual([extractDone, load]);
      expect(await store.listTasks('other__run')).toEqual([]);
    });

    it('lists tries by task, map index and try number', async () => {
      const { run } = await store.createRun(makeRun());
      const tries = [
        makeTry(run.runId, 'b', 9, 1),
        makeTry(run.runId, 'a', -1, 2),
        makeTry(run.runId, 'b', 10, 1),
        makeTry(run.runId, 'a', -1, 1),
        makeTry(run.runId, 'a_b', -1, 1),
      ];
      for (const t of tries) await store.putTry(t);
      const failed: TryRecord = {
        ...makeTry(run.runId, 'b', 9, 2),
        state: 'failed',
        error: { error: 'States.Timeout', cause: 'timed out' },
      };
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
        {
          runId: run.runId,
          dagId: run.dagId,
          taskId: 'load',
          direction: 'out' as const,
          dataset,
          at: '2026-11-20T00:02:00.000Z',
        },
        {
          runId: run.runId,
          dagId: run.dagId,
          taskId: 'extract',
          direction: 'in' as const,
          dataset: 's3://raw/x',
          at: '2026-11-20T00:01:00.000Z',
        },
        {
          runId: run.runId,
          dagId: run.dagId,
          taskId: 'extract',
          direction: 'out' as const,
          dataset,
          at: '2026-11-20T00:01:30.000Z',
        },
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
      const message = (runId: string, seq: number, at: string) => ({
        runId,
        seq,
        taskId: 'notify',
        service: 'sns' as const,
        target: 'arn:aws:sns:us-east-1:1:t',
        message: { seq, text: 'hi' },
        at,
      });
      const m = [
        message(r1, 2, '2050-01-01T00:00:03.000Z'),
        message(r2, 1, '2050-01-01T00:00:02.000Z'),
        message(r1, 1, '2050-01-01T00:00:01.000Z'),
      ];
      for (const msg of m) await store.putOutbox(msg);
      expect(await store.listOutbox(r1)).toEqual([m[2], m[0]]);
      expect((await store.listOutbox()).filter((x) => x.runId === r1 || x.runId === r2)).toEqual([
        m[2],
        m[1],
        m[0],
      ]);
    });
  });

  describe('try counter', () => {
    it('counts 1, 2, 3 per task instance, separately for each task and map index', async () => {
      const run = runId();
      expect([
        await store.nextTry(run, 'a', -1),
        await store.nextTry(run, 'a', -1),
        await store.nextTry(run, 'a', -1),
      ]).toEqual([1, 2, 3]);
      expect(await store.nextTry(run, 'a', 0)).toBe(1);
      expect(await store.nextTry(run, 'ab', -1)).toBe(1);
      expect(await store.nextTry(runId(), 'a', -1)).toBe(1);
    });

    it('never gives two concurrent callers the same number', async () => {
      const run = runId();
      const numbers = await Promise.all(
        Array.from({ length: 20 }, () => store.nextTry(run, 'a', 3)),
      );
      expect([...numbers].sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });

    it('keeps poke state beside the counter without disturbing it, and out of task and try listings', async () => {
      const run = runId();
      expect(await store.getPokes(run, 's', -1)).toBeUndefined();
      await store.nextTry(run, 's', -1);
      await store.putPokes(run, 's', -1, { waited: 60, n: 1, runAttempt: 1 });
      expect(await store.nextTry(run, 's', -1)).toBe(2);
      await store.putPokes(run, 's', -1, { waited: 180, n: 2, runAttempt: 1 });
      expect(await store.getPokes(run, 's', -1)).toEqual({ waited: 180, n: 2, runAttempt: 1 });
      expect(await store.listTasks(run)).toEqual([]);
      expect(await store.listTries(run)).toEqual([]);
    });
  });

  describe('dataset cursors', () => {
    it('starts absent, advances one version at a time, and keeps what each advance consumed', async () => {
      const dagId = `consumer${++unique}`;
      expect(await store.datasetCursor(dagId)).toBeUndefined();
      const run = makeRun({ dagId, triggeredBy: 'dataset' });
      const first = { dagId, version: 1, consumed: { 's3://a': 'k1' }, lastRun: run };
      expect(await store.advanceDatasetCursor(first)).toBe(true);
      expect(await store.datasetCursor(dagId)).toEqual(first);
      // From a version it no longer is at: refused, nothing changes.
      expect(await store.advanceDatasetCursor({ ...first, consumed: { 's3://a': 'kX' } })).toBe(
        false,
      );
      expect(await store.advanceDatasetCursor({ dagId, version: 3, consumed: {} })).toBe(false);
      const second = { dagId, version: 2, consumed: { 's3://a': 'k2', 's3://b': 'k3' } };
      expect(await store.advanceDatasetCursor(second)).toBe(true);
      expect(await store.datasetCursor(dagId)).toEqual(second);
    });

    it('lets exactly one of 20 concurrent advances from the same version win', async () => {
      const dagId = `consumer${++unique}`;
      await store.advanceDatasetCursor({ dagId, version: 1, consumed: {} });
      const won = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.advanceDatasetCursor({ dagId, version: 2, consumed: { 's3://a': `k${i}` } }),
        ),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = won.indexOf(true);
      expect(await store.datasetCursor(dagId)).toEqual({
        dagId,
        version: 2,
        consumed: { 's3://a': `k${winner}` },
      });
    });
  });

  describe('pauses', () => {
    it('keeps when a DAG was paused until it is unpaused, per DAG', async () => {
      const [a, b] = [`paused${++unique}`, `paused${++unique}`];
      expect(await store.pausedAt(a)).toBeUndefined();
      await store.setPaused(a, '2026-11-20T00:00:00.000Z');
      await store.setPaused(a, '2026-11-21T00:00:00.000Z');
      expect(await store.pausedAt(a)).toBe('2026-11-21T00:00:00.000Z');
      expect(await store.pausedAt(b)).toBeUndefined();
      await store.setPaused(a, undefined);
      await store.setPaused(b, undefined); // unpausing what is not paused changes nothing
      expect(await store.pausedAt(a)).toBeUndefined();
      expect(await store.pausedAt(b)).toBeUndefined();
    });
  });

  describe('pools', () => {
    const holderOf = (pool: string, runId: string, taskId: string, mapIndex = -1): PoolHolder => ({
      pool,
      holder: poolHolderKey(runId, taskId, mapIndex),
      runId,
      execution: runId,
    });

    it('takes a slot only while fewer than `slots` are held; acquiring again what it holds succeeds; a release frees one', async () => {
      const pool = `pool${++unique}`;
      const [a, b, c] = ['a', 'b', 'c'].map((t) => holderOf(pool, `run${unique}`, t));
      expect(await store.acquirePoolSlot(a!, 2)).toBe(true);
      expect(await store.acquirePoolSlot(b!, 2)).toBe(true);
      expect(await store.acquirePoolSlot(c!, 2)).toBe(false);
      expect(await store.acquirePoolSlot(a!, 2)).toBe(true); // already held: idempotent
      expect(await store.poolHolders(pool)).toEqual([a, b]);
      await store.releasePoolSlot(pool, a!.holder);
      await store.releasePoolSlot(pool, a!.holder); // nothing held: nothing happens
      await store.releasePoolSlot(`never${unique}`, a!.holder); // no such pool: nothing happens
      expect(await store.acquirePoolSlot(c!, 2)).toBe(true);
      expect(await store.poolHolders(pool)).toEqual([b, c]);
    });

    it('lets exactly 3 of 20 concurrent acquires of a 3-slot pool win', async () => {
      const pool = `pool${++unique}`;
      const holders = Array.from({ length: 20 }, (_, i) => holderOf(pool, `run${unique}`, 't', i));
      // The pool exists (as after a deploy): the race is for its slots.
      await store.acquirePoolSlot(holderOf(pool, 'warm-up', 't'), 3);
      await store.releasePoolSlot(pool, poolHolderKey('warm-up', 't', -1));
      const won = await Promise.all(holders.map((h) => store.acquirePoolSlot(h, 3)));
      expect(won.filter(Boolean)).toHaveLength(3);
      expect(await store.poolHolders(pool)).toEqual(holders.filter((_, i) => won[i]));
    });

    it('keeps pools apart and lists the holders of every pool by pool and holder', async () => {
      const [p1, p2] = [`pool${++unique}a`, `pool${unique}b`];
      const run = `run${unique}`;
      const h = [holderOf(p2, run, 'x'), holderOf(p1, run, 'y', 1), holderOf(p1, run, 'y', 0)];
      for (const x of h)
        expect(await store.acquirePoolSlot(x, 1 + (x.pool === p1 ? 1 : 0))).toBe(true);
      const mine = (await store.poolHolders()).filter((x) => x.pool === p1 || x.pool === p2);
      expect(mine).toEqual([h[2], h[1], h[0]]);
    });

    it('releases every slot of a run in every pool, or only those some executions acquired', async () => {
      const [p1, p2] = [`pool${++unique}a`, `pool${unique}b`];
      const [r1, r2] = [`run${unique}x`, `run${unique}y`];
      const first = holderOf(p1, r1, 'a');
      const resumed = { ...holderOf(p2, r1, 'b'), execution: `${r1}-r2` };
      const other = holderOf(p1, r2, 'a');
      for (const x of [first, resumed, other]) await store.acquirePoolSlot(x, 5);
      // The first execution's end releases what it acquired, not what the resumed one holds.
      expect(await store.releaseRunPoolSlots(r1, [r1])).toEqual([first]);
      expect(await store.releaseRunPoolSlots(r1, [r1, `${r1}-r3`])).toEqual([]);
      // Acquiring again from a newer execution makes the holder that execution's.
      await store.acquirePoolSlot({ ...other, execution: `${r2}-r2` }, 5);
      expect(await store.releaseRunPoolSlots(r2, [r2])).toEqual([]);
      expect(await store.releaseRunPoolSlots(r1)).toEqual([resumed]);
      expect(await store.poolHolders(p1)).toEqual([{ ...other, execution: `${r2}-r2` }]);
      expect(await store.poolHolders(p2)).toEqual([]);
    });
  });

  describe('notifications', () => {
    it('claims a notification once, even under 10 concurrent claims; its outcome overwrites the claim', async () => {
      const runId = (await store.createRun(makeRun())).run.runId;
      const claim = {
        runId,
        key: 'failure#1#-#-1#0#slack:alerts',
        dagId: 'd',
        event: 'failure' as const,
        channel: 'slack:alerts',
        state: 'sending' as const,
        attempts: 0,
        at: '2050-01-01T00:00:02.000Z',
        title: 'DAG d failed',
      };
      const won = await Promise.all(
        Array.from({ length: 10 }, () => store.claimNotification(claim)),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      const sent = {
        ...claim,
        state: 'sent' as const,
        attempts: 2,
        sentAt: '2050-01-01T00:00:03.000Z',
      };
      await store.putNotification(sent);
      expect(await store.claimNotification(claim)).toBe(false);
      const earlier = {
        ...claim,
        key: 'retry#1#t#-1#1#webhook:hook',
        event: 'retry' as const,
        taskId: 't',
        at: '2050-01-01T00:00:01.000Z',
      };
      expect(await store.claimNotification(earlier)).toBe(true);
      expect(await store.listNotifications(runId)).toEqual([earlier, sent]);
      expect(await store.listNotifications('no-such-run')).toEqual([]);
    });
  });

  describe('guarded updates and values', () => {
    it('applies a guarded update only below the counter, or equal to it in the given states', async () => {
      const run = makeRun();
      await store.createRun(run);
      expect(
        await store.updateRunGuarded(
          run.runId,
          { status: 'running' },
          { field: 'attempt', below: 1 },
        ),
      ).toBeUndefined();
      expect(
        await store.updateRunGuarded(
          run.runId,
          { status: 'running' },
          { field: 'attempt', below: 1, orEqualIn: ['queued'] },
        ),
      ).toEqual({ ...run, status: 'running' });
      expect(
        await store.updateRunGuarded(
          run.runId,
          { status: 'failed' },
          { field: 'attempt', below: 1, orEqualIn: ['queued'] },
        ),
      ).toBeUndefined();
      expect(
        await store.updateRunGuarded(
          run.runId,
          { status: 'success', attempt: 2 },
          { field: 'attempt', below: 2 },
        ),
      ).toEqual({ ...run, status: 'success', attempt: 2 });
      // A missing counter counts as 0.
      expect(
        await store.updateRunGuarded(
          run.runId,
          { notifiedAttempt: 2 },
          { field: 'notifiedAttempt', below: 2 },
        ),
      ).toMatchObject({ notifiedAttempt: 2 });
      expect(
        await store.updateRunGuarded(
          run.runId,
          { notifiedAttempt: 2 },
          { field: 'notifiedAttempt', below: 2 },
        ),
      ).toBeUndefined();
      expect(
        await store.updateRunGuarded(
          'ghost__y',
          { status: 'failed' },
          { field: 'attempt', below: 9 },
        ),
      ).toBeUndefined();
      expect(
        await store.updateRunGuarded(run.runId, {}, { field: 'attempt', below: 9 }),
      ).toBeUndefined();
      expect((await store.activeRuns()).map((r) => r.runId)).not.toContain(run.runId);
    });

    it('patches a run the same way guarded or not: an undefined status is left as it is, other undefined fields are removed', async () => {
      const run = makeRun({ error: { error: 'E', cause: 'c' } });
      await store.createRun(run);
      const { error: _error, ...withoutError } = run;
      const patch = { status: undefined, error: undefined, notifiedAttempt: 1 };
      expect(
        await store.updateRunGuarded(run.runId, patch, { field: 'notifiedAttempt', below: 1 }),
      ).toEqual({ ...withoutError, notifiedAttempt: 1 });
      expect(await store.updateRun(run.runId, { ...patch, notifiedAttempt: 2 })).toEqual({
        ...withoutError,
        notifiedAttempt: 2,
      });
      expect((await store.activeRuns()).map((r) => r.runId)).toContain(run.runId);
    });

    it('counts a missing counter as 0 for a guard at 0: below fails, equal in the given states applies', async () => {
      const run = makeRun();
      await store.createRun(run);
      expect(
        await store.updateRunGuarded(
          run.runId,
          { notifiedAttempt: 1 },
          { field: 'notifiedAttempt', below: 0 },
        ),
      ).toBeUndefined();
      expect(
        await store.updateRunGuarded(
          run.runId,
          { notifiedAttempt: 1 },
          { field: 'notifiedAttempt', below: 0, orEqualIn: ['queued'] },
        ),
      ).toMatchObject({ notifiedAttempt: 1 });
    });

    it('stores a value with a "__proto__" key without polluting any prototype; unicode survives', async () => {
      // The AWS SDK's marshaller drops a "__proto__" key (SQLite keeps it as a plain key): both
      // are safe, neither crashes, every other key is kept.
      const conf = JSON.parse('{"__proto__": {"polluted": true}, "name": "Zoë ✓ 数据"}') as Record<
        string,
        unknown
      >;
      const { run } = await store.createRun(makeRun({ conf }));
      const back = await store.getRun(run.runId);
      expect(back!.conf.name).toBe('Zoë ✓ 数据');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(back!.conf)).toBe(Object.prototype);
    });
  });
});

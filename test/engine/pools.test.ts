/**
 * Pools on the embedded engine, which runs the compiled acquire and release states against the
 * store's pools (engine/local-pools): never more tasks holding a pool's slots than it has, across
 * mapped instances, DAGs and runs (read from the try records' start and end times); every slot
 * given back on success and on failure; the dead-run check gives back what nobody will. A killed
 * process and task timeouts: pools.slow.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDagIR, dag, pool, PermanentError, sensor, task, type Dag } from 'updraft';
import { openLocalStore, type LocalStore } from '../../src/store/index.ts';
import { poolHolderKey } from '../../src/store/types.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { peak } from './peak.ts';

let local: LocalStore;
beforeEach(async () => {
  local = await openLocalStore({});
});
afterEach(async () => {
  await local.close();
});

function engineFor(dags: readonly Dag[]): LocalEngine {
  return new LocalEngine({
    store: local.store,
    objects: new MemoryObjectStore(),
    dags: dags.map((d) => ({ dag: d, ir: buildDagIR(d, 'test.ts').ir })),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const three = pool('warehouse', { slots: 3 });

function mappedDag(id: string, items: number): Dag {
  return dag(id, { schedule: '@daily', startDate: '2026-11-01' }, () => {
    const list = task('list', async () => Array.from({ length: items }, (_, i) => i))();
    const load = task('load', { pool: three }, async (_c, n: number) => {
      await sleep(15);
      return n;
    }).map(list);
    task('sum', async (_c, xs: number[]) => xs.length)(load);
  });
}

describe('a pool of 3 slots', () => {
  it('runs at most 3 of 20 mapped instances at once, all of them, and is empty after', async () => {
    const engine = engineFor([mappedDag('twenty', 20)]);
    const { run, result } = await engine.trigger('twenty', { date: '2026-11-20' });
    expect(run.status).toBe('success');
    expect(result?.tasks.sum?.output).toBe(20);
    const tries = await local.store.listTries(run.runId, 'load');
    expect(tries.map((t) => [t.mapIndex, t.state])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i, 'success']),
    );
    // Without the pool the Map would run all 20 at once; with it, exactly 3 at a time.
    expect(peak(tries)).toBe(3);
    expect(await local.store.poolHolders()).toEqual([]);
  });

  it('holds in a Distributed Map: 250 instances (the list in the payload store), each a child execution, 3 at once', async () => {
    const engine = engineFor([mappedDag('wide', 250)]);
    const { run, result } = await engine.trigger('wide', { date: '2026-11-20' });
    expect(run.status).toBe('success');
    expect(result?.tasks.sum?.output).toBe(250);
    expect(result?.tasks.list?.output).toMatchObject({ items: 250 });
    const tries = await local.store.listTries(run.runId, 'load');
    expect(tries.filter((t) => t.state === 'success')).toHaveLength(250);
    expect(peak(tries)).toBe(3);
    expect(await local.store.poolHolders()).toEqual([]);
  });

  it('is shared by the tasks of two DAGs running at once: at most 3 of their instances run', async () => {
    const engine = engineFor([mappedDag('left', 10), mappedDag('right', 10)]);
    const [a, b] = await Promise.all([
      engine.trigger('left', { date: '2026-11-20' }),
      engine.trigger('right', { date: '2026-11-20' }),
    ]);
    expect([a.run.status, b.run.status]).toEqual(['success', 'success']);
    const tries = [
      ...(await local.store.listTries(a.run.runId, 'load')),
      ...(await local.store.listTries(b.run.runId, 'load')),
    ];
    expect(tries.filter((t) => t.state === 'success')).toHaveLength(20);
    expect(peak(tries)).toBe(3);
    expect(await local.store.poolHolders()).toEqual([]);
  });
});

describe('a slot is given back', () => {
  it('when the pooled task fails: the next task of the pool gets the only slot while the run goes on', async () => {
    const solo = pool('solo', { slots: 1 });
    const d = dag('fails', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      const boom = task('boom', { pool: solo }, async () => {
        throw new PermanentError('the warehouse refused the load');
      })();
      boom.then(task('after', { pool: solo, triggerRule: 'all_done' }, async () => 'ran'));
    });
    const { run, result } = await engineFor([d]).trigger('fails', { date: '2026-11-20' });
    // Had the failure kept the slot, "after" would wait for it until the run's end.
    expect(result?.tasks.boom?.state).toBe('failed');
    expect(result?.tasks.after).toMatchObject({ state: 'success', output: 'ran' });
    expect(run.status).toBe('success'); // its leaf succeeded (Airflow: the leaves decide)
    expect(await local.store.poolHolders()).toEqual([]);
  }, 5000);

  it('when a pooled sensor times out, skipped (soft fail) or failed: the next task of the pool gets it', async () => {
    const solo = pool('solo', { slots: 1 });
    const d = dag('sensing', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      const timing = { pool: solo, pokeInterval: '1m', timeout: '3m' } as const;
      const soft = sensor('soft', { ...timing, softFail: true }, async () => false)();
      const hard = sensor('hard', timing, async () => false)();
      const after = task('after', { pool: solo, triggerRule: 'all_done' }, async () => 'ran')();
      soft.then(after);
      hard.then(after);
    });
    const { result } = await engineFor([d]).trigger('sensing', { date: '2026-11-20' });
    expect(result?.tasks.soft?.state).toBe('skipped');
    expect(result?.tasks.hard).toMatchObject({
      state: 'failed',
      error: { error: 'Updraft.SensorTimeout' },
    });
    expect(result?.tasks.after).toMatchObject({ state: 'success', output: 'ran' });
    expect(await local.store.poolHolders()).toEqual([]);
  }, 5000);
});

describe('waiting for a slot', () => {
  it('counts only the time really waited, not waits another branch skipped meanwhile', async () => {
    const solo = pool('solo', { slots: 1 });
    let pokes = 0;
    const d = dag('skips', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      task('first', { pool: solo }, async () => sleep(100))();
      task('second', { pool: solo }, async () => 'ran')();
      // While second waits for first, this branch's 5-hour poke interval is skipped by the clock.
      const nap = task('nap', async () => sleep(20))();
      nap.then(sensor('later', { pokeInterval: '5h', timeout: '1d' }, async () => ++pokes > 1));
    });
    const { run, result } = await engineFor([d]).trigger('skips', { date: '2026-11-20' });
    expect(result?.tasks.later?.state).toBe('success');
    // Whichever of first and second waited for the other, neither failed with Updraft.PoolTimeout.
    expect(result?.tasks.first?.state).toBe('success');
    expect(result?.tasks.second).toMatchObject({ state: 'success', output: 'ran' });
    expect(run.status).toBe('success');
    // The all-success path, the sensor's second poke (3 states), and at most one retry of the
    // task that waited ~0.1 s (AWS retries after 1 s): not the 250 of a wait the clock jumped.
    const allSuccess = compileDag(buildDagIR(d, 'skips.ts').ir).analysis.transitions.allSuccess;
    expect(run.transitions! - allSuccess - 3).toBeGreaterThanOrEqual(0);
    expect(run.transitions! - allSuccess - 3).toBeLessThanOrEqual(1);
  }, 5000);
});

describe('the dead-run check', () => {
  it('gives back the slots of runs that ended or whose process died, and keeps those of running runs', async () => {
    const d = mappedDag('held', 1);
    const engine = engineFor([d]);
    const at = '2026-11-20T00:00:00.000Z';
    const base = {
      dagId: 'held',
      logicalDate: at,
      dataIntervalStart: at,
      dataIntervalEnd: at,
      triggeredBy: 'manual' as const,
      conf: {},
      attempt: 1,
      queuedAt: at,
    };
    // Ctrl-C marks a run failed and exits: its slots stay until someone gives them back.
    const interrupted = { ...base, runId: 'held-a', key: 'a', status: 'failed' as const };
    const dead = {
      ...base,
      runId: 'held-b',
      key: 'b',
      status: 'running' as const,
      owner: { pid: 2 ** 22 + 11, host: (await import('node:os')).hostname(), heartbeatAt: at },
    };
    const alive = {
      ...base,
      runId: 'held-c',
      key: 'c',
      status: 'running' as const,
      owner: { pid: process.pid, host: (await import('node:os')).hostname(), heartbeatAt: at },
    };
    for (const r of [interrupted, dead, alive]) {
      await local.store.createRun(r);
      await local.store.acquirePoolSlot(
        {
          pool: 'warehouse',
          holder: poolHolderKey(r.runId, 'load', 0),
          runId: r.runId,
          execution: r.runId,
        },
        3,
      );
    }
    expect(await engine.reapDeadRuns()).toEqual(['held-b']);
    expect((await local.store.poolHolders()).map((h) => h.runId)).toEqual(['held-c']);
  });
});

/**
 * Pools where seconds pass or processes die (the slow project): two `updraft run` processes whose
 * DAGs share a 3-slot pool never run more than 3 of its tasks at once; a process killed with
 * SIGKILL while its task holds the only slot does not keep it (the next command's dead-run check
 * gives it back, and `updraft retry` resumes the run); a task that times out, and a run that
 * times out as a whole, give their slots back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDagIR, dag, pool, task } from 'updraft';
import { runDag } from 'updraft/testing';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { openLocalStore } from '../../src/store/local.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { peak } from './peak.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/updraft.js');
const node = process.execPath.includes('node_modules')
  ? process.execPath
  : join(root, 'node_modules/node/bin/node');
// Inside the package, so the DAG files' `import … from 'updraft'` resolves to this checkout.
const dir = join(root, 'test', `.tmp-pools-${process.pid}`);
const database = join(dir, '.updraft', 'updraft.db');

const POOLS = `
import { pool } from 'updraft';
export const three = pool('three', { slots: 3 });
export const gate = pool('gate', { slots: 1 });
`;
const mapped = (id: string) => `
import { dag, task } from 'updraft';
import { three } from './_pools.ts';
export default dag('${id}', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  const list = task('list', async () => Array.from({ length: 10 }, (_, i) => i))();
  task('load', { pool: three }, async (_c, n: number) => {
    await new Promise((r) => setTimeout(r, 60));
    return n;
  }).map(list);
});
`;
const HOLDER = `
import { existsSync, writeFileSync } from 'node:fs';
import { dag, task } from 'updraft';
import { gate } from './_pools.ts';
const here = (f: string) => new URL('../' + f, import.meta.url);
export default dag('holder', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('hold', { pool: gate }, async () => {
    writeFileSync(here('holding'), '');
    if (existsSync(here('hang'))) await new Promise(() => setInterval(() => undefined, 1000));
    return 'held';
  })();
});
`;
const WAITER = `
import { dag, task } from 'updraft';
import { gate } from './_pools.ts';
export default dag('waiter', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('use', { pool: gate }, async () => 'used')();
});
`;

function cli(args: string[], timeout = 30_000) {
  const r = spawnSync(node, [bin, ...args, '--no-color'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function withStore<T>(work: (s: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ file: database });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', '_pools.ts'), POOLS);
  writeFileSync(join(dir, 'dags', 'left.ts'), mapped('left'));
  writeFileSync(join(dir, 'dags', 'right.ts'), mapped('right'));
  writeFileSync(join(dir, 'dags', 'holder.ts'), HOLDER);
  writeFileSync(join(dir, 'dags', 'waiter.ts'), WAITER);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pools across processes', () => {
  it('two updraft run processes sharing a 3-slot pool run at most 3 of its tasks at once', async () => {
    const run = (id: string) =>
      new Promise<number | null>((resolve) =>
        spawn(node, [bin, 'run', id, '--date', '2026-11-20', '--no-color'], {
          cwd: dir,
          stdio: 'ignore',
        }).once('exit', resolve),
      );
    expect(await Promise.all([run('left'), run('right')])).toEqual([0, 0]);
    await withStore(async (store) => {
      const tries = [
        ...(await store.listTries('left-2026-11-20T00-00-00Z', 'load')),
        ...(await store.listTries('right-2026-11-20T00-00-00Z', 'load')),
      ];
      expect(tries.filter((t) => t.state === 'success')).toHaveLength(20);
      expect(peak(tries)).toBeLessThanOrEqual(3);
      expect(await store.poolHolders()).toEqual([]);
    });
  });

  it('a process killed while its task holds the only slot does not keep it', async () => {
    writeFileSync(join(dir, 'hang'), '');
    const child = spawn(node, [bin, 'run', 'holder', '--date', '2026-11-20', '--no-color'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(dir, 'holding')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const holderRun = 'holder-2026-11-20T00-00-00Z';
    expect(await withStore((s) => s.poolHolders('gate'))).toEqual([
      { pool: 'gate', holder: `${holderRun}#hold#-1`, runId: holderRun, execution: holderRun },
    ]);

    // The next command finds the dead run, marks it failed and gives its slot back: the waiter runs.
    const waiter = cli(['run', 'waiter', '--date', '2026-11-20'], 20_000);
    expect(waiter.err).toContain(`⚠ run ${holderRun} was left running by a process that ended`);
    expect(waiter.code).toBe(0);
    expect(await withStore((s) => s.poolHolders())).toEqual([]);

    // And the killed run resumes, taking the slot again and giving it back.
    rmSync(join(dir, 'hang'));
    const retry = cli(['retry', holderRun]);
    expect(retry.code).toBe(0);
    expect(retry.out).toContain(`✔ success  ${holderRun}`);
    expect(await withStore((s) => s.poolHolders())).toEqual([]);
  });
});

describe('timeouts give slots back', () => {
  const solo = pool('solo', { slots: 1 });

  it('a pooled task that times out: the next task of the pool gets the slot', async () => {
    const d = dag('times_out', {}, () => {
      const slow = task('slow', { pool: solo, timeout: '1s' }, async () => {
        await new Promise((r) => setTimeout(r, 5000));
      })();
      slow.then(task('after', { pool: solo, triggerRule: 'all_done' }, async () => 'ran'));
    });
    const r = await runDag(d);
    expect(r.tasks.slow).toMatchObject({ state: 'failed', error: { error: 'States.Timeout' } });
    expect(r.tasks.after).toMatchObject({ state: 'success', output: 'ran' });
  }, 10_000);

  it('a run that times out while a pooled task holds its slot and others wait gives every slot back', async () => {
    let ran = 0;
    const d = dag('run_times_out', { runTimeout: '1s' }, () => {
      const list = task('list', async () => [1, 2, 3])();
      task('each', { pool: solo }, async () => {
        ran++;
        await new Promise((r) => setTimeout(r, 3000));
      }).map(list);
    });
    const local = await openLocalStore({});
    try {
      const engine = new LocalEngine({
        store: local.store,
        objects: new MemoryObjectStore(),
        dags: [{ dag: d, ir: buildDagIR(d, 'd.ts').ir }],
      });
      const { run } = await engine.trigger('run_times_out', { date: '2026-11-20' });
      expect(run.status).toBe('failed');
      expect(run.error?.error).toBe('States.Timeout');
      expect(ran).toBe(1); // one held the only slot; the others waited until the run ended
      expect(await local.store.poolHolders()).toEqual([]);
    } finally {
      await local.close();
    }
  }, 10_000);
});

/**
 * Task isolation cost: the same 100-task no-op DAGs (a chain and a fan-out) run on the embedded
 * engine with task code in process and in the engine's worker threads (engine/worker-pool), as
 * ratios in one process; and what a fresh container costs: a worker thread (tsx + the DAG
 * module) against a child process loading the same module, which is why the pool uses threads.
 *
 *   npx tsx bench/isolation.ts        # ≈ 1 min on 2 cores
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../src/loader/load-project.ts';
import { openLocalStore } from '../src/store/index.ts';
import { MemoryObjectStore } from '../src/runtime/objects.ts';
import { LocalEngine, type EngineDag } from '../src/engine/engine.ts';
import { WorkerPool } from '../src/engine/worker-pool.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 9;
// Inside the package, so the DAG file's `import … from 'updraft'` resolves to this checkout.
const dir = path.join(repo, 'bench', `.tmp-isolation-${process.pid}`);
const DAGS = `
import { dag, task } from 'updraft';
const noop = async () => null;
export const chain = dag('chain_100', {}, () => {
  let prev = task('t0', noop)();
  for (let i = 1; i < 100; i++) prev = prev.then(task('t' + i, noop));
});
export const fan = dag('fan_out_100', {}, () => {
  const start = task('start', noop)();
  const end = task('end', noop)();
  for (let i = 0; i < 98; i++) start.then(task('w' + i, noop)).then(end);
});
`;
mkdirSync(path.join(dir, 'dags'), { recursive: true });
writeFileSync(path.join(dir, 'dags', 'noop.ts'), DAGS);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let day = 0;
const nextDate = () =>
  new Date(Date.UTC(2026, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);

try {
  const project = await loadProject('dags', { root: dir });
  const dags: EngineDag[] = project.dags.map((d) => ({
    dag: d.dag,
    ir: d.ir,
    file: path.join(dir, d.file),
  }));
  const local = await openLocalStore({});
  const inProcess = new LocalEngine({
    store: local.store,
    objects: new MemoryObjectStore(),
    dags,
    workers: false,
  });
  const isolated = new LocalEngine({ store: local.store, objects: new MemoryObjectStore(), dags });

  const timed = async (engine: LocalEngine, dagId: string) => {
    const start = performance.now();
    const { run } = await engine.trigger(dagId, { date: nextDate() });
    await engine.flush();
    if (run.status !== 'success') throw new Error(`${dagId}: ${run.status}`);
    return performance.now() - start;
  };

  // First runs: JIT warm-up in process; in workers, also the workers' start (tsx, the DAG module).
  await timed(inProcess, 'chain_100');
  const coldChain = await timed(isolated, 'chain_100');
  const coldFan = await timed(isolated, 'fan_out_100');

  const rows: string[] = [];
  for (const dagId of ['chain_100', 'fan_out_100']) {
    const here: number[] = [];
    const there: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      here.push(await timed(inProcess, dagId));
      there.push(await timed(isolated, dagId));
    }
    const a = median(here);
    const b = median(there);
    rows.push(
      `| ${dagId} | ${a.toFixed(0)} ms | ${b.toFixed(0)} ms | ${(b / a).toFixed(2)}× | ${((b - a) / 100).toFixed(2)} ms |`,
    );
  }
  await isolated.close();
  await local.close();

  // A fresh container: a pool's first task (thread start, tsx, the DAG module, one no-op call) …
  const file = path.join(dir, 'dags', 'noop.ts');
  const threadStarts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const pool = new WorkerPool();
    const start = performance.now();
    const log = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const at = new Date();
    await pool.run(file, {
      dagId: 'chain_100',
      taskId: 't0',
      args: [],
      timeoutSeconds: 60,
      context: {
        dagId: 'chain_100',
        runId: 'r',
        taskId: 't0',
        logicalDate: at,
        ds: '2026-01-01',
        dataInterval: { start: at, end: at },
        params: {},
        attempt: 1,
        triggeredBy: 'manual',
        log,
        connection: () => Promise.reject(new Error('none')),
        datasetExtra: () => undefined,
      },
    });
    threadStarts.push(performance.now() - start);
    await pool.close();
  }
  // … against a child process of the same Node loading tsx and the same module.
  const processStarts: number[] = [];
  const script = `const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(new URL(`file://${file}`).href)});`;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo });
    if (r.status !== 0) throw new Error(String(r.stderr));
    processStarts.push(performance.now() - start);
  }

  console.log('| DAG (no-op tasks) | in process | worker threads | ratio | added per task |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(
    `\nFirst run in workers (workers start): chain_100 ${coldChain.toFixed(0)} ms, fan_out_100 ${coldFan.toFixed(0)} ms`,
  );
  console.log(
    `Fresh container, median of ${RUNS}: worker thread ${median(threadStarts).toFixed(0)} ms; child process ${median(processStarts).toFixed(0)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

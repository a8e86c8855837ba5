/**
 * Embedded engine speed: end-to-end local run time of no-op DAGs once started (store open, DAG
 * built and compiled are start-up, measured separately), for 100 and 1000 tasks in several
 * shapes and one task mapped over 1000 items; and the whole `updraft run daily_orders` process.
 * A run is `engine.trigger` + `engine.flush()`: the compiled state machine on
 * aws-local-stepfunctions plus every run/task/try record committed to the SQLite store. Prints Markdown
 * tables for BENCHMARKS.md. Goals (from the issue): < 0.5 s for 100 tasks, < 3 s for 1000.
 *
 *   npx tsx bench/run-local.ts        # ≈ 2 min on 2 cores
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDagIR, type Dag } from '../src/sdk/index.ts';
import { chain, fanOut, layers, mapped } from './shapes.ts';
import { compileDag, type CompileResult } from '../src/compiler/index.ts';
import type { DagIR } from '../src/ir/types.ts';
import { openLocalStore, type LocalStore } from '../src/store/index.ts';
import { MemoryObjectStore } from '../src/runtime/objects.ts';
import { LocalEngine } from '../src/engine/engine.ts';
import { VirtualClock } from '../src/engine/clock.ts';
import { runMachine } from '../src/engine/run-machine.ts';
import { intervalFor, logicalDateKey } from '../src/schedule/index.ts';
import { loadProject } from '../src/loader/load-project.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 5;
interface Case {
  readonly name: string;
  readonly tasks: string;
  readonly goalMs: number;
  readonly make: () => Dag;
}

const cases: Case[] = [
  { name: 'chain', tasks: '100', goalMs: 500, make: () => chain('chain_100', 100) },
  {
    name: '10-wide layers, fully connected',
    tasks: '100',
    goalMs: 500,
    make: () => layers('layers_100', 100),
  },
  { name: 'fan-out 1 → 98 → 1', tasks: '100', goalMs: 500, make: () => fanOut('fanout_100', 100) },
  {
    name: '10-wide layers, fully connected',
    tasks: '1000',
    goalMs: 3000,
    make: () => layers('layers_1000', 1000),
  },
  {
    name: 'fan-out 1 → 998 → 1',
    tasks: '1000',
    goalMs: 3000,
    make: () => fanOut('fanout_1000', 1000),
  },
  {
    name: 'one task mapped over 1000 items',
    tasks: '3 (1000 instances)',
    goalMs: 3000,
    make: () => mapped('mapped_1000', 1000),
  },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

/** Distinct logical dates (deterministic run ids: a repeated date would be a no-op). */
let day = 0;
function nextDate(): string {
  return new Date(Date.UTC(2026, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);
}

// ---- start-up: build IR, compile -------------------------------------------------------------

interface Prepared {
  readonly c: Case;
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly compiled: CompileResult;
  readonly deployable: boolean;
  readonly buildMs: number;
  readonly compileMs: number;
  readonly refusal?: string;
}

const prepared: Prepared[] = [];
for (const c of cases) {
  const t0 = performance.now();
  const d = c.make();
  const { ir, problems } = buildDagIR(d, `${d.id}.ts`);
  const buildMs = performance.now() - t0;
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`${d.id}: ${errors.map((p) => p.message).join('; ')}`);
  const t1 = performance.now();
  let compiled: CompileResult;
  let deployable = true;
  let refusal: string | undefined;
  try {
    compiled = compileDag(ir);
  } catch (error) {
    // Over Step Functions' 1 MiB definition limit: the engine's compiled() would refuse it too.
    refusal = (error as Error).message;
    deployable = false;
    compiled = compileDag(ir, { enforceLimits: false });
  }
  prepared.push({
    c,
    dag: d,
    ir,
    compiled,
    deployable,
    buildMs,
    compileMs: performance.now() - t1,
    ...(refusal && { refusal }),
  });
}
// A 1000-task chain is refused outright (recursion depth and definition size), so it is not measured.
let chainRefusal = '';
try {
  compileDag(buildDagIR(chain('chain_1000', 1000), 'chain_1000.ts').ir, { enforceLimits: false });
} catch (error) {
  chainRefusal = (error as Error).message;
}

const t2 = performance.now();
const memory = await openLocalStore({});
const openMemoryMs = performance.now() - t2;
const tmp = mkdtempSync(path.join(tmpdir(), 'updraft-bench-'));
const t3 = performance.now();
const persistent = await openLocalStore({ dir: path.join(tmp, '.updraft') });
const openPersistentMs = performance.now() - t3;

function engineOn(local: LocalStore): LocalEngine {
  const engine = new LocalEngine({
    store: local.store,
    objects: new MemoryObjectStore(),
    dags: prepared.map((p) => ({ dag: p.dag, ir: p.ir })),
  });
  // Pre-filled compile cache: compile is start-up (above), and the 1000-task layered DAG is over
  // the 1 MiB limit, which the engine's own compile (limits enforced) would refuse.
  const byId = new Map(prepared.map((p) => [p.ir.id, p.compiled]));
  engine.compiled = (dagId: string) => byId.get(dagId)!;
  return engine;
}
const engines = { memory: engineOn(memory), persistent: engineOn(persistent) };

async function timedRun(engine: LocalEngine, dagId: string): Promise<number> {
  const start = performance.now();
  const { run, created } = await engine.trigger(dagId, { date: nextDate() });
  await engine.flush();
  const elapsed = performance.now() - start;
  if (!created || run.status !== 'success')
    throw new Error(`${dagId}: run ${run.runId} ${created ? run.status : 'already existed'}`);
  return elapsed;
}

/** runMachine alone: no store, no engine bookkeeping (the state machine and the task runner). */
async function machineOnly(p: Prepared): Promise<number> {
  const date = nextDate();
  const logical = new Date(`${date}T00:00:00Z`).toISOString();
  const start = performance.now();
  const result = await runMachine({
    dag: p.dag,
    ir: p.ir,
    compiled: p.compiled,
    clock: new VirtualClock(),
    objects: new MemoryObjectStore(),
    run: {
      dagId: p.ir.id,
      runId: `${p.ir.id}-${date}`,
      key: date,
      logicalDate: logical,
      ds: date,
      dataIntervalStart: logical,
      dataIntervalEnd: logical,
      params: {},
      triggeredBy: 'manual',
      timers: {},
    },
  });
  const elapsed = performance.now() - start;
  if (result.status !== 'success') throw new Error(`${p.ir.id}: machine-only run ${result.status}`);
  return elapsed;
}

// The first run of the process (cold JIT, lazy module loading), untimed in the table below.
const cold = await timedRun(engines.memory, prepared[0]!.ir.id);

const runRows: string[] = [];
const startRows: string[] = [];
for (const p of prepared) {
  const memoryRuns: number[] = [];
  const persistentRuns: number[] = [];
  const machineRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    memoryRuns.push(await timedRun(engines.memory, p.ir.id));
    persistentRuns.push(await timedRun(engines.persistent, p.ir.id));
    machineRuns.push(await machineOnly(p));
  }
  const kib = p.compiled.analysis.definition.bytes / 1024;
  const flag = p.deployable ? '' : ' — over 1 MiB, refused: cannot deploy †';
  startRows.push(
    `| ${p.c.name} | ${p.c.tasks} | ${p.compiled.analysis.states.total} | ${kib.toFixed(0)} KiB${flag} | ${ms(p.buildMs)} | ${ms(p.compileMs)} |`,
  );
  const m = median(memoryRuns);
  const s = median(persistentRuns);
  const goal = `< ${ms(p.c.goalMs)}: ${Math.max(m, s) < p.c.goalMs ? 'met' : 'missed'}`;
  runRows.push(
    `| ${p.c.name}${p.deployable ? '' : ' †'} | ${p.c.tasks} | ${p.compiled.analysis.transitions.allSuccess} | ${ms(m)} | ${ms(s)} | ${ms(median(machineRuns))} | ${goal} |`,
  );
}
await memory.close();
await persistent.close();
rmSync(tmp, { recursive: true, force: true });

console.log('### Start-up (not in the run times)\n');
console.log('| step | time |\n|---|---|');
console.log(`| open the store in memory (SQLite :memory:, schema created) | ${ms(openMemoryMs)} |`);
console.log(
  `| open the store persistent (new \`.updraft/updraft.db\` in a temp dir: WAL, schema) | ${ms(openPersistentMs)} |`,
);
console.log(
  '\n| DAG | tasks | states | definition | build IR | compile |\n|---|---|---|---|---|---|',
);
console.log(startRows.join('\n'));
if (chainRefusal)
  console.log(
    '| chain | 1000 | — | refused by the compiler even without limits ("too long to compile"): not measured | | |',
  );

console.log(`\n### Run (trigger + flush, median of ${RUNS}; compile cache pre-filled)\n`);
console.log(
  '| DAG | tasks | transitions | run, store in memory | run, persistent store | machine only (runMachine, no store) | goal |\n|---|---|---|---|---|---|---|',
);
console.log(runRows.join('\n'));
console.log(
  `\nFirst run of the process (cold: JIT, lazy loads), ${prepared[0]!.ir.id}, store in memory: ${ms(cold)}.`,
);

// ---- the whole `updraft run` process --------------------------------------------------------

const node = path.join(repo, 'node_modules/node/bin/node');
const env = { ...process.env, UPDRAFT_CONN_WAREHOUSE: 'postgres://u:p@h/db' };
const project = await loadProject('dags', { root: repo });
const dailyOrders = project.dags.find((d) => d.ir.id === 'daily_orders')!.ir;
// Dates daily_orders has no run for yet in the project's .updraft (a repeated date is a no-op).
const existing = await openLocalStore({ dir: path.join(repo, '.updraft') });
const taken = new Set(
  (await existing.store.listRuns({ dagId: 'daily_orders', limit: 100_000 })).map((r) => r.key),
);
await existing.close();
const dates: string[] = [];
for (let d = Date.UTC(2026, 10, 20); dates.length < RUNS; d += 86_400_000) {
  const date = new Date(d).toISOString().slice(0, 10);
  if (!taken.has(logicalDateKey(intervalFor(dailyOrders, date, new Date()).logicalDate)))
    dates.push(date);
}

const cli: number[] = [];
for (const date of dates) {
  const start = performance.now();
  const r = spawnSync(node, ['bin/updraft.js', 'run', 'daily_orders', '--date', date, '--json'], {
    cwd: repo,
    env,
    encoding: 'utf8',
  });
  cli.push(performance.now() - start);
  const out =
    r.status === 0 ? (JSON.parse(r.stdout) as { status?: string; existing?: boolean }) : undefined;
  if (out?.status !== 'success' || out.existing)
    throw new Error(`updraft run daily_orders --date ${date} failed: ${r.stdout}${r.stderr}`);
}
const version: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  spawnSync(node, ['bin/updraft.js', '--version'], { cwd: repo, encoding: 'utf8' });
  version.push(performance.now() - start);
}

console.log(`\n### Whole process (median of ${RUNS})\n`);
console.log('| command | wall time |\n|---|---|');
console.log(
  `| \`updraft run daily_orders --date <5 distinct dates> --json\` (5 tasks; loads dags/, opens .updraft/updraft.db, runs, prints) | ${ms(median(cli))} |`,
);
console.log(`| \`updraft --version\` (Node + built CLI start-up only) | ${ms(median(version))} |`);
console.log(
  "| `airflow dags test` on Airflow's own small example DAGs (figure from the issue, not measured here) | 6–16 s |",
);

/**
 * Makespan on the embedded engine: the wall time of a run of sleeping tasks against the DAG's
 * critical path (longest path of sleeps). Tasks sleep with a real `setTimeout`; the engine's
 * virtual clock only skips Wait states and retry delays, never task time. The gap is the
 * fork/join tree's added waits (see bench/makespan.ts; 0 for series-parallel DAGs) plus the
 * engine's own overhead. Prints a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/makespan-local.ts     # ≈ 20 s
 */
import { buildDagIR, dag, task, type Dag } from '../src/sdk/index.ts';
import { compileDag, type CompileResult } from '../src/compiler/index.ts';
import type { DagIR } from '../src/ir/types.ts';
import { openLocalStore } from '../src/store/index.ts';
import { MemoryObjectStore } from '../src/runtime/objects.ts';
import { LocalEngine } from '../src/engine/engine.ts';
import { randomSeriesParallel } from '../src/util/random-dag.ts';
import { seededRandom } from '../src/util/seeded-random.ts';

const RUNS = 5;

type Edge = { readonly from: string; readonly to: string };
interface Shape {
  readonly name: string;
  /** Sleep per task id, in ms. */
  readonly sleeps: ReadonlyMap<string, number>;
  readonly edges: readonly Edge[];
}

const sleep = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));

/**
 * A DAG of sleeping tasks. The sleeps are also given as expected durations (1 ms of sleep = 1 s),
 * so the compiler's fork/join tree is chosen for these very durations, as for a real DAG. With
 * `asleep` false, the same DAG whose tasks return at once: the engine's own time for it.
 */
function sleepingDag(id: string, shape: Shape, asleep = true): Dag {
  return dag(id, {}, () => {
    const nodes = new Map<string, ReturnType<ReturnType<typeof task>>>();
    for (const [taskId, ms] of shape.sleeps) {
      nodes.set(
        taskId,
        task(taskId, { expectedDuration: `${ms}s` }, () => sleep(asleep ? ms : 0))(),
      );
    }
    for (const e of shape.edges) nodes.get(e.from)!.then(nodes.get(e.to)!);
  });
}

/** Longest path of sleeps. */
function criticalPath(shape: Shape): number {
  const ups = new Map<string, string[]>([...shape.sleeps.keys()].map((id) => [id, []]));
  for (const e of shape.edges) ups.get(e.to)!.push(e.from);
  const finish = new Map<string, number>();
  const at = (id: string): number => {
    if (!finish.has(id))
      finish.set(id, Math.max(0, ...ups.get(id)!.map(at)) + shape.sleeps.get(id)!);
    return finish.get(id)!;
  };
  return Math.max(...[...shape.sleeps.keys()].map(at));
}

function diamond(): Shape {
  return {
    name: 'diamond: a 100 ms → (b 200 ms ∥ c 300 ms) → d 100 ms',
    sleeps: new Map([
      ['a', 100],
      ['b', 200],
      ['c', 300],
      ['d', 100],
    ]),
    edges: [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ],
  };
}

function fanOut(): Shape {
  const sleeps = new Map<string, number>([
    ['start', 50],
    ['join', 50],
  ]);
  const edges: Edge[] = [];
  for (let i = 0; i < 10; i++) {
    sleeps.set(`w${i}`, 200);
    edges.push({ from: 'start', to: `w${i}` }, { from: `w${i}`, to: 'join' });
  }
  return { name: 'fan-out: start 50 ms → 10 × 200 ms → join 50 ms', sleeps, edges };
}

/** Random series/parallel composition (as in bench/makespan.ts), sleeps 50–300 ms. */
function randomSp(size: number, seed: number): Shape {
  const random = seededRandom(seed);
  const { ids, edges: generated } = randomSeriesParallel(size, random);
  const edges: Edge[] = [...generated];
  const sleeps = new Map(ids.map((id) => [id, 50 + Math.round(random() * 250)] as const));
  return { name: `random series-parallel, ${size} tasks, 50–300 ms (seed ${seed})`, sleeps, edges };
}

/**
 * The shape of dags/warehouse_refresh.ts (not series-parallel: build_facts needs both staging
 * tasks, build_dims only customers), its expected durations scaled to 50 ms per minute.
 */
function warehouseLike(): Shape {
  return {
    name: '`warehouse_refresh` shape, 50 ms per expected minute',
    sleeps: new Map([
      ['create_scratch', 50],
      ['stage_customers', 200],
      ['stage_orders', 450],
      ['build_dims', 150],
      ['build_facts', 300],
      ['refresh_stats', 50],
      ['drop_scratch', 50],
    ]),
    edges: [
      { from: 'create_scratch', to: 'stage_customers' },
      { from: 'create_scratch', to: 'stage_orders' },
      { from: 'stage_customers', to: 'build_dims' },
      { from: 'stage_customers', to: 'build_facts' },
      { from: 'stage_orders', to: 'build_facts' },
      { from: 'build_facts', to: 'refresh_stats' },
      { from: 'build_dims', to: 'drop_scratch' },
      { from: 'refresh_stats', to: 'drop_scratch' },
    ],
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const shapes: Shape[] = [diamond(), fanOut(), randomSp(20, 20), warehouseLike()];
interface Prepared {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly compiled: CompileResult;
}
function prepare(d: Dag): Prepared {
  const { ir, problems } = buildDagIR(d, `${d.id}.ts`);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`${d.id}: ${errors.map((p) => p.message).join('; ')}`);
  return { dag: d, ir, compiled: compileDag(ir) };
}
const prepared = shapes.map((shape, i) => ({
  shape,
  ...prepare(sleepingDag(`sleepy_${i}`, shape)),
  awake: prepare(sleepingDag(`awake_${i}`, shape, false)),
}));

const local = await openLocalStore({});
const engine = new LocalEngine({
  store: local.store,
  objects: new MemoryObjectStore(),
  dags: prepared.flatMap((p) => [p, p.awake]).map((p) => ({ dag: p.dag, ir: p.ir })),
});
let day = 0;
const run = async (dagId: string): Promise<number> => {
  const date = new Date(Date.UTC(2026, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);
  const start = performance.now();
  const { run: record, created } = await engine.trigger(dagId, { date });
  await engine.flush();
  const elapsed = performance.now() - start;
  if (!created || record.status !== 'success')
    throw new Error(`${dagId}: ${record.runId} ${record.status}`);
  return elapsed;
};
await run(prepared[0]!.ir.id); // warm-up (JIT, lazy loads), not counted

const rows: string[] = [];
for (const p of prepared) {
  const times: number[] = [];
  const noSleep: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push(await run(p.ir.id));
    noSleep.push(await run(p.awake.ir.id));
  }
  const cp = criticalPath(p.shape);
  // The compiler's tree with the same durations (expected seconds = sleep ms).
  const tree = p.compiled.structure.makespan;
  const wall = median(times);
  const transitions = p.compiled.analysis.transitions.allSuccess;
  rows.push(
    `| ${p.shape.name} | ${p.shape.sleeps.size} | ${cp} ms | ${tree} ms | ${wall.toFixed(0)} ms | ${(wall / cp).toFixed(3)} | ${(wall - tree).toFixed(0)} ms | ${median(noSleep).toFixed(0)} ms | ${transitions} |`,
  );
}
await local.close();

console.log(
  `| DAG | tasks | critical path | fork/join tree | wall (median of ${RUNS}) | wall / critical path | overhead (wall − tree) | same DAG, tasks return at once | transitions |`,
);
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));

/**
 * Issue 15's table on a seeded corpus: per shape, states and minified ASL per task, state
 * transitions per task of an all-success run (mapped instances count one each); the largest DAG
 * of a shape that compiles within Step Functions' limits; and the CPU a 1,000-task random DAG takes
 * to compile. The corpus: a chain, a fan-out, random layered DAGs, random series-parallel DAGs with
 * extra edges, and the example DAGs (test/fixtures/examples, the shipped copy).
 *
 *   npx tsx bench/lean.ts        # ≈ 1 min
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDag } from '../src/compiler/index.ts';
import type { DagIR } from '../src/ir/types.ts';
import { loadProject } from '../src/loader/load-project.ts';
import { buildDagIR, type Dag } from '../src/sdk/index.ts';
import { chain, fanOut, randomLayered, randomSp, randomSpPlus } from './shapes.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const irOf = (d: Dag): DagIR => buildDagIR(d, 'bench.ts').ir;

function row(name: string, ir: DagIR): string {
  const c = compileDag(ir, { enforceLimits: false });
  const n = ir.tasks.length;
  const a = c.analysis;
  return `| ${name} | ${n} | ${(a.states.total / n).toFixed(2)} | ${(a.definition.bytes / n / 1024).toFixed(2)} KiB | ${a.transitions.perTask.toFixed(2)} |`;
}

console.log(
  '### Per task\n\n| DAG | tasks | states per task | ASL per task (minified) | transitions per task |\n|---|---|---|---|---|',
);
const corpus: [string, () => Dag][] = [
  ['chain', () => chain('chain', 100)],
  ['fan-out 1 → 98 → 1', () => fanOut('fanout', 100)],
  ['random layered (seed 7)', () => randomLayered('layered', 100, 7)],
  ['random layered (seed 8)', () => randomLayered('layered', 100, 8)],
  ['random series-parallel (seed 3)', () => randomSp('sp', 100, 3)],
  ['series-parallel + 10 edges (seed 3)', () => randomSpPlus('spx', 100, 3, 10)],
];
for (const [name, make] of corpus) console.log(row(name, irOf(make())));
const examples = await loadProject('dags', { root: path.join(repo, 'test/fixtures/examples') });
for (const d of examples.dags) console.log(row(`example ${d.ir.id}`, d.ir));

/** The largest size (of `sizes`) whose DAG compiles within the limits, and the first that does not. */
function largest(make: (n: number) => Dag, sizes: readonly number[]): string {
  let ok = 0;
  for (const n of sizes) {
    try {
      compileDag(irOf(make(n)));
      ok = n;
    } catch (error) {
      return `${ok} (${n}: ${(error as Error).message.split(/[.:(]/)[0]!.trim()})`;
    }
  }
  return `${ok} or more`;
}
const sizes = [100, 200, 300, 400, 500, 600, 700, 800, 1000, 1500, 2000, 3000, 5000];
console.log('\n### Largest DAG that compiles\n\n| shape | tasks |\n|---|---|');
console.log(`| chain | ${largest((n) => chain('chain', n), sizes)} |`);
console.log(
  `| random layered (seed 7) | ${largest((n) => randomLayered('layered', n, 7), sizes)} |`,
);
console.log(`| random series-parallel (seed 3) | ${largest((n) => randomSp('sp', n, 3), sizes)} |`);

const big = irOf(randomLayered('layered', 1000, 7));
const cpu: number[] = [];
for (let i = 0; i < 3; i++) {
  const start = process.cpuUsage();
  compileDag(big, { enforceLimits: false });
  const used = process.cpuUsage(start);
  cpu.push((used.user + used.system) / 1000);
}
cpu.sort((a, b) => a - b);
console.log(
  `\n### Compile, 1,000-task random layered DAG (seed 7)\n\nCPU, median of 3: ${Math.round(cpu[1]!)} ms`,
);

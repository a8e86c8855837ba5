/**
 * Issue 15's table on a seeded corpus: per shape, states and minified ASL per task, state
 * transitions per task of an all-success run (mapped instances count one each); DAGs of 1,000 to
 * 5,000 tasks of each shape, cut into parts where over one machine's limits (compiler/parts); and
 * the CPU a 1,000-task random DAG takes to compile. The corpus: a chain, a fan-out, random layered DAGs, random series-parallel DAGs with
 * extra edges, and the example DAGs (test/fixtures/examples, the shipped copy).
 *
 *   npx tsx bench/lean.ts        # ≈ 1.5 min
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
  // Issue 15 counts a mapped instance as one task: a mapped task is `mappedItemsAssumed` of them.
  const mapped = ir.tasks.filter((t) => t.mapping).length;
  const units = n + mapped * (a.transitions.mappedItemsAssumed - 1);
  return `| ${name} | ${n} | ${(a.states.total / n).toFixed(2)} | ${(a.definition.bytes / n / 1024).toFixed(2)} KiB | ${(a.transitions.allSuccess / units).toFixed(2)} |`;
}

console.log(
  '### Per task\n\n| DAG | tasks | states per task | ASL per task (minified) | transitions per task (a mapped instance counts as one) |\n|---|---|---|---|---|',
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

/** Compiles a large DAG: parts, the largest machine, worst-case history, transitions, CPU. */
function large(name: string, n: number, make: () => Dag): string {
  const ir = irOf(make());
  const start = process.cpuUsage();
  try {
    const c = compileDag(ir);
    const used = process.cpuUsage(start);
    const a = c.analysis;
    const largest = Math.max(a.definition.bytes, ...a.parts.map((p) => p.bytes));
    return `| ${name} | ${n.toLocaleString('en-US')} | ${c.parts.length} | ${(largest / 1024).toFixed(0)} KiB | ${a.history.worstCase.toLocaleString('en-US')} | ${a.transitions.perTask.toFixed(2)} | ${((used.user + used.system) / 1000).toFixed(0)} ms |`;
  } catch (error) {
    return `| ${name} | ${n.toLocaleString('en-US')} | refused: ${(error as Error).message.split(/[.:(]/)[0]!.trim()} | | | | |`;
  }
}
console.log(
  "\n### Large DAGs (cut into parts where over one machine's limits)\n\n| shape | tasks | parts | largest machine | worst-case history per execution | transitions per task | compile CPU |\n|---|---|---|---|---|---|---|",
);
for (const n of [1000, 2000, 5000]) {
  console.log(large('chain', n, () => chain('chain', n)));
  console.log(large('random layered (seed 7)', n, () => randomLayered('layered', n, 7)));
  console.log(large('random series-parallel (seed 3)', n, () => randomSp('sp', n, 3)));
}

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

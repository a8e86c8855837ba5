/**
 * Compiler figures: compile time for 10/100/1000-task DAGs (seeded random layered DAGs), and
 * state transitions per task of an all-success run for a chain, a wide fan-out, a diamond,
 * nested diamonds and the example DAGs (the goal is close to one per task: every bookkeeping
 * state is paid on every run). Prints Markdown tables for BENCHMARKS.md.
 *
 *   npx tsx bench/compile.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDagIR, dag, task, type Dag } from '../src/sdk/index.ts';
import { compileDag } from '../src/compiler/index.ts';
import { loadProject } from '../src/loader/load-project.ts';
import { randomLayered } from './shapes.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const noop = async () => null;

const layered = (size: number, seed: number): Dag => randomLayered(`layered_${size}`, size, seed);

const shapes: Record<string, () => Dag> = {
  'chain of 100': () =>
    dag('chain', {}, () => {
      let prev = task('t0', noop)();
      for (let i = 1; i < 100; i++) prev = prev.then(task(`t${i}`, noop));
    }),
  'fan-out 1 → 100 → 1': () =>
    dag('fanout', {}, () => {
      const start = task('start', noop)();
      const end = task('end', noop);
      const e = end();
      for (let i = 0; i < 100; i++) start.then(task(`w${i}`, noop)).then(e);
    }),
  'diamond (4 tasks)': () =>
    dag('diamond', {}, () => {
      const a = task('a', noop)();
      const d = task('d', noop)();
      a.then(task('b', noop)).then(d);
      a.then(task('c', noop)).then(d);
    }),
  '10 nested diamonds in a chain (31 tasks)': () =>
    dag('diamonds', {}, () => {
      let prev = task('s', noop)();
      for (let i = 0; i < 10; i++) {
        const j = task(`j${i}`, noop)();
        prev.then(task(`l${i}`, noop)).then(j);
        prev.then(task(`r${i}`, noop)).then(j);
        prev = j;
      }
    }),
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log(
  '### Compile time\n\n| DAG | tasks | states | definition (minified) | compile (median of 5) |\n|---|---|---|---|---|',
);
for (const size of [10, 100, 1000]) {
  const { ir } = buildDagIR(layered(size, 7), 'bench.ts');
  const times: number[] = [];
  let states = 0;
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const c = compileDag(ir, { enforceLimits: false });
    times.push(performance.now() - start);
    states = c.analysis.states.total;
    bytes = c.analysis.definition.bytes;
  }
  console.log(
    `| random layered | ${size} | ${states} | ${(bytes / 1024).toFixed(0)} KiB${bytes > 1024 * 1024 ? ' (over 1 MiB: refused)' : ''} | ${median(times).toFixed(1)} ms |`,
  );
}

console.log(
  '\n### State transitions of an all-success run\n\n| DAG | tasks | transitions | per task | states |\n|---|---|---|---|---|',
);
for (const [name, make] of Object.entries(shapes)) {
  const { ir } = buildDagIR(make(), 'bench.ts');
  const c = compileDag(ir);
  console.log(
    `| ${name} | ${ir.tasks.length} | ${c.analysis.transitions.allSuccess} | ${c.analysis.transitions.perTask.toFixed(2)} | ${c.analysis.states.total} |`,
  );
}
const project = await loadProject('dags', { root: repo });
for (const d of project.dags) {
  const c = compileDag(d.ir);
  const mapped = d.ir.tasks.some((t) => t.mapping)
    ? ` (${c.analysis.transitions.mappedItemsAssumed} instances per mapped task)`
    : '';
  console.log(
    `| example ${d.ir.id}${mapped} | ${d.ir.tasks.length} | ${c.analysis.transitions.allSuccess} | ${c.analysis.transitions.perTask.toFixed(2)} | ${c.analysis.states.total} |`,
  );
}

/**
 * Validation speed: building and validating generated DAGs of 10, 100 and 1000 tasks (a layered
 * random DAG, seeded), and `updraft validate` on the example DAGs as a whole process (start-up,
 * TypeScript loading and validation). Prints a Markdown table for BENCHMARKS.md.
 *
 *   npm run bench            # all benches
 *   npx tsx bench/validate.ts
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDagIR, dag, task } from '../src/sdk/index.ts';
import { seededRandom } from '../src/util/seeded-random.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function randomDag(size: number, seed: number) {
  const random = seededRandom(seed);
  return dag(
    `bench_${size}`,
    {
      schedule: '@daily',
      startDate: '2026-01-01',
      retry: { attempts: 3, delay: '1m', backoff: 2 },
    },
    () => {
      const nodes: ReturnType<ReturnType<typeof task>>[] = [];
      for (let i = 0; i < size; i++) {
        const t = task(`t${i}`, async () => i)();
        const fanIn = i === 0 ? 0 : 1 + Math.floor(random() * Math.min(3, i));
        for (let k = 0; k < fanIn; k++) nodes[Math.floor(random() * i)]!.then(t);
        nodes.push(t);
      }
    },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const rows: string[] = [];
for (const size of [10, 100, 1000]) {
  const times: number[] = [];
  let problems = 0;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    const result = buildDagIR(randomDag(size, 42), 'bench.ts');
    times.push(performance.now() - start);
    problems = result.problems.length;
  }
  rows.push(
    `| declare + build IR + validate, ${size} tasks | ${median(times).toFixed(1)} ms | median of 7, ${problems} problems |`,
  );
}

const cli: number[] = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/updraft.js'), 'validate'], {
    cwd: repo,
    encoding: 'utf8',
  });
  cli.push(performance.now() - start);
  if (r.status !== 0) throw new Error(`updraft validate failed: ${r.stdout}${r.stderr}`);
}
rows.push(
  `| \`updraft validate\` on dags/ (8 DAGs, whole process) | ${median(cli).toFixed(0)} ms | median of 5 |`,
);

console.log('| what | time | notes |\n|---|---|---|');
console.log(rows.join('\n'));

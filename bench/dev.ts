/**
 * The local scheduler's two figures (issue 13): how long `updraft dev` takes to start (spawn to
 * the line with its API's address: scheduler running, dags/ watched, API serving; wall time,
 * goal < 2 s), and how long `updraft
 * simulate` takes for a month of the example project, each against `node -e 0` measured in the
 * same run. Medians of RUNS (default 5), on a copy of the examples.
 *
 *   npx tsx bench/dev.ts        # ≈ 30 s
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = path.join(repo, 'node_modules/node/bin/node');
const bin = path.join(repo, 'bin/updraft.js');
const RUNS = Number(process.env.RUNS ?? 5);

// Inside the repo, so `import … from 'updraft'` resolves to this checkout.
const dir = mkdtempSync(path.join(repo, 'test', '.tmp-bench-dev-'));
cpSync(path.join(repo, 'test/fixtures/examples/dags'), path.join(dir, 'dags'), { recursive: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function wall(args: readonly string[]): number {
  const t = performance.now();
  const r = spawnSync(node, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t;
}

/** Spawn to the line giving the API's address (scheduler running, dags/ watched, API serving), then Ctrl-C. */
function devStart(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(node, [bin, 'dev', '--no-color', '--port', '0'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('  API: http://')) {
        const ms = performance.now() - t;
        child.kill('SIGINT');
        child.on('exit', () => resolve(ms));
      }
    });
    child.on('error', reject);
  });
}

try {
  wall([bin, 'validate']); // warm the transform cache, as a second command would
  const reference: number[] = [];
  const dev: number[] = [];
  const month: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    reference.push(wall(['-e', '0']));
    dev.push(await devStart());
    month.push(wall([bin, 'simulate', '--from', '2026-11-01', '--until', '2026-12-01']));
  }
  const ref = median(reference);
  const row = (name: string, ms: number) =>
    `| ${name} | ${Math.round(ms)} ms | ${(ms / ref).toFixed(1)}× |`;
  console.log('| command | wall time (median) | × node -e 0 |');
  console.log('|---|---|---|');
  console.log(row('node -e 0', ref));
  console.log(
    row('updraft dev, to its API serving (scheduler running, dags/ watched)', median(dev)),
  );
  console.log(row('updraft simulate of November 2026 (examples, whole process)', median(month)));
  console.log(`\nMedians of ${RUNS}, interleaved. Goal: updraft dev starts in under 2 s.`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

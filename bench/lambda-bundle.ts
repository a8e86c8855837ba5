/**
 * Lambda bundles of the example project, as `cdk synth` builds them (synthesizeProject, esbuild,
 * `@aws-sdk/*` external): per bundle (one task runner per DAG file, the launcher, the recorder)
 * the size of index.mjs, raw and gzipped, and its module initialisation time — `await import()`
 * of the bundle in a fresh `node` process with the environment the deployed function gets
 * (a task runner builds and compiles its DAG during init). Median of 5 processes, with and without
 * NODE_OPTIONS=--enable-source-maps (deployed: with). `@aws-sdk/*` resolves from the repository's
 * node_modules, as the nodejs24.x runtime provides it. Prints a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/lambda-bundle.ts        # ≈ 20 s on 2 cores
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { synthesizeProject } from '../infra/synth.ts';
import { dagBundleName } from '../infra/bundle.ts';
import { loadProject } from '../src/loader/load-project.ts';

const repo = path.resolve(import.meta.dirname, '..');
const bundleDir = path.join(repo, '.updraft', 'bench-lambda-bundles');
const RUNS = 5;

const { bundles } = await synthesizeProject(new App(), {
  root: repo,
  environment: 'dev',
  bundleDir,
  placementDir: false,
  nag: false,
});
const dagOf = new Map<string, string>(); // bundle → the first DAG of its file (UPDRAFT_DAG)
for (const d of (await loadProject('dags', { root: repo })).dags)
  if (!dagOf.has(dagBundleName(d.file))) dagOf.set(dagBundleName(d.file), d.ir.id);

// Times `await import(bundle)`; then, for a task runner, one invalid event proves init built the
// DAG (a configuration error at init is swallowed there and reported by every invocation instead).
const child = `
const t0 = performance.now();
const m = await import(process.argv[1]);
const initMs = performance.now() - t0;
let answer = '';
if (process.env.UPDRAFT_DAG) await m.handler({}, { getRemainingTimeInMillis: () => 60000 }).catch((e) => { answer = e.message; });
console.log('RESULT ' + JSON.stringify({ initMs, answer }));`;

function initMs(file: string, env: Record<string, string>): number {
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', child, pathToFileURL(file).href],
    { env, encoding: 'utf8' },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`${file}: init failed\n${r.stdout}${r.stderr}`);
  const { initMs, answer } = JSON.parse(line.slice(7)) as { initMs: number; answer: string };
  if (env.UPDRAFT_DAG && !answer.includes('without a task request'))
    throw new Error(`${file}: the DAG was not built at init: ${answer}`);
  return initMs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const rows: string[] = [];
for (const b of [...bundles.values()].sort((x, y) => x.name.localeCompare(y.name))) {
  const file = path.join(b.dir, 'index.mjs');
  const code = readFileSync(file);
  // What infra/dag-construct.ts and platform-stack.ts set (dev), with fake credentials.
  const env: Record<string, string> = {
    UPDRAFT_ENV: 'dev',
    UPDRAFT_TABLE: 't',
    UPDRAFT_BUCKET: 'b',
    UPDRAFT_SECRET_PREFIX: 'updraft/dev/connections/',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'fake',
    ...(dagOf.has(b.name) && { UPDRAFT_DAG: dagOf.get(b.name)! }),
    ...(b.name === 'launcher' && { UPDRAFT_CATCHUP_LIMIT: '5' }),
    ...(b.name === 'recorder' && {
      UPDRAFT_ALERTS_TOPIC: 'arn:aws:sns:us-east-1:123456789012:updraft-dev-alerts',
    }),
  };
  // The same bundle's @aws-sdk imports alone: the share of init spent loading the SDK.
  const sdkOnly = path.join(b.dir, 'sdk-only.mjs');
  writeFileSync(
    sdkOnly,
    [...new Set(code.toString().match(/(?<=from\s*")@aws-sdk\/[^"]+/g))]
      .map((p) => `import '${p}';`)
      .join('\n'),
  );
  const withMaps: number[] = [];
  const without: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    withMaps.push(initMs(file, { ...env, NODE_OPTIONS: '--enable-source-maps' }));
    without.push(initMs(file, env));
    sdk.push(initMs(sdkOnly, { AWS_REGION: 'us-east-1', NODE_OPTIONS: '--enable-source-maps' }));
  }
  const what = dagOf.has(b.name) ? `task runner (UPDRAFT_DAG=${dagOf.get(b.name)})` : b.name;
  const map = statSync(`${file}.map`).size;
  rows.push(
    `| \`${b.name}\` | ${what} | ${kib(b.bytes)} | ${kib(gzipSync(code).length)} | ${kib(map)} | ${median(withMaps).toFixed(0)} ms | ${median(without).toFixed(0)} ms | ${median(sdk).toFixed(0)} ms |`,
  );
}
rmSync(bundleDir, { recursive: true, force: true });

console.log(
  `Node ${process.version} (${process.execPath}), ${RUNS} fresh processes per cell (median).\n`,
);
console.log(
  '| bundle | function | index.mjs | gzipped | index.mjs.map (in the asset too) | init, --enable-source-maps (deployed) | init, without source maps | its @aws-sdk imports alone |',
);
console.log('|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));

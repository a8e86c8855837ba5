/**
 * Whole-process cost of the CLI, in CPU time (all threads, from `process.cpuUsage()` at exit),
 * against references measured in the same run: `node -e 0`, and a bare Node process that loads
 * aws-local-stepfunctions and runs the same compiled 10-task DAG with no-op handlers (what any
 * local Step Functions runner pays). Goals (issue 10): `updraft validate` ≤ 3× `node -e 0`,
 * `updraft run` of a 10-task DAG ≤ 1.5× the bare interpreter process.
 *
 *   npx tsx bench/startup.ts        # ≈ 1 min
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDagIR, dag, task } from '../src/sdk/index.ts';
import { compileDag } from '../src/compiler/index.ts';
import { substitute } from '../src/engine/run-machine.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = path.join(repo, 'node_modules/node/bin/node');
const RUNS = Number(process.env.RUNS ?? 7);

// Inside the repo, so `import … from 'updraft'` resolves to this checkout.
const dir = mkdtempSync(path.join(repo, 'test', '.tmp-bench-startup-'));
mkdirSync(path.join(dir, 'dags'));
const DAG = `import { dag, task } from 'updraft';
export default dag('ten', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  let prev = task('t0', async () => 0)();
  for (let i = 1; i < 10; i++) prev = prev.then(task('t' + i, async () => i));
});
`;
writeFileSync(path.join(dir, 'dags', 'ten.ts'), DAG);

// The same DAG compiled, for the reference process.
const same = dag('ten', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  let prev = task('t0', async () => 0)();
  for (let i = 1; i < 10; i++) prev = prev.then(task(`t${i}`, async () => i));
});
const compiled = compileDag(buildDagIR(same, 'ten.ts').ir);
writeFileSync(path.join(dir, 'ten.asl.json'), substitute(compiled.json, {}));
writeFileSync(path.join(dir, 'states.json'), JSON.stringify(Object.keys(compiled.manifest.states)));
writeFileSync(
  path.join(dir, 'reference.mjs'),
  `import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
const definition = JSON.parse(readFileSync(new URL('./ten.asl.json', import.meta.url), 'utf8'));
const handlers = Object.fromEntries(JSON.parse(readFileSync(new URL('./states.json', import.meta.url), 'utf8')).map((s) => [s, async () => ({ Payload: null })]));
const run = { dagId: 'ten', runId: 'ten-ref', key: 'k', logicalDate: '2026-01-01T00:00:00.000Z', ds: '2026-01-01', dataIntervalStart: '2026-01-01T00:00:00.000Z', dataIntervalEnd: '2026-01-01T00:00:00.000Z', params: {}, triggeredBy: 'manual', timers: {} };
const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
await machine.run({ run, t: {}, done: {} }, { overrides: { taskResourceLocalHandlers: handlers } }).result;
`,
);
// Reports the process's CPU time (every thread) as it exits.
const cpuProbe = path.join(dir, 'cpu.mjs');
writeFileSync(
  cpuProbe,
  `import fs from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); fs.writeFileSync(process.env.CPU_OUT, String((u.user + u.system) / 1000)); });\n`,
);

let day = 0;
function cpuOf(args: readonly string[]): number {
  const out = path.join(dir, 'cpu.txt');
  const r = spawnSync(
    node,
    [
      '--import',
      cpuProbe,
      ...args.map((a) =>
        a.replace(
          '<date>',
          new Date(Date.UTC(2021, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10),
        ),
      ),
    ],
    {
      cwd: dir,
      env: { ...process.env, CPU_OUT: out, NO_COLOR: '1' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0)
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return Number(readFileSync(out, 'utf8'));
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bin = path.join(repo, 'bin/updraft.js');
const commands = {
  'node -e 0': ['-e', '0'],
  'bare interpreter: load aws-local-stepfunctions, run the 10-task ASL': ['reference.mjs'],
  'updraft --version': [bin, '--version'],
  'updraft validate': [bin, 'validate'],
  'updraft run ten --date D (10 tasks)': [bin, 'run', 'ten', '--date', '<date>', '--json'],
};
cpuOf([bin, 'validate']); // the first run fills tsx's cache and builds dist/ if stale
const results = new Map<string, number[]>(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++)
  for (const [name, args] of Object.entries(commands)) results.get(name)!.push(cpuOf(args));
rmSync(dir, { recursive: true, force: true });

const m = (name: string) => median(results.get(name)!);
const nodeMs = m('node -e 0');
const refMs = m('bare interpreter: load aws-local-stepfunctions, run the 10-task ASL');
console.log(`| command | CPU (median of ${RUNS}) | × node -e 0 | × bare interpreter |`);
console.log('|---|---|---|---|');
for (const name of Object.keys(commands)) {
  const ms = m(name);
  console.log(
    `| ${name} | ${ms.toFixed(0)} ms | ${(ms / nodeMs).toFixed(1)}× | ${(ms / refMs).toFixed(2)}× |`,
  );
}
console.log(
  `\nGoals: validate ≤ 3× node -e 0 (${(m('updraft validate') / nodeMs).toFixed(1)}×); run ≤ 1.5× the bare interpreter (${(m('updraft run ten --date D (10 tasks)') / refMs).toFixed(2)}×).`,
);

/**
 * Synth at scale: projects of 10, 50 and 200 generated DAGs (src/util/synthetic-project.ts: one
 * file exporting N DAGs of 7 tasks), env=prod, cdk-nag on. In process: synthesizeProject (load and
 * validate, bundle, compile and build the stacks) then app.synth() (templates, assets, cdk-nag),
 * median of 3; load + validate and bundle are also timed alone, to split synthesizeProject. Whole
 * command: `npx cdk synth -c env=prod -q --no-notices` run in the generated project (cdk.json →
 * infra/app.ts, so the placement file and bundles land in that throwaway folder, never in infra/).
 * Also the stacks, the most resources in one stack and the largest template. Prints a Markdown
 * table for BENCHMARKS.md.
 *
 *   npx tsx bench/synth.ts        # ≈ 3–4 min on 2 cores
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthesizeProject } from '../infra/synth.ts';
import { bundleAll, dagBundleName, dagEntrySource, functionEntrySource } from '../infra/bundle.ts';
import { loadProject } from '../src/loader/load-project.ts';
import { writeSyntheticProject } from '../src/util/synthetic-project.ts';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(repo, '.updraft', 'bench-synth'); // inside the repo: the DAG file's `import 'updraft'` resolves
const RUNS = 3;

interface Run { load: number; bundle: number; project: number; synth: number; nag: number; stacks: number; resources: number; bytes: number }

/** One in-process synth of n DAGs in a fresh folder (a DAG file at a new path is imported afresh). */
async function inProcess(n: number, run: number): Promise<Run> {
  const root = await writeSyntheticProject(path.join(work, `${n}-${run}`), n);
  // Load + validate and bundle alone, on a copy (own path: imported afresh too) and into a scratch folder.
  const copy = await writeSyntheticProject(path.join(work, `${n}-${run}-parts`), n);
  let t = performance.now();
  await loadProject('dags', { root: copy });
  const load = performance.now() - t;
  t = performance.now();
  const file = path.join(copy, 'dags', 'synthetic.ts');
  const entries = [{ name: dagBundleName('dags/synthetic.ts'), source: dagEntrySource(file) }, ...(['launcher', 'recorder'] as const).map((f) => ({ name: f, source: functionEntrySource(f) }))];
  await bundleAll(entries, { outDir: path.join(copy, 'bundles') });
  const bundle = performance.now() - t;

  const app = new App({ outdir: path.join(root, 'cdk.out') });
  t = performance.now();
  await synthesizeProject(app, { root, environment: 'prod', placementDir: false, nag: false });
  const project = performance.now() - t;
  // What addNagChecks (infra/nag.ts) adds, with its validate timed.
  const checks = new AwsSolutionsChecks(app);
  let nag = 0;
  Validations.of(app).addPlugins({
    name: checks.name,
    validate: (context) => {
      const start = performance.now();
      try {
        return checks.validate(context);
      } finally {
        nag += performance.now() - start;
      }
    },
  });
  t = performance.now();
  const assembly = app.synth(); // throws on an unacknowledged cdk-nag finding
  const synth = performance.now() - t - nag;
  const templates = assembly.stacks.map((s) => ({ resources: Object.keys(s.template.Resources ?? {}).length, bytes: statSync(s.templateFullPath).size }));
  rmSync(root, { recursive: true, force: true });
  rmSync(copy, { recursive: true, force: true });
  return { load, bundle, project, synth, nag, stacks: templates.length, resources: Math.max(...templates.map((s) => s.resources)), bytes: Math.max(...templates.map((s) => s.bytes)) };
}

/** The user's command, as a process, in a generated project whose cdk.json runs infra/app.ts. */
function wholeCommand(n: number, runs: number): number[] {
  const root = path.join(work, `${n}-cli`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync('npx', ['cdk', 'synth', '-c', 'env=prod', '-q', '--no-notices'], { cwd: root, encoding: 'utf8' });
    times.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`npx cdk synth (${n} DAGs) exited ${r.status}:\n${r.stdout}${r.stderr}`);
  }
  return times;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

await inProcess(10, 0); // warm-up, untimed: the first synth of a process loads aws-cdk-lib and cdk-nag
const rows: string[] = [];
for (const n of [10, 50, 200]) {
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await inProcess(n, i));
  const m = (k: keyof Run) => median(runs.map((r) => r[k]));
  const total = median(runs.map((r) => r.project + r.synth + r.nag));
  const root = await writeSyntheticProject(path.join(work, `${n}-cli`), n);
  writeFileSync(path.join(root, 'cdk.json'), `${JSON.stringify({ app: `npx tsx ${path.join(repo, 'infra', 'app.ts')}` })}\n`);
  const cli = wholeCommand(n, RUNS);
  const last = runs.at(-1)!;
  rows.push(
    `| ${n} | ${s(m('load'))} | ${s(m('bundle'))} | ${s(m('project'))} | ${s(m('synth'))} | ${s(m('nag'))} | ${s(total)} | ${s(median(cli))} (${cli.map(s).join(', ')}) | ${last.stacks} | ${last.resources} | ${(last.bytes / 1024).toFixed(0)} KiB |`,
  );
}
rmSync(work, { recursive: true, force: true });

console.log(`In process: median of ${RUNS} after a warm-up synth; whole command: ${RUNS} runs.\n`);
console.log('| DAGs | load + validate (alone) | bundle (alone) | synthesizeProject | app.synth() without nag | cdk-nag | in process (synthesizeProject + app.synth()) | `npx cdk synth -c env=prod -q` (runs) | stacks | most resources in a stack | largest template |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));

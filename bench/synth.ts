/**
 * Synth at scale: projects of 10, 50 and 200 generated DAGs (src/util/synthetic-project.ts: one
 * file exporting N DAGs of 7 tasks), env=prod, cdk-nag on. In process, median of 3 after a warm-up:
 * synthesizeProject (load and validate, bundle, compile, build the stacks; load + validate and
 * bundle also timed alone), then app.synth() split into templates and assets, aws-cdk-lib's
 * built-in CloudFormation validation and cdk-nag. Whole command: `npx cdk synth -c env=prod -q
 * --no-notices` in the generated project (the repository's cdk.json, app infra/app.ts run there:
 * bundles, placement file and cdk.out land in that throwaway folder), also with CDK_VALIDATION=false.
 * Plus the stacks, the most resources in one stack and the largest template. Prints Markdown
 * tables for BENCHMARKS.md.
 *
 *   npx tsx bench/synth.ts        # ≈ 2 min on 2 cores
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  App,
  CloudFormationValidatePlugin,
  Validations,
  type IPolicyValidationPlugin,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthesizeProject } from '../infra/synth.ts';
import {
  bundleAll,
  dagBundleName,
  dagEntrySource,
  launcherEntrySource,
  recorderEntrySource,
} from '../infra/bundle.ts';
import { loadProject } from '../src/loader/load-project.ts';
import { compileDag } from '../src/compiler/index.ts';
import { writeSyntheticProject } from '../src/util/synthetic-project.ts';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(repo, '.updraft', 'bench-synth'); // inside the repo: the DAG file's `import 'updraft'` resolves
const RUNS = 3;

const spent = { nag: 0, cfn: 0 };
/** A plugin's validate that adds its time to `spent[key]`. */
function timed(
  plugin: IPolicyValidationPlugin,
  key: keyof typeof spent,
): IPolicyValidationPlugin['validate'] {
  const validate = plugin.validate.bind(plugin);
  return (context) => {
    const start = performance.now();
    try {
      return validate(context);
    } finally {
      spent[key] += performance.now() - start;
    }
  };
}
// The built-in validation is one plugin instance per process (its WASM engine starts on first use);
// `_singletonInstance` is aws-cdk-lib's own accessor for it, so this may need a change when aws-cdk-lib moves.
const builtin = CloudFormationValidatePlugin._singletonInstance();
Object.assign(builtin, { validate: timed(builtin, 'cfn') });

interface Run {
  load: number;
  bundle: number;
  project: number;
  synth: number;
  cfn: number;
  nag: number;
  stacks: number;
  resources: number;
  bytes: number;
}

/** One in-process synth of n DAGs in fresh folders (a DAG file at a new path is imported afresh). */
async function inProcess(n: number, run: number): Promise<Run> {
  const root = await writeSyntheticProject(path.join(work, `${n}-${run}`), n);
  const copy = await writeSyntheticProject(path.join(work, `${n}-${run}-parts`), n);
  let t = performance.now();
  const loaded = await loadProject('dags', { root: copy });
  const load = performance.now() - t;
  const manifests = loaded.dags.map((d) => compileDag(d.ir).manifest);
  const entries = [
    {
      name: dagBundleName('dags/synthetic.ts'),
      source: dagEntrySource(path.join(copy, 'dags', 'synthetic.ts'), manifests),
    },
    { name: 'launcher', source: launcherEntrySource() },
    { name: 'recorder', source: recorderEntrySource([]) },
  ];
  t = performance.now();
  await bundleAll(entries, { outDir: path.join(copy, 'bundles') });
  const bundle = performance.now() - t;

  const app = new App({ outdir: path.join(root, 'cdk.out') });
  t = performance.now();
  await synthesizeProject(app, { root, environment: 'prod', placementDir: false, nag: false });
  const project = performance.now() - t;
  const checks = new AwsSolutionsChecks(app); // what addNagChecks (infra/nag.ts) adds, timed
  Validations.of(app).addPlugins({ name: checks.name, validate: timed(checks, 'nag') });
  spent.nag = spent.cfn = 0;
  t = performance.now();
  const assembly = app.synth(); // throws on an unacknowledged finding
  const { nag, cfn } = spent;
  const synth = performance.now() - t - nag - cfn;
  const templates = assembly.stacks.map((s) => ({
    resources: Object.keys(s.template.Resources ?? {}).length,
    bytes: statSync(s.templateFullPath).size,
  }));
  rmSync(root, { recursive: true, force: true });
  rmSync(copy, { recursive: true, force: true });
  const most = (k: 'resources' | 'bytes') => Math.max(...templates.map((x) => x[k]));
  return {
    load,
    bundle,
    project,
    synth,
    cfn,
    nag,
    stacks: templates.length,
    resources: most('resources'),
    bytes: most('bytes'),
  };
}

/** The user's command as a process, in a generated project whose cdk.json runs infra/app.ts. */
function wholeCommand(root: string, env: NodeJS.ProcessEnv): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = spawnSync('npx', ['cdk', 'synth', '-c', 'env=prod', '-q', '--no-notices'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    times.push(performance.now() - start);
    if (r.status !== 0)
      throw new Error(`npx cdk synth in ${root} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  }
  return times;
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const warmUp = await inProcess(10, 0); // untimed: loads aws-cdk-lib and cdk-nag, starts the validation engine
const inRows: string[] = [];
const cliRows: string[] = [];
for (const n of [10, 50, 200]) {
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await inProcess(n, i));
  const m = (k: keyof Run) => s(median(runs.map((r) => r[k])));
  const total = median(runs.map((r) => r.project + r.synth + r.cfn + r.nag));
  const { stacks, resources, bytes } = runs[0]!;
  inRows.push(
    `| ${n} | ${m('load')} | ${m('bundle')} | ${m('project')} | ${m('synth')} | ${m('cfn')} | ${m('nag')} | ${s(total)} | ${stacks} | ${resources} | ${(bytes / 1024).toFixed(0)} KiB |`,
  );

  const root = await writeSyntheticProject(path.join(work, `${n}-cli`), n);
  // The repository's cdk.json (context, no telemetry or notices), its app run from the repository.
  const cdkJson = JSON.parse(readFileSync(path.join(repo, 'cdk.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(
    path.join(root, 'cdk.json'),
    JSON.stringify({ ...cdkJson, app: `npx tsx ${path.join(repo, 'infra', 'app.ts')}` }),
  );
  const cli = wholeCommand(root, process.env);
  const noValidation = wholeCommand(root, { ...process.env, CDK_VALIDATION: 'false' });
  cliRows.push(
    `| ${n} | ${s(median(cli))} (${cli.map(s).join(', ')}) | ${s(median(noValidation))} (${noValidation.map(s).join(', ')}) |`,
  );
}
rmSync(work, { recursive: true, force: true });

console.log(
  `In process, median of ${RUNS} after a warm-up synth of 10 DAGs (whose built-in validation, WASM engine start included, took ${s(warmUp.cfn)}):\n`,
);
console.log(
  '| DAGs | load + validate (alone) | bundle (alone) | synthesizeProject | app.synth(): templates, assets | built-in CloudFormation validation | cdk-nag | in process (synthesizeProject + app.synth()) | stacks | most resources in a stack | largest template |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
console.log(inRows.join('\n'));
console.log(`\nWhole command, median of ${RUNS} (each run):\n`);
console.log(
  '| DAGs | `npx cdk synth -c env=prod -q --no-notices` | the same with `CDK_VALIDATION=false` |',
);
console.log('|---|---|---|');
console.log(cliRows.join('\n'));

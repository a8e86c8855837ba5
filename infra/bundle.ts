/**
 * @module infra/bundle
 * The Lambda bundles, built with esbuild's API in one call before the stacks are built: one task
 * runner bundle per DAG file (every DAG the file exports shares it; `UPDRAFT_DAG` picks one), plus
 * the launcher and the recorder. ESM for `nodejs24.x`, minified, linked source maps,
 * `@aws-sdk/*` left to the runtime. One esbuild call for all entries: 200 DAG files bundle in
 * about the time of a few, where a `NodejsFunction` per DAG would start esbuild 200 times.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { InternalError } from '../src/errors.ts';
import { runnerManifest, type RunnerManifest } from '../src/compiler/index.ts';
import type { DatasetLaunchSpec } from '../src/runtime/dataset-launch.ts';
import type { NotifySpec } from '../src/runtime/notify-due.ts';

/** Where the repository is (functions/, src/): the bundles' sources. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export interface BundleEntry {
  /** Asset folder name: `dag-daily_orders`, `launcher`. */
  readonly name: string;
  /** The module whose `handler` export Lambda calls (generated for DAG files). */
  readonly source: string;
}

export interface Bundle {
  readonly name: string;
  /** Folder holding `index.mjs` (+ `index.mjs.map`): `lambda.Code.fromAsset(dir)`, handler `index.handler`. */
  readonly dir: string;
  /** Size of `index.mjs` in bytes (what Lambda loads; the source map is not loaded). */
  readonly bytes: number;
}

/** Packages that must never reach a Lambda bundle (the local engine's DynamoDB, test tools). */
const FORBIDDEN = [
  'node_modules/dynalite/',
  'node_modules/aws-local-stepfunctions/',
  'node_modules/vitest/',
  'node_modules/aws-cdk-lib/',
];

/** The bundle name of a DAG file: `dags/sales/daily.ts` → `dag-sales-daily`. */
export function dagBundleName(file: string): string {
  return `dag-${file
    .replace(/^dags[\\/]/, '')
    .replace(/\.[mc]?[jt]s$/, '')
    .replace(/[^A-Za-z0-9_]+/g, '-')}`;
}

/**
 * The generated entry of a DAG file's task runner: the file's exports handed to the runner, with
 * the runner's part of each of its DAGs' manifests (so the Lambda never compiles a DAG).
 */
export function dagEntrySource(dagFile: string, manifests: readonly RunnerManifest[]): string {
  const runner = path.join(REPO_ROOT, 'functions', 'task-runner.ts');
  const byDag = Object.fromEntries(manifests.map((m) => [m.dagId, runnerManifest(m)]));
  return [
    `import * as dagModule from ${JSON.stringify(path.resolve(dagFile))};`,
    `import { createTaskRunnerHandler } from ${JSON.stringify(runner)};`,
    `const manifests = ${JSON.stringify(byDag)};`,
    'export const handler = createTaskRunnerHandler(dagModule, { manifests });',
    '',
  ].join('\n');
}

export function launcherEntrySource(): string {
  return `export { handler } from ${JSON.stringify(path.join(REPO_ROOT, 'functions', 'launcher.ts'))};\n`;
}

/**
 * The generated entry of the recorder: its handler, given the launch specs of the environment's
 * dataset-scheduled DAGs (a producer run's end starts their runs: runtime/dataset-launch).
 */
export function recorderEntrySource(
  datasetConsumers: readonly DatasetLaunchSpec[],
  notifySpecs: Readonly<Record<string, NotifySpec>> = {},
): string {
  const recorder = path.join(REPO_ROOT, 'functions', 'recorder.ts');
  return [
    `import { createRecorderHandler } from ${JSON.stringify(recorder)};`,
    `export const handler = createRecorderHandler({ datasetConsumers: ${JSON.stringify(datasetConsumers)}, notifySpecs: ${JSON.stringify(notifySpecs)} });`,
    '',
  ].join('\n');
}

export interface BundleOptions {
  /** Output folder (cleaned first). */
  readonly outDir: string;
  /** @default true */
  readonly minify?: boolean;
}

/** Bundles every entry in one esbuild run; returns each bundle's folder and size. */
export async function bundleAll(
  entries: readonly BundleEntry[],
  options: BundleOptions,
): Promise<Map<string, Bundle>> {
  const outDir = path.resolve(options.outDir);
  const srcDir = path.join(outDir, 'entries');
  const libDir = path.join(outDir, 'lib');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(srcDir, { recursive: true });
  const entryPoints: Record<string, string> = {};
  for (const e of entries) {
    const file = path.join(srcDir, `${e.name}.ts`);
    await writeFile(file, e.source);
    entryPoints[`${e.name}/index`] = file;
  }
  const result = await build({
    entryPoints,
    outdir: libDir,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    minify: options.minify ?? true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    // The nodejs24.x runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts short.
    external: ['@aws-sdk/*'],
    alias: { updraft: path.join(REPO_ROOT, 'src', 'sdk', 'index.ts') },
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __updraftRequire } from 'node:module'; const require = __updraftRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: REPO_ROOT,
  });
  checkInputs(result.metafile);
  const bundles = new Map<string, Bundle>();
  for (const e of entries) {
    const dir = path.join(libDir, e.name);
    const out =
      result.metafile.outputs[
        path.relative(REPO_ROOT, path.join(dir, 'index.mjs')).split(path.sep).join('/')
      ];
    if (!out || !existsSync(path.join(dir, 'index.mjs')))
      throw new InternalError(`esbuild produced no bundle for ${e.name} in ${dir}`);
    bundles.set(e.name, { name: e.name, dir, bytes: out.bytes });
  }
  return bundles;
}

function checkInputs(metafile: Metafile): void {
  for (const input of Object.keys(metafile.inputs)) {
    const bad = FORBIDDEN.find((f) => input.includes(f));
    if (bad)
      throw new InternalError(
        `a Lambda bundle pulled in ${bad.split('/')[1]} (${input}); a runtime module imports a local-only module`,
      );
  }
}

/**
 * Builds the CLI, the SDK and the task worker into `dist/` (esbuild, ESM, Node 24): `npm install`
 * runs it (the `prepare` script), `npm test` runs it first, and `bin/updraft.js` runs it when a
 * source file is newer than the build (working on Updraft itself). Only DAG files are transpiled
 * when a command runs.
 *
 * One entry point per thing loaded on its own, with code splitting: the CLI and the SDK that DAG
 * files import (`updraft` → dist/sdk.js) share their chunks, so a DAG file and the engine use the
 * very same SDK module. Dependencies stay in node_modules (not bundled), but for the interpreter.
 *
 *   node scripts/build.mjs
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(root, 'dist');
/** Written last: its time says when the build that is in `dist/` finished. */
export const STAMP = path.join(DIST, '.built');

export const ENTRIES = {
  cli: 'src/cli/main.ts',
  sdk: 'src/sdk/index.ts',
  ir: 'src/ir/index.ts',
  testing: 'src/testing/index.ts',
  // Beside the chunks: the worker pool finds it at `./task-worker.js` from its own chunk.
  'task-worker': 'src/engine/task-worker.ts',
  // bin/updraft.js: how DAG files (TypeScript) load.
  'ts-hooks': 'src/loader/ts-hooks.ts',
};

/**
 * The interpreter is bundled, without what it imports for remote Lambda calls and run-time
 * validation (neither is used: scripts/interpreter-unused.mjs). Only its own imports are replaced;
 * the cloud commands keep the real AWS SDK.
 */
const INTERPRETER = 'aws-local-stepfunctions';
const UNUSED_BY_INTERPRETER =
  /^(asl-validator|@aws-sdk\/client-lambda|@aws-sdk\/credential-providers)$/;
const interpreterPlugin = {
  name: 'updraft-interpreter',
  setup(b) {
    const entry = fileURLToPath(import.meta.resolve(INTERPRETER));
    const home = path.dirname(path.dirname(entry)) + path.sep;
    b.onResolve({ filter: /^aws-local-stepfunctions$/ }, () => ({ path: entry }));
    b.onResolve({ filter: UNUSED_BY_INTERPRETER }, (args) =>
      args.importer.startsWith(home)
        ? { path: path.join(root, 'scripts', 'interpreter-unused.mjs') }
        : undefined,
    );
  },
};

export async function buildDist() {
  const started = Date.now();
  const { build } = await import('esbuild'); // only when building: bin/updraft.js imports this module
  await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    packages: 'external',
    chunkNames: '[name]-[hash]', // flat: code finds task-worker.js beside itself
    logLevel: 'warning',
    plugins: [interpreterPlugin],
  });
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return Date.now() - started;
}

/** The UI (Vite + React, ui/) into dist/ui: what `updraft dev` serves. */
export const UI_SRC = path.join(root, 'ui');
export const UI_INDEX = path.join(DIST, 'ui', 'index.html');

export async function buildUi() {
  const started = Date.now();
  const { build } = await import('vite'); // a dev dependency: only when building
  await build({ configFile: path.join(UI_SRC, 'vite.config.ts'), logLevel: 'warn' });
  return Date.now() - started;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.rmSync(DIST, { recursive: true, force: true });
  const ms = await buildDist();
  console.log(`built dist/ in ${ms} ms`);
  if (fs.existsSync(UI_SRC)) console.log(`built dist/ui/ in ${await buildUi()} ms`);
}

/**
 * @module loader/ts-hooks
 * How the built CLI and its task workers load TypeScript DAG files: Node's synchronous,
 * in-thread module hooks (`module.registerHooks`) with esbuild's transform and an on-disk cache
 * of the result keyed by the file's content. A DAG file seen before costs a file read and a hash;
 * esbuild starts only for a new or changed file.
 *
 * Measured here (bench/startup.ts): tsx's `register()` costs ≈ 0.1 s per thread to load, and its
 * off-thread hooks slowed every later import of the process (loading the built CLI: 0.46 s with
 * them, 0.14 s without); Node 24's own type stripping initialises a WebAssembly transformer for
 * ≈ 0.13 s. These hooks cost ≈ 2 ms when the cache is warm.
 *
 * Resolution follows TypeScript's habits that Node's does not: `./helpers` and `./helpers.js`
 * find `./helpers.ts`. Source maps are inline, so stack traces name the DAG file's own lines.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import {
  createRequire,
  registerHooks,
  type LoadHookContext,
  type ResolveFnOutput,
  type ResolveHookContext,
  type ResolveHookSync,
} from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { transformSync as TransformSync } from 'esbuild';

const TS = /\.(m?ts|tsx)$/;
const CACHE_VERSION = '1';
let installed = false;

/** Where transformed DAG files are kept: the package's `node_modules/.cache` (from `dist/`). */
export const DEFAULT_CACHE_DIR = fileURLToPath(
  new URL('../node_modules/.cache/updraft-ts/', import.meta.url),
);

/** Installs the hooks in this thread (once); `cacheDir` holds the transformed files. */
export function installTypeScriptHooks(cacheDir: string = DEFAULT_CACHE_DIR): void {
  if (installed) return;
  installed = true;
  process.setSourceMapsEnabled(true);
  registerHooks({
    resolve(specifier: string, context: ResolveHookContext, next) {
      return withGeneration(specifier, context, resolveTs(specifier, context, next));
    },
    load(url: string, context: LoadHookContext, next) {
      if (
        !url.startsWith('file:') ||
        !TS.test(new URL(url).pathname) ||
        url.includes('/node_modules/')
      )
        return next(url, context);
      const file = fileURLToPath(url);
      return { format: 'module', source: transformed(file, cacheDir), shortCircuit: true };
    },
  });
}

/** The query that marks a DAG module loaded again by `updraft dev` after its files changed. */
export const GENERATION_PARAM = 'updraft-gen';

/** A DAG file's URL in generation `n` (`updraft dev` reloads: a fresh module, not the cached one). */
export function generationUrl(url: string, n: number | undefined): string {
  return n === undefined || n === 0 ? url : `${url}?${GENERATION_PARAM}=${n}`;
}

/** `path/to/file.ts?updraft-gen=3` (the worker pool's name for a module) → its URL. */
export function moduleFileUrl(module: string): string {
  const q = module.indexOf('?');
  return q < 0
    ? pathToFileURL(module).href
    : `${pathToFileURL(module.slice(0, q)).href}${module.slice(q)}`;
}

/**
 * A relative import of a module loaded in a generation is loaded in the same one, so that a
 * reload re-reads the DAG file's local helpers too; packages (`updraft` itself) stay shared.
 */
function withGeneration(
  specifier: string,
  context: ResolveHookContext,
  resolved: ResolveFnOutput,
): ResolveFnOutput {
  if (!context.parentURL?.includes(`?${GENERATION_PARAM}=`)) return resolved;
  if (!(specifier.startsWith('./') || specifier.startsWith('../'))) return resolved;
  if (!resolved.url.startsWith('file:') || resolved.url.includes('?')) return resolved;
  if (resolved.url.includes('/node_modules/')) return resolved;
  const generation = new URL(context.parentURL).searchParams.get(GENERATION_PARAM);
  return { ...resolved, url: `${resolved.url}?${GENERATION_PARAM}=${generation}` };
}

/** Node's resolution, then TypeScript's habits: `./helpers` and `./helpers.js` find `./helpers.ts`. */
function resolveTs(
  specifier: string,
  context: ResolveHookContext,
  next: Parameters<ResolveHookSync>[2],
): ResolveFnOutput {
  try {
    return next(specifier, context);
  } catch (error) {
    const relative =
      specifier.startsWith('./') ||
      specifier.startsWith('../') ||
      specifier.startsWith('/') ||
      specifier.startsWith('file:');
    if (
      (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' ||
      !relative ||
      !context.parentURL ||
      !TS.test(new URL(context.parentURL).pathname)
    )
      throw error;
    const base = specifier.replace(/\.js$/, '');
    for (const candidate of [`${base}.ts`, `${base}.mts`, `${base}/index.ts`]) {
      try {
        return next(candidate, context);
      } catch {
        // next candidate
      }
    }
    throw error;
  }
}

function transformed(file: string, cacheDir: string): string {
  const source = fs.readFileSync(file, 'utf8');
  const key = createHash('sha256')
    .update(`${CACHE_VERSION}\0${file}\0${source}`)
    .digest('hex')
    .slice(0, 32);
  const cached = path.join(cacheDir, `${key}.mjs`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  // esbuild only on a miss: loading it and starting its service is most of a miss's cost.
  const { transformSync } = createRequire(import.meta.url)('esbuild') as {
    transformSync: typeof TransformSync;
  };
  const { code } = transformSync(source, {
    loader: file.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'node24',
    sourcemap: 'inline',
    sourcefile: file,
  });
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(temp, code);
    fs.renameSync(temp, cached); // readers never see half a file
  } catch {
    // a read-only cache folder: transform again next time
  }
  return code;
}

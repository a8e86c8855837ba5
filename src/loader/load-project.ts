/**
 * @module loader/load-project
 * Finds the DAG files of a project, imports them (TypeScript directly, no build step), builds and
 * validates every DAG, and returns DAGs and problems together. A file that throws on import,
 * calls `process.exit`, never finishes loading or exports no DAG becomes a problem naming the
 * file, never an exception (see `guarded-import.ts`).
 *
 * Which files are DAG files: `.ts`/`.mts`/`.js`/`.mjs` files under the folder (recursively) whose
 * text imports 'updraft' and calls `dag(` (or the name it imports `dag` as) — like Airflow's DAG
 * discovery safe mode. Other files importing 'updraft' are skipped with a warning saying so;
 * files and folders starting with `_` or `.`, tests and declaration files are skipped silently.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DagIR, Problem } from '../ir/types.ts';
import { ProblemCollector } from '../ir/problems.ts';
import { validateProject } from '../ir/validate.ts';
import { buildDagIR } from '../sdk/build-ir.ts';
import { isDag, type Dag } from '../sdk/dag.ts';
import { ConfigError, DagDefinitionError } from '../errors.ts';
import { compileDag, linkDags } from '../compiler/index.ts';
import { ExitDuringImportError, UnsettledImportError, guardedImport } from './guarded-import.ts';
import { generationUrl } from './ts-hooks.ts';

export interface LoadedDag {
  readonly dag: Dag;
  readonly ir: DagIR;
  /** Relative to the project root. */
  readonly file: string;
  /** Problems of this DAG (errors and warnings). */
  readonly problems: readonly Problem[];
}

export interface LoadResult {
  readonly dags: readonly LoadedDag[];
  /** Every problem: files, DAGs, and across DAGs. */
  readonly problems: readonly Problem[];
  /** DAG files found (relative). */
  readonly files: readonly string[];
}

const SOURCE = /\.(m?ts|m?js)$/;
const SKIP = /(\.d\.m?ts|\.test\.m?[jt]s|\.spec\.m?[jt]s)$/;

async function findFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('_') || e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...(await findFiles(full)));
    else if (SOURCE.test(e.name) && !SKIP.test(e.name)) files.push(full);
  }
  return files;
}

const IMPORTS_UPDRAFT = /from\s+['"]updraft(\/[^'"]*)?['"]|require\(\s*['"]updraft['"]\s*\)/;
const NAMED_IMPORTS = /import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*['"]updraft['"]/g;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The names `dag` is called by in a file: `dag`, and `X` for `import { dag as X } from 'updraft'`. */
function dagNames(text: string): string[] {
  const names = ['dag'];
  for (const [, list] of text.matchAll(NAMED_IMPORTS)) {
    for (const item of list!.split(',')) {
      const alias = /^\s*dag\s+as\s+([A-Za-z_$][\w$]*)\s*$/.exec(item)?.[1];
      if (alias) names.push(alias);
    }
  }
  return names;
}

/** A DAG file imports 'updraft' and calls `dag(` (or `U.dag(`, or `dag` under the name it imported it as). */
function looksLikeDagFile(text: string): boolean {
  return (
    IMPORTS_UPDRAFT.test(text) &&
    dagNames(text).some((name) => new RegExp(`(?<![\\w$])${escape(name)}\\s*\\(`).test(text))
  );
}

/** The line of the first top-level `await` in a file's text (a statement starting at column 0). */
function topLevelAwaitLine(text: string): number | undefined {
  const index = text.split('\n').findIndex((line) => /^[^\s/*].*\bawait\b/.test(line));
  return index < 0 ? undefined : index + 1;
}

/** Absolute paths in problems (from stack traces) → relative to the project root. */
function relativize(p: Problem, root: string): Problem {
  if (!p.file || !path.isAbsolute(p.file)) return p;
  const rel = path.relative(root, p.file);
  return { ...p, file: rel.startsWith('..') ? p.file : rel };
}

/** The line of `file` in an error's stack, for import failures. */
function lineIn(error: unknown, file: string): string | undefined {
  const stack = (error as Error)?.stack ?? '';
  const m = new RegExp(
    `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\?updraft-gen=\\d+)?:(\\d+)`,
  ).exec(stack);
  return m?.[1];
}

/** An import error's message for users: first line, no colour codes, paths relative to the project. */
function cleanMessage(error: unknown, root: string): string {
  const raw = (error as Error)?.message ?? String(error);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts the colour codes this removes
  const plain = raw.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').filter((l) => l.trim() !== '');
  // esbuild (via tsx) says "Transform failed with 1 error:" and gives the error on the next line.
  const first =
    lines[0]?.trimEnd().endsWith(':') && lines[1]
      ? `${lines[0].trim()} ${lines[1].trim()}`
      : (lines[0] ?? plain);
  return first
    .replace(/\?updraft-gen=\d+/g, '')
    .split(`${root}${path.sep}`)
    .join('')
    .split(`${pathToFileURL(root).href}/`)
    .join('')
    .trim();
}

export interface LoadOptions {
  /** Project root, for relative paths. @default process.cwd() */
  readonly root?: string;
  /**
   * Load the files afresh as generation `n` (`updraft dev` after a change): a new module
   * instance of each DAG file and its relative imports, not the one already loaded.
   */
  readonly generation?: number;
  /**
   * Also compile every valid DAG, so group cycles and the cloud's limits are reported as problems
   * (`updraft validate`). Commands that compile one DAG themselves leave it off. @default false
   */
  readonly compile?: boolean;
  /**
   * How long a DAG file may take to load (its top-level awaits included) before it is reported
   * as never finishing. An await with nothing left to wait on is reported at once.
   * @default 60_000 (60 s)
   */
  readonly importTimeoutMs?: number;
}

const DEFAULT_IMPORT_TIMEOUT_MS = 60_000;
const IMPORT_HINT =
  'fix the error above; the file is imported to find its DAGs, so code at its top level runs';
/** Problem codes of a file that did not load; its DAGs are unknown. */
const IMPORT_FAILURES = new Set(['import-failed', 'import-exit', 'import-unsettled']);

/** The problem for a DAG file whose import threw, called process.exit or never settled. */
function importProblem(
  error: unknown,
  abs: string,
  file: string,
  text: string,
  root: string,
  out: ProblemCollector,
): void {
  if (error instanceof ExitDuringImportError) {
    const line = lineIn(error, abs);
    out.error(
      'import-exit',
      `the DAG file called process.exit(${error.exitCode}) while loading, which would end updraft itself`,
      {
        ...(line && { file: `${file}:${line}` }),
        hint: 'remove the process.exit call (throw an Error to fail instead): the file is imported to find its DAGs and again to run each task, so code at its top level must not end the process',
      },
    );
    return;
  }
  if (error instanceof UnsettledImportError) {
    const line = topLevelAwaitLine(text);
    const what =
      error.reason === 'idle'
        ? 'a top-level await is waiting for a promise that can never settle (nothing is left for it to wait on)'
        : `a top-level await was still waiting after ${error.timeoutMs / 1000}s`;
    out.error('import-unsettled', `the DAG file never finished loading: ${what}`, {
      ...(line && { file: `${file}:${line}` }),
      hint: 'make the awaited promise settle, or move the work into a task: the file is imported to find its DAGs and again to run each task, so its top level must finish quickly',
    });
    return;
  }
  const line = lineIn(error, abs);
  out.error('import-failed', `the DAG file failed to load: ${cleanMessage(error, root)}`, {
    ...(line && { file: `${file}:${line}` }),
    hint: IMPORT_HINT,
  });
}

/**
 * One file of the DAG folder: skipped (with a warning when it imports 'updraft' but declares no
 * DAG), or imported under guard, its exported DAGs built and validated.
 */
async function loadFile(
  abs: string,
  root: string,
  options: LoadOptions,
): Promise<{ isDagFile: boolean; problems: Problem[]; dags: LoadedDag[] }> {
  const text = await readFile(abs, 'utf8');
  const file = path.relative(root, abs);
  const problems: Problem[] = [];
  const dags: LoadedDag[] = [];
  if (!looksLikeDagFile(text)) {
    // Said, not silent: a DAG file whose dag(...) call was not recognised would just vanish.
    if (IMPORTS_UPDRAFT.test(text)) {
      problems.push({
        code: 'skipped-file',
        severity: 'warning',
        message: `skipped: the file imports 'updraft' but calls no dag(...), so it is not read as a DAG file`,
        file,
        hint: `a DAG file calls dag(...) by that name or by the name it imports it as (import { dag as DAG } from 'updraft'); a helper module is skipped silently when its name starts with "_" (e.g. ${path.join(path.dirname(file), `_${path.basename(file)}`)})`,
      });
    }
    return { isDagFile: false, problems, dags };
  }
  const out = new ProblemCollector(file, undefined);
  let mod: Record<string, unknown>;
  try {
    mod = await guardedImport(
      generationUrl(pathToFileURL(abs).href, options.generation),
      options.importTimeoutMs ?? DEFAULT_IMPORT_TIMEOUT_MS,
    );
  } catch (error) {
    importProblem(error, abs, file, text, root, out);
    return { isDagFile: true, problems: out.problems, dags };
  }
  const found: Dag[] = [];
  for (const [name, value] of Object.entries(mod)) {
    const list = Array.isArray(value) ? value : [value];
    if (
      Array.isArray(value) &&
      value.length > 0 &&
      value.some((v) => !isDag(v)) &&
      value.some(isDag)
    ) {
      out.error('export-not-dag', `export "${name}" is a list mixing DAGs and other values`, {
        hint: 'export a list of dag(...) values only',
      });
    }
    for (const v of list) if (isDag(v) && !found.includes(v)) found.push(v);
  }
  if (found.length === 0) {
    out.error('no-dags', 'the file exports no DAG', {
      hint: 'export the DAG: export default dag("my_dag", { ... }, () => { ... }) — or an array of them; helper modules belong in files or folders starting with "_"',
    });
  }
  problems.push(...out.problems);
  for (const dag of found) {
    const { ir, problems: own } = buildDagIR(dag, file, { root });
    const rel = own.map((p) => relativize(p, root));
    dags.push({ dag, ir, file, problems: rel });
    problems.push(...rel);
  }
  return { isDagFile: true, problems, dags };
}

export async function loadProject(dagsDir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const root = options.root ?? process.cwd();
  const dir = path.resolve(root, dagsDir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ConfigError(
      `DAG folder "${dagsDir}" does not exist (looked in ${dir}). Create it, or point to yours with --dags DIR.`,
    );
  }
  const candidates = await findFiles(dir);
  const files: string[] = [];
  const problems: Problem[] = [];
  const dags: LoadedDag[] = [];

  for (const abs of candidates) {
    const one = await loadFile(abs, root, options);
    if (one.isDagFile) files.push(path.relative(root, abs));
    problems.push(...one.problems);
    dags.push(...one.dags);
  }
  if (files.length === 0) {
    problems.push({
      code: 'no-dag-files',
      severity: 'error',
      message: `no DAG files in ${path.relative(root, dir) || '.'} (a DAG file imports 'updraft' and calls dag(...))`,
      hint: 'add one, e.g. dags/hello.ts: export default dag("hello", {}, () => { task("hi", async () => "hi")(); })',
    });
  }
  // Each DAG's IR learns what it needs of the DAGs it triggers (their time sensors).
  const linked = linkDags(dags.map((d) => d.ir));
  dags.forEach((d, i) => (dags[i] = { ...d, ir: linked[i]! }));
  const failedFiles = problems
    .filter((p) => IMPORT_FAILURES.has(p.code))
    .map((p) => p.file?.replace(/:\d+$/, '') ?? '');
  problems.push(
    ...validateProject(
      dags.map((d) => d.ir),
      { failedFiles },
    ).map((p) => relativize(p, root)),
  );
  // A valid DAG must also compile: group cycles and the cloud's limits surface here, at validate time.
  for (const d of options.compile ? dags : []) {
    if (problems.some((p) => p.severity === 'error' && p.dagId === d.ir.id)) continue;
    try {
      compileDag(d.ir);
    } catch (error) {
      if (!(error instanceof DagDefinitionError)) throw error;
      // Each refusal carries its problem (a code of its own); the message is the error's.
      const codes = error.problems.map((p) => p.code);
      const problem: Problem = {
        code: codes[0] ?? 'compile-refused',
        severity: 'error',
        message: error.message,
        file: d.ir.source ?? d.file,
        dagId: d.ir.id,
      };
      problems.push(problem);
      (d.problems as Problem[]).push(problem);
    }
  }
  return { dags, problems, files };
}

/** The problems of DAG files that did not load (threw, called process.exit, never settled): their DAGs are unknown. */
export function importFailures(result: LoadResult): Problem[] {
  return result.problems.filter((p) => IMPORT_FAILURES.has(p.code));
}

/** True when this DAG (by id) has no error — across-DAG errors included. */
export function isValidDag(result: LoadResult, dagId: string): boolean {
  return !result.problems.some((p) => p.severity === 'error' && p.dagId === dagId);
}

/**
 * @module cli/project
 * Loading the project for a command, and the shared ways of reporting its problems.
 */
import { didYouMean } from '../ir/problems.ts';
import { countBySeverity, formatProblem } from '../problems.ts';
import type { Problem } from '../ir/types.ts';
import {
  importFailures,
  isValidDag,
  loadProject,
  type LoadResult,
  type LoadedDag,
} from '../loader/load-project.ts';
import { UsageError } from './errors.ts';
import type { Io } from './io.ts';

export interface GlobalOptions {
  readonly dags: string;
  readonly json?: boolean;
  readonly color?: boolean;
}

export async function load(
  io: Io,
  options: GlobalOptions,
  extra: { readonly compile?: boolean } = {},
): Promise<LoadResult> {
  return loadProject(options.dags, { root: io.cwd, ...extra });
}

export function printProblems(
  io: Io,
  problems: readonly Problem[],
  color: boolean,
  write: (t: string) => void = io.err,
): void {
  for (const p of problems) write(formatProblem(p, { color }));
}

/** One summary line, e.g. "✖ 3 errors and 1 warning in 2 files". */
export function summary(problems: readonly Problem[]): string {
  const { errors, warnings } = countBySeverity(problems);
  const files = new Set(problems.map((p) => p.file?.replace(/:\d+$/, '')).filter(Boolean)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(' and ');
  return `${errors ? '✖' : '⚠'} ${parts}${files ? ` in ${plural(files, 'file')}` : ''}`;
}

/** A DAG by id, valid; otherwise a usage error that says why. */
export function requireDag(
  io: Io,
  result: LoadResult,
  dagId: string,
  options: GlobalOptions,
): LoadedDag {
  const found = result.dags.find((d) => d.ir.id === dagId);
  if (!found) {
    const ids = result.dags.map((d) => d.ir.id);
    // A DAG file that did not load hides its DAGs: name it, or "not found" sends the user looking elsewhere.
    const failed = importFailures(result).map(
      (p) =>
        `${p.file?.replace(/:\d+$/, '')} did not load (${p.message.replace(/^the DAG file /, '')})`,
    );
    const known = ids.length
      ? `known DAGs: ${ids.join(', ')} (updraft list shows them all)`
      : 'no DAG loaded; run updraft validate to see why';
    throw new UsageError(`DAG "${dagId}" not found in ${options.dags}/${didYouMean(dagId, ids)}`, {
      hint: failed.length
        ? `${failed.join('; ')}, so the DAGs ${failed.length === 1 ? 'it declares are' : 'they declare are'} unknown; updraft validate shows how to fix ${failed.length === 1 ? 'it' : 'them'}${ids.length ? `. ${known}` : ''}`
        : known,
    });
  }
  if (!isValidDag(result, dagId)) {
    printProblems(
      io,
      result.problems.filter((p) => p.dagId === dagId && p.severity === 'error'),
      io.color && options.color !== false,
    );
    throw new UsageError(`DAG "${dagId}" has errors (above)`, {
      hint: 'fix them, then try again; updraft validate checks every DAG',
    });
  }
  return found;
}

/**
 * @module ir/problems
 * Problems as data (`{ code, severity, message, hint, file, dagId, taskId, path }`), a small
 * collector that stamps file and DAG on each, "did you mean" suggestions, and the pretty
 * formatter the CLI prints (STYLE.md §6):
 *   ✖ daily_orders › load: depends on unknown task "transfrom" (did you mean "transform"?)  → dags/daily.ts:14
 *     ↳ fix the id, or declare the task
 */
import { closest, distance } from 'fastest-levenshtein';
import type { Problem, Severity } from './types.ts';

export interface ProblemDetails {
  readonly taskId?: string;
  readonly path?: string;
  readonly hint?: string;
  readonly file?: string;
}

export class ProblemCollector {
  readonly problems: Problem[] = [];
  readonly file: string | undefined;
  readonly dagId: string | undefined;
  constructor(file: string | undefined, dagId: string | undefined) {
    this.file = file;
    this.dagId = dagId;
  }

  error(code: string, message: string, details: ProblemDetails = {}): void {
    this.add('error', code, message, details);
  }

  warn(code: string, message: string, details: ProblemDetails = {}): void {
    this.add('warning', code, message, details);
  }

  private add(severity: Severity, code: string, message: string, d: ProblemDetails): void {
    const problem: Problem = {
      code,
      severity,
      message,
      ...(d.hint !== undefined && { hint: d.hint }),
      ...((d.file ?? this.file) !== undefined && { file: d.file ?? this.file }),
      ...(this.dagId !== undefined && { dagId: this.dagId }),
      ...(d.taskId !== undefined && { taskId: d.taskId }),
      ...(d.path !== undefined && { path: d.path }),
    };
    this.problems.push(problem);
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}

/** The nearest candidate to a misspelt name, if it is close enough to be a plausible typo. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates].filter((c) => c !== name);
  if (list.length === 0 || !name) return undefined;
  // A name without its group prefix ("clean" for "transform.clean").
  const suffixed = list.filter((c) => c.endsWith(`.${name}`));
  if (suffixed.length === 1) return suffixed[0];
  const best = closest(name, list);
  // ~40% of the longer word: "retires" → "retry" (3 edits of 7) still counts as a typo.
  const limit = Math.max(2, Math.ceil(Math.max(name.length, best.length) * 0.4));
  return distance(name, best) <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}

export function formatProblem(p: Problem, options: { color?: boolean } = {}): string {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const mark = p.severity === 'error' ? paint('31', '✖') : paint('33', '⚠');
  const who = [p.dagId, p.taskId].filter(Boolean).join(' › ');
  const where = p.file ? paint('2', `  → ${p.file}`) : '';
  const head = `${mark} ${who ? `${paint('1', who)}: ` : ''}${p.message}${where}`;
  return p.hint ? `${head}\n    ${paint('36', '↳')} ${p.hint}` : head;
}

export function countBySeverity(problems: readonly Problem[]): { errors: number; warnings: number } {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { errors, warnings: problems.length - errors };
}

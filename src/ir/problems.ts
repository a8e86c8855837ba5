/**
 * @module ir/problems
 * The collector the validator writes problems into (it stamps file and DAG on each) and "did you
 * mean" suggestions. What a problem is, and the formatter, live in src/problems.ts.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { Problem, ProblemCode, Severity } from '../problems.ts';

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

  error(code: ProblemCode, message: string, details: ProblemDetails = {}): void {
    this.add('error', code, message, details);
  }

  warn(code: ProblemCode, message: string, details: ProblemDetails = {}): void {
    this.add('warning', code, message, details);
  }

  private add(severity: Severity, code: ProblemCode, message: string, d: ProblemDetails): void {
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

/**
 * @module conformance/case
 * A conformance case: a DAG, the options of its run and the outcome expected, written once and
 * run by every runner (test/conformance/runners.ts), as hono runs one suite of router cases
 * against every router. A case arranges its DAG, acts through the `run` it is given and asserts
 * on the `Outcome`; it builds its DAG afresh each time, so counters in task code start at zero
 * for every runner.
 */
import type { Dag } from '../../src/sdk/index.ts';
import type { OperatorOverride } from '../../src/engine/native.ts';
import type { Done } from '../../src/runtime/resume.ts';
import type { Outcome } from '../../src/testing/outcome.ts';

/** The runners, by name (an opt-in `aws` runner on a deployed stack is to come). */
export type RunnerName = 'runMachine' | 'parts' | 'distributed' | 'engine';

export interface RunOptions {
  /** Run params (`conf` of `runDag`). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Stand-ins for native operators and built-in sensors, by task id. */
  readonly overrides?: Readonly<Record<string, OperatorOverride>>;
  /**
   * A resumed execution: what tasks that must not run again answered before (runtime/resume).
   * Only `runMachine` takes it: `updraft/testing` starts fresh runs; the engine resumes through
   * `retry`/`clear` (test/engine/resume.test.ts).
   */
  readonly done?: Done;
}

/** Runs a DAG on one runner for the logical date 2026-11-20. */
export type Run = (dag: Dag, options?: RunOptions) => Promise<Outcome>;

export interface ConformanceCase {
  readonly name: string;
  /** Runners that cannot run this case, each with the reason (not registered for those; conform checks each names a runner and a reason). */
  readonly unsupported?: Readonly<Partial<Record<RunnerName, string>>>;
  readonly test: (run: Run) => Promise<void>;
}

export interface CaseGroup {
  readonly name: string;
  readonly cases: readonly ConformanceCase[];
}

interface DefineCase {
  (name: string, test: ConformanceCase['test']): void;
  (
    name: string,
    options: Pick<ConformanceCase, 'unsupported'>,
    test: ConformanceCase['test'],
  ): void;
}

/** A group of cases, declared like tests: `defineCases('branching', (it) => { it('…', async (run) => { … }) })`. */
export function defineCases(name: string, define: (it: DefineCase) => void): CaseGroup {
  const cases: ConformanceCase[] = [];
  define((
    caseName: string,
    a: ConformanceCase['test'] | Pick<ConformanceCase, 'unsupported'>,
    b?: ConformanceCase['test'],
  ) => {
    if (cases.some((c) => c.name === caseName))
      throw new Error(`conformance group "${name}" has two cases named "${caseName}"`);
    cases.push(
      typeof a === 'function' ? { name: caseName, test: a } : { name: caseName, ...a, test: b! },
    );
  });
  return { name, cases };
}

/**
 * @module errors
 * Updraft's error hierarchy, named by who is at fault: the DAG's definition, the setup or
 * command line, or Updraft itself. Every error may carry a `hint` (how to fix it) and a `cause`;
 * the CLI prints message and hint and exits 1 for the first two, 2 for ours. `PermanentError` is
 * what task code throws to fail at once, without retries. (What task code throws otherwise is its
 * own error, recorded as the task's failure: Updraft does not wrap it.)
 */

import { formatProblems, type Problem } from './problems.ts';
import { brand } from './util/brand.ts';

const PERMANENT = brand('PermanentError');

export abstract class UpdraftError extends Error {
  /**
   * The four classes of fault are told apart by `fault`, not by class identity, so errors of
   * another copy of the SDK (the built `dist/` that DAG files import, a second install) are
   * recognised too: `e instanceof ConfigError`. A subclass of those (CloudError, UsageError) is
   * matched by its prototype chain as usual.
   */
  // biome-ignore-start lint/complexity/noThisInStatic: `this` is the class `instanceof` asks about (a subclass or this one)
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== UpdraftError && !Object.hasOwn(this, 'faultOf'))
      return Function.prototype[Symbol.hasInstance].call(this, value);
    if (!(value instanceof Error)) return false;
    const fault = (value as { fault?: unknown }).fault;
    const own = (this as unknown as { faultOf?: string }).faultOf;
    return typeof fault === 'string' && (own === undefined || fault === own);
  }
  // biome-ignore-end lint/complexity/noThisInStatic: as above
  abstract readonly fault: 'dag' | 'config' | 'internal';
  /** How to fix it, in one line: what to run, set or change. */
  readonly hint: string | undefined;
  constructor(message: string, options: UpdraftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

export interface UpdraftErrorOptions {
  /** How to fix it (printed under the message by the CLI). */
  readonly hint?: string;
  /** The error that led to this one. */
  readonly cause?: unknown;
}

/**
 * The DAG definition is wrong (found while building or validating it). When validation found it,
 * `problems` holds every problem as data (zod's `issues`), and the message renders them.
 */
export class DagDefinitionError extends UpdraftError {
  static readonly faultOf = 'dag';
  readonly fault = 'dag' as const;
  readonly problems: readonly Problem[];
  constructor(
    message: string,
    options: UpdraftErrorOptions & { readonly problems?: readonly Problem[] } = {},
  ) {
    super(message, options);
    this.problems = options.problems ?? [];
  }

  /** `<what>` followed by each problem, formatted as `updraft validate` prints it. */
  static of(
    what: string,
    problems: readonly Problem[],
    options: UpdraftErrorOptions = {},
  ): DagDefinitionError {
    return new DagDefinitionError(`${what}:\n${formatProblems(problems)}`, {
      ...options,
      problems,
    });
  }
}

/** The environment or command line is wrong (a missing connection, a bad flag value). */
export class ConfigError extends UpdraftError {
  static readonly faultOf = 'config';
  readonly fault = 'config' as const;
}

/** A bug in Updraft. */
export class InternalError extends UpdraftError {
  static readonly faultOf = 'internal';
  readonly fault = 'internal' as const;
}

/**
 * Thrown by task code for a failure that retrying cannot fix (bad input, a missing table):
 * the task fails at once, whatever its retry policy says.
 */
export class PermanentError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return PERMANENT.has(value) || (value instanceof Error && value.name === 'PermanentError');
  }
  readonly [PERMANENT.key] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/**
 * @module errors
 * Updraft's error hierarchy, named by who is at fault (STYLE.md §7):
 * the DAG's definition, the task code, the setup, or Updraft itself. `PermanentError` is what
 * task code throws to fail at once, without retries.
 */

import { brand } from './util/brand.ts';

const PERMANENT = brand('PermanentError');

export abstract class UpdraftError extends Error {
  /**
   * By `fault`, not by class identity, so errors of another copy of the SDK (the built `dist/`
   * that DAG files import, a second install) are recognised too: `e instanceof ConfigError`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!(value instanceof Error)) return false;
    const fault = (value as { fault?: unknown }).fault;
    const own = (this as unknown as { faultOf?: string }).faultOf;
    return typeof fault === 'string' && (own === undefined || fault === own);
  }
  abstract readonly fault: 'dag' | 'task' | 'config' | 'internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The DAG definition is wrong (found while building or validating it). */
export class DagDefinitionError extends UpdraftError {
  static readonly faultOf = 'dag';
  readonly fault = 'dag' as const;
}

/** Task code failed; `cause` is what it threw. */
export class TaskExecutionError extends UpdraftError {
  static readonly faultOf = 'task';
  readonly fault = 'task' as const;
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

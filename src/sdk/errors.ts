/**
 * @module sdk/errors
 * Updraft's error hierarchy, named by who is at fault (STYLE.md §7):
 * the DAG's definition, the task code, the setup, or Updraft itself. `PermanentError` is what
 * task code throws to fail at once, without retries.
 */

export abstract class UpdraftError extends Error {
  abstract readonly fault: 'dag' | 'task' | 'config' | 'internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The DAG definition is wrong (found while building or validating it). */
export class DagDefinitionError extends UpdraftError {
  readonly fault = 'dag' as const;
}

/** Task code failed; `cause` is what it threw. */
export class TaskExecutionError extends UpdraftError {
  readonly fault = 'task' as const;
}

/** The environment or command line is wrong (a missing connection, a bad flag value). */
export class ConfigError extends UpdraftError {
  readonly fault = 'config' as const;
}

/** A bug in Updraft. */
export class InternalError extends UpdraftError {
  readonly fault = 'internal' as const;
}

/**
 * Thrown by task code for a failure that retrying cannot fix (bad input, a missing table):
 * the task fails at once, whatever its retry policy says.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

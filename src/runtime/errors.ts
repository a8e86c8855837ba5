/**
 * @module runtime/errors
 * How a task's failure reaches the state machine: an error name the compiled retriers match
 * (`Updraft.PermanentError` is never retried; everything else from task code is
 * `Updraft.TaskFailed` and follows the retry policy) and a cause that keeps the chain of causes.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, DagDefinitionError, PermanentError, UpdraftError } from '../errors.ts';
import type { ErrorInfo } from '../store/types.ts';
import { ERROR_NAMES } from '../compiler/contract.ts';

export const TASK_FAILED = ERROR_NAMES.taskFailed;
export const PERMANENT = ERROR_NAMES.permanent;

/** A thrown value → the error the state machine sees. */
export function classifyError(thrown: unknown): ErrorInfo {
  const e =
    thrown instanceof Error
      ? thrown
      : new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
  // Errors already named for the state machine (a stand-in's, a limit) keep their name.
  if (/^(Updraft|States)\./.test(e.name)) return { error: e.name, cause: e.message };
  // A setup mistake (missing connection, bad DAG) does not fix itself on retry.
  const permanent =
    e instanceof PermanentError || e instanceof ConfigError || e instanceof DagDefinitionError;
  return { error: permanent ? PERMANENT : TASK_FAILED, cause: describeCause(e) };
}

/** `TypeError: x is undefined ← caused by: …`, without stack frames. */
export function describeCause(e: Error): string {
  const parts: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      // The task's own failure reads as its message; a built-in type (TypeError …) or a cause keeps its name.
      const plain =
        current.name === 'Error' ||
        current instanceof PermanentError ||
        (depth === 0 && current instanceof UpdraftError);
      const name = current.name && !plain ? `${current.name}: ` : '';
      const hint = current instanceof UpdraftError ? current.hint : undefined;
      parts.push(`${name}${current.message}${hint ? `\n    ↳ ${hint}` : ''}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' ← caused by: ');
}

/**
 * Updraft's own code (`src/`, or the built `dist/`): its frames are left out of a task's stack
 * trace. In a Lambda bundle the task's code is in the same file as Updraft's: nothing is left out.
 */
const OWN: string | undefined = import.meta.url.endsWith('.ts')
  ? fileURLToPath(new URL('../', import.meta.url))
  : /\/dist\/[^/]+$/.test(import.meta.url)
    ? fileURLToPath(new URL('./', import.meta.url))
    : undefined;

/**
 * A failed task's stack trace as its author wants to read it: the error's stack and those of its
 * causes (`Caused by: …`), paths relative to the project folder `root`, without frames of Node's
 * internals or of Updraft itself (the task runner, the worker), which say nothing about the task.
 */
export function errorStack(thrown: unknown, root: string): string | undefined {
  const parts: string[] = [];
  let current: unknown = thrown;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (typeof current.stack === 'string')
      parts.push(`${depth > 0 ? 'Caused by: ' : ''}${current.stack}`);
    current = current.cause;
  }
  if (parts.length === 0) return undefined;
  const dir = root.endsWith('/') ? root : `${root}/`;
  return parts
    .join('\n')
    .split('\n')
    .filter(
      (line) =>
        !/^\s+at /.test(line) ||
        !(
          line.includes('node:internal') ||
          (OWN !== undefined && (line.includes(OWN) || line.includes(`file://${OWN}`)))
        ),
    )
    .join('\n')
    .replaceAll(`file://${dir}`, '')
    .replaceAll(dir, '');
}

/** An Error carrying a Step Functions error name, as a Lambda function's failure would. */
export function stateError(info: ErrorInfo): Error {
  const error = new Error(info.cause);
  error.name = info.error;
  return error;
}

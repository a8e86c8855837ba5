/**
 * @module cli/errors
 * The one place where failures become exit codes (CONTRIBUTING.md#a-thin-cli): the user's mistakes (a bad
 * DAG, a bad flag, a missing folder) print a formatted message and exit 1; our own bugs print
 * the stack and exit 2.
 */
import { CommanderError } from 'commander';
import { ConfigError, UpdraftError } from '../errors.ts';

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 2;
/** Ctrl-C: 128 + SIGINT (2), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** The command line is wrong (an unknown DAG, a bad flag value): a ConfigError of the CLI's own. */
export class UsageError extends ConfigError {}

export function handleError(error: unknown, stderr: (text: string) => void): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (unknown option, missing argument …).
    return error.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
  }
  if (error instanceof UpdraftError && error.fault !== 'internal') {
    // Errors of another copy of the SDK (the dist/ DAG files import) are recognised by `fault`,
    // so the hint is read as data, not through the class.
    const hint = (error as { hint?: unknown }).hint;
    stderr(`✖ ${error.message}${typeof hint === 'string' && hint ? `\n    ↳ ${hint}` : ''}`);
    return EXIT_USER_ERROR;
  }
  const e = error as Error;
  stderr(
    `✖ Internal error in Updraft (a bug, not your DAG): ${e?.message ?? String(error)}\n${e?.stack ?? ''}\n    ↳ please report it with the command you ran`,
  );
  return EXIT_INTERNAL_ERROR;
}

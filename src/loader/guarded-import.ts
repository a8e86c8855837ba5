/**
 * @module loader/guarded-import
 * Imports a DAG file so that its top-level code cannot end or hang Updraft:
 * - `process.exit(...)` while the file loads throws `ExitDuringImportError` at the call instead of
 *   ending the process (today `updraft validate` would exit 0 with no output);
 * - a top-level await that can never settle — the event loop has nothing left to wait on, where
 *   Node would exit with code 13 "unsettled top-level await" — or that is still waiting after
 *   `timeoutMs` rejects with `UnsettledImportError`.
 * The module may stay pending in the background; nothing else waits for it.
 */

/** `process.exit` was called while a DAG file was loading. */
export class ExitDuringImportError extends Error {
  readonly exitCode: string;
  constructor(exitCode: unknown) {
    const shown = exitCode === undefined ? '' : JSON.stringify(exitCode);
    super(`process.exit(${shown}) was called while the DAG file loaded`);
    this.name = 'ExitDuringImportError';
    this.exitCode = shown;
  }
}

/** The import did not settle: `idle` when nothing was left to wait on, `timeout` after `timeoutMs`. */
export class UnsettledImportError extends Error {
  readonly reason: 'idle' | 'timeout';
  readonly timeoutMs: number;
  constructor(reason: 'idle' | 'timeout', timeoutMs: number) {
    super(
      reason === 'idle'
        ? 'the import can never settle'
        : `the import did not settle within ${timeoutMs} ms`,
    );
    this.name = 'UnsettledImportError';
    this.reason = reason;
    this.timeoutMs = timeoutMs;
  }
}

// Nested or concurrent guarded imports share one replacement of process.exit.
let depth = 0;
let realExit: typeof process.exit | undefined;

function guardExit(): () => void {
  if (depth++ === 0) {
    realExit = process.exit;
    process.exit = ((code?: unknown) => {
      throw new ExitDuringImportError(code);
    }) as typeof process.exit;
  }
  return () => {
    if (--depth === 0 && realExit) {
      process.exit = realExit;
      realExit = undefined;
    }
  };
}

export async function guardedImport(
  url: string,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const release = guardExit();
  const exitCode = process.exitCode;
  let timer: NodeJS.Timeout | undefined;
  let onIdle: (() => void) | undefined;
  // 'beforeExit' fires when the event loop is empty: a pending import then can never settle.
  // The timer is unref'd so that it does not keep the loop alive and hide that moment.
  const stuck = new Promise<never>((_resolve, reject) => {
    onIdle = () => reject(new UnsettledImportError('idle', timeoutMs));
    process.once('beforeExit', onIdle);
    timer = setTimeout(() => reject(new UnsettledImportError('timeout', timeoutMs)), timeoutMs);
    timer.unref();
  });
  try {
    return (await Promise.race([import(url), stuck])) as Record<string, unknown>;
  } finally {
    clearTimeout(timer);
    if (onIdle) process.off('beforeExit', onIdle);
    release();
    // A DAG file setting process.exitCode must not decide how updraft exits.
    process.exitCode = exitCode;
  }
}

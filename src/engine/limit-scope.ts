/**
 * @module engine/limit-scope
 * Executions that stop together at the first cloud limit one of them meets (engine/event-log
 * calls `fail`): a run and its parts, or one Distributed Map child inside its run. A child scope
 * stops alone at its own limit, and with its parent at the parent's, as on AWS.
 */
import type { ErrorInfo } from '../store/types.ts';

export class LimitScope {
  readonly #parent: LimitScope | undefined;
  readonly #aborts = new Set<() => void>();
  #limit: ErrorInfo | undefined;

  constructor(parent?: LimitScope) {
    this.#parent = parent;
  }

  /** The limit that stopped this scope (or its parent), once one did. */
  stopped(): ErrorInfo | undefined {
    return this.#limit ?? this.#parent?.stopped();
  }

  /** Stops every execution of the scope at a limit (the first one found wins). */
  fail(info: ErrorInfo): void {
    if (this.#limit) return;
    this.#limit = info;
    this.abortAll();
  }

  /** Registers how to abort an execution of the scope (and of its parent); returns how to unregister. */
  register(abort: () => void): () => void {
    this.#aborts.add(abort);
    const off = this.#parent?.register(abort);
    return () => {
      this.#aborts.delete(abort);
      off?.();
    };
  }

  /** Aborts every execution of the scope (the run timed out: its parts stop with it). */
  abortAll(): void {
    for (const abort of this.#aborts) abort();
  }
}

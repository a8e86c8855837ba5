/**
 * @module engine/state-arrivals
 * Keeps task handlers in step with the interpreter's event log. The interpreter calls a Task
 * state's handler right after it logs the state's StateEntered (first try) or StateRetried (each
 * retry) event, and the log is read asynchronously: the n-th call of a state waits until n such
 * events of that state have been read. Reading the log takes only microtasks, so this never waits
 * for a turn of the event loop.
 */
export class StateArrivals {
  readonly #arrived = new Map<string, number>();
  readonly #calls = new Map<string, number>();
  readonly #waiting = new Map<string, { n: number; resolve: () => void }[]>();

  /** A call of the state's handler: resolves once its event was read (undefined: it already was). */
  catchUp(stateName: string): Promise<void> | undefined {
    const n = (this.#calls.get(stateName) ?? 0) + 1;
    this.#calls.set(stateName, n);
    if ((this.#arrived.get(stateName) ?? 0) >= n) return undefined;
    return new Promise((resolve) => {
      const list = this.#waiting.get(stateName) ?? [];
      list.push({ n, resolve });
      this.#waiting.set(stateName, list);
    });
  }

  /** The log showed the state entered or retried. */
  arrive(stateName: string): void {
    const n = (this.#arrived.get(stateName) ?? 0) + 1;
    this.#arrived.set(stateName, n);
    const list = this.#waiting.get(stateName);
    if (!list) return;
    const ready = list.filter((w) => w.n <= n);
    if (ready.length === list.length) this.#waiting.delete(stateName);
    else
      this.#waiting.set(
        stateName,
        list.filter((w) => w.n > n),
      );
    for (const w of ready) w.resolve();
  }
}

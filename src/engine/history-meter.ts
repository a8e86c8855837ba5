/**
 * @module engine/history-meter
 * Counts what a run would add to its Step Functions execution history and bill as state
 * transitions, so a run over the history limit fails here as it fails on AWS. Every state adds
 * entered + exited, a Wait its wait, a Task call scheduled + started + succeeded/failed, every
 * Parallel branch and Map iteration started + succeeded; a retry is billed as a transition, as
 * the recorder counts it on AWS.
 */
import { ERROR_NAMES } from '../compiler/contract.ts';
import type { ErrorInfo } from '../store/types.ts';

export class HistoryMeter {
  /** ExecutionStarted + ExecutionSucceeded/Failed. */
  #events = 2;
  #transitions = 0;
  /** Transitions per state name, or per task id for the retries a pool wait stands for. */
  readonly #by = new Map<string, number>();
  readonly #limit: number;
  /** The run's meter, when this one meters one of its parts: transitions count there too. */
  readonly #run: HistoryMeter | undefined;

  /** @param limit Step Functions' history limit, in events. */
  constructor(limit: number, run?: HistoryMeter) {
    this.#limit = limit;
    this.#run = run;
  }

  /** A meter for a part's execution (compiler/parts): history of its own, transitions billed to the run. */
  forPart(): HistoryMeter {
    return new HistoryMeter(this.#limit, this.#run ?? this);
  }

  get events(): number {
    return this.#events;
  }

  get transitions(): number {
    return this.#transitions;
  }

  /** Transitions by state name (and by task id for pool waits): what each task cost. */
  get transitionsBy(): ReadonlyMap<string, number> {
    return this.#by;
  }

  stateEntered(type: string | undefined, name?: string): void {
    if (this.#run) this.#run.#count(name);
    this.#transitions++;
    this.#events += 2; // entered + exited
    if (type === 'Wait') this.#events += 1;
    if (name !== undefined) this.#by.set(name, (this.#by.get(name) ?? 0) + 1);
  }

  /** @param name The state retried, or the task whose pool wait the retries stand for. */
  stateRetried(name?: string): void {
    if (this.#run) this.#run.#count(name);
    this.#transitions++;
    if (name !== undefined) this.#by.set(name, (this.#by.get(name) ?? 0) + 1);
  }

  /** A transition of a part's execution, billed to the run. */
  #count(name: string | undefined): void {
    this.#transitions++;
    if (name !== undefined) this.#by.set(name, (this.#by.get(name) ?? 0) + 1);
  }

  /** A Map iteration or Parallel branch started (and will succeed or fail). */
  iterationStarted(): void {
    this.#events += 2;
  }

  /** A Task state's handler was called: scheduled, started, succeeded/failed. */
  taskCalled(): void {
    this.#events += 3;
  }

  /** Why the run fails when it is over the limit. */
  overLimit(): ErrorInfo | undefined {
    if (this.#events <= this.#limit) return undefined;
    return {
      error: ERROR_NAMES.historyLimitExceeded,
      cause: `the run reached Step Functions' limit of ${this.#limit.toLocaleString('en-US')} execution history events (every state, retry, sensor poke and mapped instance adds some), where AWS fails the execution. Lengthen sensor poke intervals, lower retry attempts, map over fewer items per run, or split the DAG with triggerDag().`,
    };
  }
}

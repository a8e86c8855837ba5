/**
 * @module engine/task-tally
 * What one execution knows about its tasks' tries: try numbers (continuing those of earlier
 * executions of the run), tries of this execution per task instance, when each task started and
 * ended on the run's clock, which tasks a resumed execution handed back, and the order in which
 * tasks' code first started. The task handlers write it; the outcome reads it.
 */
import { instanceKey } from '../compiler/contract.ts';
import type { Clock } from './clock.ts';
import type { EngineEvent } from './engine-event.ts';

/** When a task ran, on the run's clock. */
export interface TaskTimes {
  readonly start: number;
  readonly end?: number;
}

/** A task instance's key in try counts: `taskId|mapIndex` (-1: not mapped), as priorTries are given. */
export function tryCountKey(taskId: string, mapIndex: number): string {
  return instanceKey(taskId, mapIndex);
}

export class TaskTally {
  /** Try numbers per instance: numbering continues across executions. */
  readonly #tries: Map<string, number>;
  /** Tries per instance in this execution. */
  readonly #attempts = new Map<string, number>();
  readonly #times = new Map<string, { start: number; end?: number }>();
  readonly #reused = new Set<string>();
  /** Task ids in the order their code started (first attempt). */
  readonly started: string[] = [];
  readonly #clock: Clock;
  readonly #emit: (event: EngineEvent) => void;

  constructor(
    clock: Clock,
    emit: (event: EngineEvent) => void,
    priorTries?: ReadonlyMap<string, number>,
  ) {
    this.#clock = clock;
    this.#emit = emit;
    this.#tries = new Map(priorTries ?? []);
  }

  /** A new try of a task instance (`mapIndex` -1: not mapped) starts: its try number. */
  nextTry(taskId: string, mapIndex: number): number {
    const k = tryCountKey(taskId, mapIndex);
    const n = (this.#tries.get(k) ?? 0) + 1;
    this.#tries.set(k, n);
    const a = (this.#attempts.get(k) ?? 0) + 1;
    this.#attempts.set(k, a);
    if (a === 1 && mapIndex <= 0) this.started.push(taskId);
    if (!this.#times.has(taskId)) this.#times.set(taskId, { start: this.#clock.now() });
    this.#emit({
      type: 'task',
      taskId,
      state: 'running',
      at: this.#clock.now(),
      attempt: a,
      ...(mapIndex >= 0 && { mapIndex }),
    });
    return n;
  }

  /** A call of the task's state returned (its latest end so far). */
  ended(taskId: string): void {
    const t = this.#times.get(taskId);
    if (t) t.end = this.#clock.now();
  }

  /** A resumed execution handed back the task's earlier answer instead of running it. */
  reused(taskId: string): void {
    this.#reused.add(taskId);
    if (!this.#times.has(taskId))
      this.#times.set(taskId, { start: this.#clock.now(), end: this.#clock.now() });
  }

  wasReused(taskId: string): boolean {
    return this.#reused.has(taskId);
  }

  timesOf(taskId: string): TaskTimes | undefined {
    return this.#times.get(taskId);
  }

  /** Tries of this execution per task (mapped: the most any instance took), in one pass. */
  mostAttempts(): Map<string, number> {
    const most = new Map<string, number>();
    for (const [k, n] of this.#attempts) {
      const taskId = k.slice(0, k.lastIndexOf('|'));
      most.set(taskId, Math.max(most.get(taskId) ?? 0, n));
    }
    return most;
  }
}

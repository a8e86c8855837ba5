/**
 * @module engine/task-records
 * A run's task records in the store, following the run: each live engine event updates the task's
 * record (written at once, for `show` from another terminal and after a crash), and the run's
 * outcome writes the final records in one batch. The SQLite store commits each write before its
 * call returns, so a record is on disk before the interpreter moves on; a failed live write is
 * kept and reported when the run ends. Also: the run's error from its outcome, and the try
 * numbers earlier executions reached (a resumed execution continues them).
 */
import {
  taskStatesOf,
  type ErrorInfo,
  type RunRecord,
  type Store,
  type TaskRecord,
  type TaskState,
  type TaskStates,
  type TryRecord,
} from '../store/types.ts';
import type { EngineEvent } from './engine-event.ts';
import { tryCountKey } from './task-tally.ts';
import type { RunMachineResult } from './run-machine.ts';

export class TaskRecords {
  readonly #store: Store;
  readonly #run: Pick<RunRecord, 'runId' | 'dagId'>;
  readonly #records = new Map<string, TaskRecord>();
  /** The JSON last written per task: an unchanged record is not written again. */
  readonly #written = new Map<string, string>();
  #writeError: unknown;
  #stopped = false;

  /** Each task's state transitions in the run's earlier executions: its cost adds them up. */
  readonly #earlier: ReadonlyMap<string, number>;

  constructor(
    store: Store,
    run: Pick<RunRecord, 'runId' | 'dagId'>,
    earlier: ReadonlyMap<string, number> = new Map(),
  ) {
    this.#store = store;
    this.#run = run;
    this.#earlier = earlier;
  }

  /** The first live write that failed, if one did. */
  get writeError(): unknown {
    return this.#writeError;
  }

  /** A live event: the task's record follows it. */
  event(e: EngineEvent): void {
    const prev = this.#records.get(e.taskId);
    const at = new Date(e.at).toISOString();
    this.#set(e.taskId, {
      state: e.state,
      ...(e.state === 'running' && e.mapIndex === undefined && { attempts: e.attempt ?? 1 }),
      ...(!prev?.startedAt && (e.state === 'running' || e.reused) && { startedAt: at }),
      ...((e.state === 'success' || e.state === 'failed') && { endedAt: at }),
      ...(e.reused && { reused: true }),
    });
  }

  /** The run's task records as its summary (written with the run's end). */
  states(): TaskStates | undefined {
    return taskStatesOf([...this.#records.values()]);
  }

  /**
   * Writes nothing more: the engine is closing after Ctrl-C marked its runs interrupted, so the
   * failures its stopped workers cause are not the tasks' story.
   */
  stop(): void {
    this.#stopped = true;
  }

  /** The records of the run's outcome, written in one batch. */
  async finish(result: RunMachineResult): Promise<void> {
    const final: TaskRecord[] = [];
    for (const [taskId, outcome] of Object.entries(result.tasks)) {
      const detail = result.details[taskId] ?? {};
      const prev = this.#records.get(taskId);
      this.#set(
        taskId,
        {
          state: outcome.state as TaskState,
          attempts: outcome.attempts,
          ...(detail.startedAt !== undefined && {
            startedAt: prev?.startedAt ?? new Date(detail.startedAt).toISOString(),
          }),
          ...(detail.endedAt !== undefined && { endedAt: new Date(detail.endedAt).toISOString() }),
          ...(outcome.output !== undefined && { output: outcome.output }),
          ...(outcome.error && { error: outcome.error }),
          ...(outcome.mapped && { mapped: outcome.mapped }),
          ...(outcome.reused && { reused: true }),
          ...((detail.transitions !== undefined || this.#earlier.has(taskId)) && {
            transitions: (this.#earlier.get(taskId) ?? 0) + (detail.transitions ?? 0),
          }),
        },
        final,
      );
    }
    await this.#store.putTasks(final);
  }

  /** The task's record with `patch` applied; written now unless `batch` collects it (or it did not change). */
  #set(taskId: string, patch: Partial<TaskRecord>, batch?: TaskRecord[]): void {
    if (this.#stopped) return;
    const prev = this.#records.get(taskId) ?? {
      runId: this.#run.runId,
      dagId: this.#run.dagId,
      taskId,
      state: 'queued' as TaskState,
      attempts: 0,
    };
    const next = { ...prev, ...patch } as TaskRecord;
    this.#records.set(taskId, next);
    const json = JSON.stringify(next);
    if (this.#written.get(taskId) === json) return;
    this.#written.set(taskId, json);
    if (batch) batch.push(next);
    else this.#store.putTask(next).catch((e: unknown) => (this.#writeError ??= e));
  }
}

/** Why a run failed: its own error (a cloud limit, the run timeout), else its first failed task's. */
export function runErrorOf(result: RunMachineResult): ErrorInfo | undefined {
  const failedTask = Object.entries(result.tasks).find(([, t]) => t.state === 'failed' && t.error);
  return (
    result.error ??
    (result.status === 'failed' && failedTask
      ? {
          error: failedTask[1].error!.error,
          cause: `task "${failedTask[0]}" failed: ${failedTask[1].error!.cause}`,
        }
      : undefined)
  );
}

/** The highest try number per `taskId|mapIndex` so far: a resumed execution continues from them. */
export function priorTries(tries: readonly TryRecord[]): Map<string, number> {
  const prior = new Map<string, number>();
  for (const t of tries) {
    const k = tryCountKey(t.taskId, t.mapIndex);
    prior.set(k, Math.max(prior.get(k) ?? 0, t.tryNumber));
  }
  return prior;
}

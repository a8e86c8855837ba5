/**
 * @module runtime/lambda-state
 * What the task-runner Lambda keeps in the store because, unlike on the embedded engine, no
 * process follows the run between invocations: the try counter of each task instance (every
 * Step Functions retry is a new invocation, maybe in another container), a sensor's poke state
 * between pokes, and the task's own record (state, attempts, times, output, error), which the
 * engine otherwise writes from its events.
 */
import type { DagIR, TaskIR } from '../ir/types.ts';
import { ERROR_NAMES } from '../compiler/contract.ts';
import type { Store, TaskRecord, TaskState, TryRecord } from '../store/types.ts';
import { PERMANENT } from './errors.ts';
import type { PokeBook } from './task-response.ts';
import type { RunnerRecorder } from './task-try.ts';

/** Sensor poke state in the store, for one run attempt (a redriven run's sensor starts over, as on the engine). */
export function storePokes(
  store: Pick<Store, 'getPokes' | 'putPokes'>,
  runId: string,
  runAttempt: number,
): PokeBook {
  return {
    get: async (taskId, mapIndex) => {
      const state = await store.getPokes(runId, taskId, mapIndex);
      return state && state.runAttempt === runAttempt
        ? { waited: state.waited, n: state.n }
        : undefined;
    },
    set: (taskId, mapIndex, state) =>
      store.putPokes(runId, taskId, mapIndex, { ...state, runAttempt }),
  };
}

/**
 * A recorder that writes each try and, from it, the task's record. Mapped instances write their
 * tries only: the task's summary (how many instances, how many failed) is the Map state's to
 * know, not one instance's.
 */
export function recordingTasks(
  store: Pick<Store, 'putTry' | 'putTask' | 'putLineage'>,
  ir: DagIR,
): RunnerRecorder {
  const tasks = new Map(ir.tasks.map((t) => [t.id, t]));
  return {
    async putTry(t) {
      await store.putTry(t);
      const task = tasks.get(t.taskId);
      const record = task && t.mapIndex < 0 ? taskRecordOf(t, task, ir.id) : undefined;
      if (record) await store.putTask(record);
    },
    putLineage: (records) => store.putLineage(records),
    putDecided: (record) => store.putTask(record),
  };
}

/**
 * The task's record after one of its tries. `attempts` is the try number (it continues across
 * retries and redrives, as on the engine); `startedAt` is this try's start. A failed try that the
 * task's own retry policy will retry shows `up_for_retry` (group retries and redrives are not
 * counted: the next try's `running` record corrects it).
 */
export function taskRecordOf(t: TryRecord, task: TaskIR, dagId: string): TaskRecord {
  const base = {
    runId: t.runId,
    dagId,
    taskId: t.taskId,
    attempts: t.tryNumber,
    startedAt: t.startedAt,
  };
  const ended = t.endedAt === undefined ? {} : { endedAt: t.endedAt };
  if (t.state === 'running') return { ...base, state: 'running' };
  if (t.state === 'failed') {
    const retried = t.error?.error !== PERMANENT && t.tryNumber < (task.retry?.attempts ?? 1);
    return {
      ...base,
      ...ended,
      state: retried ? 'up_for_retry' : 'failed',
      ...(t.error && { error: t.error }),
    };
  }
  const response = t.response as { s?: string; o?: unknown } | null | undefined;
  switch (task.body.kind) {
    case 'function':
      return {
        ...base,
        ...ended,
        state: 'success',
        ...(t.response !== undefined && t.response !== null && { output: t.response }),
      };
    case 'branch':
    case 'short_circuit':
      return { ...base, ...ended, state: 'success', output: response?.o ?? null };
    case 'sensor': {
      const sensor = task.body.sensor;
      if (response?.s === 'poking') return { ...base, state: 'running' };
      if (response?.s === 'timeout') {
        const state: TaskState = sensor.softFail ? 'skipped' : 'failed';
        return {
          ...base,
          ...ended,
          state,
          ...(!sensor.softFail && {
            error: {
              error: ERROR_NAMES.sensorTimeout,
              cause: `sensor ${task.id} was not satisfied within ${sensor.timeoutSeconds}s`,
            },
          }),
        };
      }
      return { ...base, ...ended, state: 'success', output: response?.o ?? null };
    }
    case 'operator':
      // Operators are service integrations: the runner never runs them (it refuses before a try).
      return { ...base, ...ended, state: 'success' };
    default: {
      const never: never = task.body;
      throw new Error(`unknown task body ${JSON.stringify(never)}`);
    }
  }
}

/**
 * @module runtime/task-response
 * What the state machine expects back from a task's code, by kind of task (compiler/states:
 * lambda-task, sensor): a function's output (offloaded when large), a branch's choice, a
 * short-circuit's verdict, a sensor poke's answer with the poke bookkeeping between pokes.
 */
import { assertNever, type SensorIR, type TaskIR } from '../ir/types.ts';
import { instanceKey, type ManifestTask } from '../compiler/contract.ts';
import { PermanentError } from '../errors.ts';
import { offload, type ObjectStore } from './objects.ts';

/** Where a response is shaped: the run's payload objects and pokes, and this instance's object. */
export interface ResponseContext {
  readonly objects: ObjectStore;
  readonly pokes: PokeBook;
  /** Task ids and record keys, one from the other (a branch answers by key). */
  readonly ids: { idOf(key: string): string; keyOf(id: string): string };
  /** An output larger than this goes to the payload bucket by reference. */
  readonly limitBytes: number;
  /** The payload object an offloaded output is written to. */
  readonly objectKey: string;
  readonly mapIndex: number;
}

export interface PokeCount {
  readonly waited: number;
  readonly n: number;
}

/**
 * Where a sensor's poke state lives between pokes: a Map for one engine run, the store on Lambda
 * (every poke is a separate invocation, possibly in another container).
 */
export interface PokeBook {
  get(taskId: string, mapIndex: number): PokeCount | undefined | Promise<PokeCount | undefined>;
  set(taskId: string, mapIndex: number, state: PokeCount): void | Promise<void>;
}

/** Poke state in memory, for one execution (the engine, `updraft test`). */
export function memoryPokes(): PokeBook {
  const pokes = new Map<string, PokeCount>();
  return {
    get: (taskId, mapIndex) => pokes.get(instanceKey(taskId, mapIndex)),
    set: (taskId, mapIndex, state) => void pokes.set(instanceKey(taskId, mapIndex), state),
  };
}

/** What the state machine expects back from each kind of task (see compiler/states: lambda-task, sensor). */
export async function shapeResponse(
  task: ManifestTask,
  ir: TaskIR,
  result: unknown,
  where: ResponseContext,
): Promise<unknown> {
  const { objects, pokes, ids, limitBytes, objectKey, mapIndex } = where;
  switch (ir.body.kind) {
    case 'branch': {
      const chosen = result === null || result === undefined ? [] : [result].flat().map(String);
      const downstream = task.downstream.map((k) => ids.idOf(k));
      for (const c of chosen) {
        if (!downstream.includes(c)) {
          throw new PermanentError(
            `branch "${task.id}" returned "${c}", which is not directly downstream of it; return one of: ${downstream.map((d) => `"${d}"`).join(', ')}`,
          );
        }
      }
      const chosenKeys = new Set(chosen.map((c) => ids.keyOf(c)));
      const keeps = task.branchKeeps ?? {};
      // Airflow's skip_all_except keeps what is downstream of a chosen task, chosen or not.
      const c = Object.fromEntries(
        task.downstream.map((k) => [
          k,
          chosenKeys.has(k) || (keeps[k] ?? []).some((x) => chosenKeys.has(x)),
        ]),
      );
      return { o: chosen, c };
    }
    case 'short_circuit':
      return { o: Boolean(result) };
    case 'sensor': {
      const isObject = typeof result === 'object' && result !== null;
      const done = isObject ? Boolean((result as { done?: unknown }).done) : Boolean(result);
      const output = isObject ? ((result as { output?: unknown }).output ?? true) : true;
      return sensorResponse(
        pokes,
        task.id,
        mapIndex,
        done,
        ir.body.sensor,
        await offload(objects, objectKey, output, limitBytes),
      );
    }
    case 'function':
      return offload(objects, objectKey, result, limitBytes);
    case 'operator':
      throw new PermanentError(
        `task "${task.id}" is a native operator; the state machine calls the service, not the task runner`,
      );
    default:
      return assertNever(ir.body, 'task body');
  }
}

/**
 * A poke's answer: satisfied, keep poking after `wait` seconds (interval × backoff^n, capped, never
 * past the timeout), or timed out.
 */
export async function sensorResponse(
  pokes: PokeBook,
  taskId: string,
  mapIndex: number,
  done: boolean,
  sensor: SensorIR,
  output: unknown = true,
) {
  if (done) return { s: 'success', o: output, wait: 0 };
  const p = (await pokes.get(taskId, mapIndex)) ?? { waited: 0, n: 0 };
  if (p.waited >= sensor.timeoutSeconds) return { s: 'timeout', o: null, wait: 0 };
  const interval = Math.min(
    sensor.pokeIntervalSeconds * sensor.pokeBackoffRate ** p.n,
    sensor.maxPokeIntervalSeconds ?? Number.POSITIVE_INFINITY,
  );
  const wait = Math.max(1, Math.min(Math.round(interval), sensor.timeoutSeconds - p.waited));
  await pokes.set(taskId, mapIndex, { waited: p.waited + wait, n: p.n + 1 });
  return { s: 'poking', o: null, wait };
}

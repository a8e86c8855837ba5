/**
 * @module runtime/task-runner
 * The task runner: what the task Lambda runs on AWS and what the embedded engine calls for every
 * Task state of a function task, branch, short-circuit, sensor poke or mapped instance. It builds
 * the context (run values, params, connections the task declared), resolves offloaded inputs,
 * calls the DAG author's code, offloads a large output, classifies a failure for the compiled
 * retriers, and records each try, its log lines and the task's lineage.
 *
 * The author's code is called in process (Lambda, tests) or through an invoker that runs it
 * elsewhere (the engine's worker pool, engine/worker-pool); either way its value reaches the state
 * machine as Lambda's JSON would carry it (a Date becomes an ISO string, NaN null, a `__proto__`
 * key a plain key).
 */
import type { DagIR, SensorIR, TaskIR } from '../ir/types.ts';
import {
  ERROR_NAMES,
  instanceKey,
  type ManifestTask,
  type RunnerManifest,
} from '../compiler/contract.ts';
import type { Dag } from '../sdk/dag.ts';
import type { Connection, TaskContext, TriggerKind } from '../sdk/context.ts';
import { PermanentError } from '../errors.ts';
import type { ErrorInfo, LineageRecord, TryRecord } from '../store/types.ts';
import { resolveArgs, type RunValues } from './args.ts';
import { givenFor, type Done } from './resume.ts';
import { classifyError, errorStack, stateError } from './errors.ts';
import { offload, resolveRefs, type ObjectStore } from './objects.ts';
import { createTaskLogger, type LogSink } from './task-logger.ts';
import { SecretMasker } from './mask.ts';

/** The Lambda payload the compiled state machine sends (`Parameters.Payload`). */
export interface RunnerRequest {
  readonly task: string;
  readonly run: RunValues;
  /** Upstream outputs by record key. */
  readonly in?: Readonly<Record<string, unknown>>;
  readonly item?: unknown;
  readonly index?: number;
  /** Built-in sensors: what to check (`{ kind: 's3_key', bucket, key }`, `{ kind: 'external_dag', … }`). */
  readonly check?: Readonly<Record<string, unknown>>;
  /** A resumed execution's earlier answers by task key (runtime/resume): this task's is handed back, its code does not run. */
  readonly done?: Done;
}

/** Answers a built-in sensor's poke: S3 HeadObject, the store's run record of another DAG … */
export type BuiltinCheck = (
  taskId: string,
  check: Readonly<Record<string, unknown>>,
  run: RunValues,
) => Promise<boolean>;

/** Where the runner writes what happened (the store on AWS and locally). */
export interface RunnerRecorder {
  putTry(t: TryRecord): void | Promise<void>;
  putLineage(records: readonly LineageRecord[]): void | Promise<void>;
}

export interface TaskRunnerDeps {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly manifest: RunnerManifest;
  readonly objects: ObjectStore;
  readonly recorder: RunnerRecorder;
  readonly logs: LogSink;
  /** A connection by id (env, local file, or Secrets Manager). */
  readonly connection: (id: string) => Promise<Connection>;
  /** Milliseconds since the epoch on the run's clock. */
  readonly now: () => number;
  /** The run's execution attempt (1 + resumes). */
  readonly runAttempt: number;
  /** The try number of this call for a task instance (1 on the first): in memory on the engine, a store counter on Lambda. */
  readonly nextTry: (taskId: string, mapIndex: number) => number | Promise<number>;
  /** Sensor poke bookkeeping per task instance (seconds waited so far, pokes made). */
  readonly pokes: PokeBook;
  readonly builtinCheck: BuiltinCheck;
  /** Runs the author's code somewhere else (the engine's worker pool). @default a call in this thread */
  readonly invoke?: TaskInvoker;
  /** Paths in a failed task's stack trace are shown relative to this folder. @default process.cwd() */
  readonly root?: string;
}

/**
 * aws-local-stepfunctions gives a Task state without `TimeoutSeconds` 60 seconds (its
 * DEFAULT_TIMEOUT_SECONDS), so an isolated task's worker is stopped at the same instant.
 */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

/** One call of a task's code, for an invoker that runs it outside the runner's thread. */
export interface TaskCall {
  readonly dagId: string;
  readonly taskId: string;
  /** The context the code receives; `log` and `connection` are served from the runner's thread. */
  readonly context: TaskContext<Record<string, unknown>>;
  readonly args: readonly unknown[];
  /** The Task state's TimeoutSeconds (or DEFAULT_TASK_TIMEOUT_SECONDS): the invoker stops the code then. */
  readonly timeoutSeconds: number;
}

/**
 * Runs a task's code and resolves to its value after a JSON round trip (what Lambda returns), or
 * rejects with an Error whose name the state machine matches (`Updraft.TaskFailed`, `States.Timeout` …).
 */
export type TaskInvoker = (call: TaskCall) => Promise<unknown>;

/** A value as it comes out of Lambda: `JSON.stringify`, then parsed (undefined stays undefined). */
export function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
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

export interface TaskRunner {
  (request: RunnerRequest): Promise<{ Payload: unknown }>;
}

// eslint-disable-next-line max-lines-per-function -- one try of one task as Lambda and the engine run it (inputs, context, masking, offload, records): next to split, it shares the try's state
export function createTaskRunner(deps: TaskRunnerDeps): TaskRunner {
  const byId = new Map(deps.manifest.tasks.map((t) => [t.id, t]));
  const byKey = new Map(deps.manifest.tasks.map((t) => [t.key, t]));
  const irTasks = new Map(deps.ir.tasks.map((t) => [t.id, t]));
  // A Map state iterates the list in the document itself: outputs mapped over stay inline
  // (Step Functions' 256 KiB limit still applies to them).
  const mappedOver = new Set(
    deps.ir.tasks.flatMap((t) => (t.mapping?.over.kind === 'output' ? [t.mapping.over.task] : [])),
  );
  const iso = () => new Date(deps.now()).toISOString();

  // eslint-disable-next-line max-lines-per-function -- one try of one task, start to records: next to split with its enclosing createTaskRunner
  return async (request) => {
    const task = byId.get(request.task);
    const ir = irTasks.get(request.task);
    const builtin = ir?.body.kind === 'sensor' && ir.body.sensor.check.kind !== 'function';
    const code = builtin
      ? () => deps.builtinCheck(request.task, request.check ?? {}, request.run)
      : deps.dag.taskCode(request.task);
    if (!task || !ir || !code) {
      throw stateError({
        error: ERROR_NAMES.internal,
        cause: `task "${request.task}" is not in DAG "${deps.ir.id}" as deployed; recompile and redeploy the DAG`,
      });
    }
    const run = request.run;
    const mapIndex = request.index ?? -1;
    // Resumed (retry, clear): what this instance answered before, without running it again.
    const earlier = givenFor(request.done?.[task.key], mapIndex);
    if (earlier) {
      if ('e' in earlier) throw stateError({ error: earlier.e.Error, cause: earlier.e.Cause });
      return { Payload: 'r' in earlier ? earlier.r : earlier.o };
    }
    const tryNumber = await deps.nextTry(task.id, mapIndex);
    const startedAt = deps.now();
    const base = {
      runId: run.runId,
      taskId: task.id,
      mapIndex,
      tryNumber,
      runAttempt: deps.runAttempt,
    };
    // The code starts while the "running" record is written; the try's end waits for both. On the
    // engine (whose store commits the writes of one turn together) a quick task's two records then
    // share one commit, and a resume relies only on the end record, committed before the state
    // machine moves on. A process killed meanwhile may lose the "running" record, never an end.
    const running = Promise.resolve(
      deps.recorder.putTry({ ...base, state: 'running', startedAt: iso() }),
    );
    running.catch(() => undefined); // reported with the try's end
    const masker = new SecretMasker();
    const log = createTaskLogger({
      sink: deps.logs,
      masker,
      now: deps.now,
      fields: {
        dag: run.dagId,
        run: run.runId,
        task: task.id,
        try: tryNumber,
        ...(mapIndex >= 0 && { mapIndex }),
      },
    });

    const finish = async (
      state: 'success' | 'failed',
      extra: { error?: ErrorInfo; response?: unknown },
    ) => {
      const endedAt = deps.now();
      const end = deps.recorder.putTry({
        ...base,
        state,
        startedAt: new Date(startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        durationMs: endedAt - startedAt,
        ...extra,
      });
      await Promise.all([running, end]);
    };

    let result: unknown;
    try {
      const inputs = (await resolveRefs(deps.objects, request.in ?? {})) as Record<string, unknown>;
      const item = await resolveRefs(deps.objects, request.item);
      const args = resolveArgs(
        task.args,
        { run, inputs, keyOf: (id) => byId.get(id)!.key },
        task.mapArgIndex !== undefined ? { argIndex: task.mapArgIndex, item } : undefined,
      );
      const context = buildContext(task, run, tryNumber, request.index, log, async (id) => {
        if (!task.connections.includes(id)) {
          throw new PermanentError(
            `task "${task.id}" asked for connection "${id}", which it did not declare; add it to the task's options: connections: [${[...task.connections, id].map((c) => `'${c}'`).join(', ')}]`,
          );
        }
        const c = await deps.connection(id);
        masker.addConnection(c);
        return c;
      });
      result =
        deps.invoke && !builtin
          ? await deps.invoke({
              dagId: deps.ir.id,
              taskId: task.id,
              context,
              args,
              timeoutSeconds: ir.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS,
            })
          : asJson(await code(context, ...args));
    } catch (thrown) {
      const error = classifyError(thrown);
      const masked = { error: error.error, cause: masker.mask(error.cause) };
      const stack = errorStack(thrown, deps.root ?? process.cwd());
      const trace = stack === undefined ? undefined : masker.mask(stack);
      // The log line keeps the frames (`updraft logs` prints them under it); the trace's first line repeats the cause.
      const frames = trace?.split('\n').filter((line) => /^\s+at |^Caused by: /.test(line)) ?? [];
      log.error(`try ${tryNumber} failed: ${masked.cause}`, {
        error: masked.error,
        ...(frames.length > 0 && { stack: frames.join('\n') }),
      });
      await finish('failed', {
        error: { ...masked, ...(trace !== undefined && { stack: trace }) },
      });
      throw stateError(masked);
    }

    // A secret of a connection this task fetched is masked in its output too, before the output
    // enters the run's state, the store or a payload object: secrets never travel as values (the
    // task that needs one declares the connection). Airflow leaves XCom unmasked; GitHub Actions
    // likewise refuses job outputs that hold a secret. Downstream tasks and `retry`/`clear` see
    // the same masked value, so a resumed run behaves as the first execution did.
    const replacedBefore = masker.replaced;
    result = masker.maskValue(result);
    if (masker.replaced > replacedBefore) {
      log.warn(
        'the output held a secret of a connection; it is passed on and recorded as *** (a downstream task that needs the secret declares the connection itself)',
      );
    }

    let payload: unknown;
    try {
      payload = await shapeResponse(
        deps,
        task,
        ir,
        result,
        byId,
        byKey,
        mappedOver.has(task.id)
          ? Number.POSITIVE_INFINITY
          : mapIndex >= 0
            ? deps.manifest.mappedOutputLimitBytes
            : deps.manifest.inlineOutputLimitBytes,
        `${run.runId}/${run.key}-${deps.runAttempt}/${task.key}${mapIndex >= 0 ? `.${mapIndex}` : ''}-${tryNumber}.json`,
        mapIndex,
      );
    } catch (thrown) {
      const error = classifyError(thrown);
      log.error(`try ${tryNumber} failed: ${error.cause}`, { error: error.error });
      await finish('failed', { error });
      throw stateError(error);
    }
    await finish('success', { response: payload });
    if (mapIndex <= 0 && (task.inlets.length > 0 || task.outlets.length > 0)) {
      const at = iso();
      await deps.recorder.putLineage([
        ...task.inlets.map((dataset) => ({
          runId: run.runId,
          dagId: run.dagId,
          taskId: task.id,
          direction: 'in' as const,
          dataset,
          at,
        })),
        ...task.outlets.map((dataset) => ({
          runId: run.runId,
          dagId: run.dagId,
          taskId: task.id,
          direction: 'out' as const,
          dataset,
          at,
        })),
      ]);
    }
    return { Payload: payload };
  };
}

function buildContext(
  task: ManifestTask,
  run: RunValues,
  attempt: number,
  mapIndex: number | undefined,
  log: TaskContext['log'],
  connection: (id: string) => Promise<Connection>,
): TaskContext<Record<string, unknown>> {
  return {
    dagId: run.dagId,
    runId: run.runId,
    taskId: task.id,
    logicalDate: new Date(run.logicalDate),
    ds: run.ds,
    dataInterval: { start: new Date(run.dataIntervalStart), end: new Date(run.dataIntervalEnd) },
    params: run.params as Record<string, unknown>,
    attempt,
    ...(mapIndex !== undefined && { mapIndex }),
    triggeredBy: run.triggeredBy as TriggerKind,
    connection,
    log,
  };
}

/** What the state machine expects back from each kind of task (see compiler/states: lambda-task, sensor). */
async function shapeResponse(
  deps: TaskRunnerDeps,
  task: ManifestTask,
  ir: TaskIR,
  result: unknown,
  byId: ReadonlyMap<string, ManifestTask>,
  byKey: ReadonlyMap<string, ManifestTask>,
  limitBytes: number,
  objectKey: string,
  mapIndex: number,
): Promise<unknown> {
  switch (ir.body.kind) {
    case 'branch': {
      const chosen = result === null || result === undefined ? [] : [result].flat().map(String);
      const downstream = task.downstream.map((k) => byKey.get(k)!.id);
      for (const c of chosen) {
        if (!downstream.includes(c)) {
          throw new PermanentError(
            `branch "${task.id}" returned "${c}", which is not directly downstream of it; return one of: ${downstream.map((d) => `"${d}"`).join(', ')}`,
          );
        }
      }
      const chosenKeys = new Set(chosen.map((c) => byId.get(c)!.key));
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
        deps.pokes,
        task.id,
        mapIndex,
        done,
        ir.body.sensor,
        await offload(deps.objects, objectKey, output, limitBytes),
      );
    }
    case 'function':
      return offload(deps.objects, objectKey, result, limitBytes);
    case 'operator':
      throw new PermanentError(
        `task "${task.id}" is a native operator; the state machine calls the service, not the task runner`,
      );
    default: {
      const never: never = ir.body;
      throw new Error(`unknown task body ${JSON.stringify(never)}`);
    }
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

/**
 * @module engine/task-handlers
 * What answers each Task state of a local run. Function tasks, branches, short-circuits, sensor
 * pokes and mapped instances go through the task runner (the same code the task Lambda runs), in
 * process or in the engine's worker pool; native operators get their local behaviour
 * (engine/native); built-in sensors ask the DAG's stand-in, then the engine; a pooled task's slot
 * is taken and given back in the engine's store (engine/local-pools). A resumed execution's
 * earlier answers are handed back instead of running the task again (runtime/resume).
 */
import type { DagIR } from '../ir/types.ts';
import { ERROR_NAMES, type Manifest } from '../compiler/contract.ts';
import type { Dag } from '../sdk/dag.ts';
import type { Connection } from '../sdk/context.ts';
import type { ErrorInfo, PoolSlots } from '../store/types.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { connectionFromEnv } from '../runtime/connections.ts';
import { stateError } from '../runtime/errors.ts';
import { MemoryObjectStore, type ObjectStore } from '../runtime/objects.ts';
import {
  asJson,
  createTaskRunner,
  unwrapPending,
  type BuiltinCheck,
  type RunnerRequest,
  type TaskCall,
  type TaskInvoker,
  type TaskRunner,
} from '../runtime/task-runner.ts';
import type { LogSink } from '../runtime/task-logger.ts';
import { memoryPokes } from '../runtime/task-response.ts';
import type { RunnerRecorder } from '../runtime/task-try.ts';
import { givenEntry, givenFor } from '../runtime/resume.ts';
import { executionName } from '../runtime/launch.ts';
import { releaseRunPools } from '../runtime/pool-release.ts';
import type { Clock } from './clock.ts';
import type { EngineEvent } from './engine-event.ts';
import type { HistoryMeter } from './history-meter.ts';
import { LocalPools } from './local-pools.ts';
import {
  nativeHandler,
  noSensorCheckMessage,
  type NativeDeps,
  type OperatorOverride,
} from './native.ts';
import type { StateArrivals } from './state-arrivals.ts';
import type { TaskTally } from './task-tally.ts';

type Mocks = Readonly<Record<string, (...args: any[]) => unknown>>;

/** How a run's tasks are answered (the task-facing part of runMachine's options). */
export interface TaskHandlerOptions {
  /** Local stand-ins for native operators and built-in sensors, by task id (before the DAG's own `local`). */
  readonly overrides?: Readonly<Record<string, OperatorOverride>>;
  /** Replacement code for function tasks, by task id (the testing helper's mocks). */
  readonly mocks?: Mocks;
  /** Where `UPDRAFT_CONN_<ID>` connections are read from when no `connection` is given. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly connection?: (id: string) => Promise<Connection>;
  /** @default an in-memory store */
  readonly objects?: ObjectStore;
  readonly recorder?: RunnerRecorder;
  readonly logs?: LogSink;
  /** @default 1 */
  readonly runAttempt?: number;
  readonly native?: Partial<NativeDeps>;
  readonly builtinCheck?: BuiltinCheck;
  /** Runs function task code outside this thread (the engine's worker pool); mocked tasks stay here. @default in process */
  readonly invoke?: TaskInvoker;
  /** Project folder: stack traces of failed tasks show paths relative to it. @default process.cwd() */
  readonly root?: string;
  /**
   * Where pooled tasks take their slots (engine/local-pools) and the dead-run check a waiting
   * task runs. @default a pool store of this execution alone (in memory)
   */
  readonly pools?: { readonly slots: PoolSlots; readonly reap?: () => Promise<unknown> };
}

/** The run the handlers serve and what they share with the rest of it. */
export interface TaskHandlerDeps extends TaskHandlerOptions {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly manifest: Manifest;
  readonly runId: string;
  readonly clock: Clock;
  readonly tally: TaskTally;
  readonly arrivals: StateArrivals;
  readonly history: HistoryMeter;
  /** Why the run was stopped at a limit, once it was: no task starts after that. */
  readonly stopped: () => ErrorInfo | undefined;
  /**
   * Runs one of the DAG's parts (compiler/parts) as the execution `name` with `input`, metered
   * from `history` (the starting execution's); answers as startExecution.sync:2 does.
   */
  readonly runPart: (
    partId: string,
    name: string,
    input: unknown,
    history: HistoryMeter,
  ) => Promise<unknown>;
  readonly emit: (event: EngineEvent) => void;
}

type Handler = (input: unknown) => Promise<unknown>;

export class TaskHandlers {
  readonly #deps: TaskHandlerDeps;
  readonly #runner: TaskRunner;
  readonly #native: ReturnType<typeof nativeHandler>;
  readonly #tasks: ReadonlyMap<string, Manifest['tasks'][number]>;
  readonly #objects: ObjectStore;
  readonly #irTasks: ReadonlyMap<string, DagIR['tasks'][number]>;
  /** Tries running in workers, which the run waits for before it ends. */
  readonly #isolated = new Set<Promise<unknown>>();
  #pools: LocalPools | undefined;
  /** The in-memory pool store of an execution given none (opened on its first pooled task). */
  #ownPools: SqliteStore | undefined;

  constructor(deps: TaskHandlerDeps) {
    this.#deps = deps;
    const { dag, ir, manifest, clock, tally, mocks, invoke, overrides } = deps;
    this.#tasks = new Map(manifest.tasks.map((t) => [t.id, t]));
    this.#irTasks = new Map(ir.tasks.map((t) => [t.id, t]));
    const objects = deps.objects ?? new MemoryObjectStore();
    this.#objects = objects;
    const recorder: RunnerRecorder = deps.recorder ?? {
      putTry: () => undefined,
      putLineage: () => undefined,
    };
    const nextTry = (taskId: string, mapIndex: number) => tally.nextTry(taskId, mapIndex);
    this.#runner = createTaskRunner({
      dag: mocks ? withMocks(dag, mocks) : dag,
      ir,
      manifest,
      objects,
      recorder,
      logs: deps.logs ?? (() => undefined),
      connection: deps.connection ?? (async (id) => connectionFromEnv(id, deps.env ?? process.env)),
      now: () => clock.now(),
      runAttempt: deps.runAttempt ?? 1,
      nextTry,
      pokes: memoryPokes(),
      ...(invoke && {
        invoke: (call: TaskCall) =>
          mocks?.[call.taskId] ? invokeHere(dag, mocks, call) : invoke(call),
      }),
      ...(deps.root !== undefined && { root: deps.root }),
      builtinCheck: async (taskId, check, runValues) => {
        const override = overrides?.[taskId] ?? dag.localOverride(taskId);
        if (override) return Boolean(await override({ ...check }));
        if (deps.builtinCheck) return deps.builtinCheck(taskId, check, runValues);
        throw stateError({
          error: ERROR_NAMES.noLocalOverride,
          cause: noSensorCheckMessage(taskId, String(check.kind)),
        });
      },
    });
    this.#native = nativeHandler({
      dag,
      ir,
      manifest,
      overrides: overrides ?? {},
      clock,
      native: deps.native ?? {},
      recorder,
      nextTry,
      runId: deps.runId,
      runAttempt: deps.runAttempt ?? 1,
      objects,
    });
  }

  /** The handler of one Task state. */
  /** @param history the meter of the execution the state belongs to @default the run's */
  handler(stateName: string, history: HistoryMeter = this.#deps.history): Handler {
    return (input) => this.#handle(stateName, input, history);
  }

  /**
   * The execution ended: pooled tasks still waiting for a slot stop waiting, and the slots it still
   * holds (its run timed out, or a limit stopped it, while tasks held them) are given back.
   */
  async closePools(): Promise<void> {
    if (!this.#pools) return;
    this.#pools.stop();
    const { runId, runAttempt } = this.#deps;
    await releaseRunPools(
      { store: this.#pools.slots },
      { runId },
      executionName(runId, runAttempt ?? 1),
    );
    await this.#ownPools?.close();
  }

  #localPools(): LocalPools {
    if (!this.#pools) {
      const { pools, runId, runAttempt, clock, history } = this.#deps;
      this.#pools = new LocalPools({
        slots: pools?.slots ?? (this.#ownPools = new SqliteStore({ file: ':memory:' })),
        ...(pools?.reap && { reap: pools.reap }),
        runId,
        execution: executionName(runId, runAttempt ?? 1),
        clock,
        history,
      });
    }
    return this.#pools;
  }

  /** Settles once every try running in a worker has settled (and been recorded). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#isolated]);
  }

  async #handle(stateName: string, input: unknown, history: HistoryMeter): Promise<unknown> {
    const { manifest, clock, tally, arrivals, emit } = this.#deps;
    // The event stream first catches up to this call (clock jumps for Wait states and retry
    // delays; the previous task's end reported before this one starts).
    await arrivals.catchUp(stateName);
    // The run was stopped at a limit while this call waited: its task must not start.
    const stopped = this.#deps.stopped();
    if (stopped) throw stateError(stopped);
    history.taskCalled();
    const role = manifest.states[stateName];
    if (role?.role === 'part' && role.part) {
      const start = input as { Name: string; Input: unknown };
      return this.#deps.runPart(role.part, start.Name, start.Input, history);
    }
    // A pooled task's slot: taken before its body runs, given back after (engine/local-pools).
    if (role?.role === 'acquire' || role?.role === 'release') {
      const pooled = this.#irTasks.get(role.tasks[0]!);
      if (!pooled?.pool) throw new Error(`state "${stateName}" belongs to no pooled task`);
      return this.#localPools().handle(role.role, pooled.id, pooled.pool, input);
    }
    const params = input as { Payload?: RunnerRequest } & Record<string, unknown>;
    const taskId = role?.tasks[0];
    const task = taskId ? this.#tasks.get(taskId) : undefined;
    const irTask = taskId ? this.#irTasks.get(taskId) : undefined;
    if (!task || !irTask) throw new Error(`state "${stateName}" belongs to no task`);
    if (irTask.body.kind === 'operator') {
      try {
        return await this.#native(task.id, params);
      } finally {
        tally.ended(task.id);
      }
    }
    // The task runner's request: Lambda's payload (lambda:invoke), or the input itself when the
    // state's Resource is the function (compiler/states/lambda-task), which gets the answer itself.
    const direct = params.Payload === undefined;
    const request = unwrapPending(direct ? (params as unknown as RunnerRequest) : params.Payload!);
    const answer = async (r: RunnerRequest) => {
      const { Payload } = await this.#runner(r);
      return direct ? Payload : { Payload };
    };
    const mapIndex = request.index ?? -1;
    // A resumed execution's earlier answer: the runner hands it back (runtime/resume).
    const earlier = givenFor(await givenEntry(request.done?.[task.key], this.#objects), mapIndex);
    if (earlier) {
      tally.reused(task.id);
      emit({
        type: 'task',
        taskId: task.id,
        state: 'e' in earlier ? 'failed' : 'success',
        at: clock.now(),
        reused: true,
        ...(mapIndex >= 0 && { mapIndex }),
      });
      return answer(request);
    }
    try {
      const running = answer(request);
      // An isolated task always settles (its worker is stopped at the timeout): the run ends only
      // after its try is recorded, even when the state machine has moved on at the timeout.
      if (this.#deps.invoke) {
        this.#isolated.add(running);
        void running.catch(() => undefined).finally(() => this.#isolated.delete(running));
      }
      return await running;
    } finally {
      tally.ended(task.id);
    }
  }
}

/** A mocked task's code, called here even when other tasks run in workers. */
async function invokeHere(dag: Dag, mocks: Mocks, call: TaskCall): Promise<unknown> {
  return asJson(await withMocks(dag, mocks).taskCode(call.taskId)!(call.context, ...call.args));
}

function withMocks(dag: Dag, mocks: Mocks): Dag {
  return { ...dag, taskCode: (id) => mocks[id] ?? dag.taskCode(id) };
}

/**
 * @module engine/run-machine
 * Runs one execution of a compiled DAG — the very ASL that deploys — on `aws-local-stepfunctions`.
 * Every Task state is handled in-process: function tasks, branches, short-circuits, sensor pokes
 * and mapped instances go through the task runner (the same code the task Lambda runs); native
 * operators get their local behaviour (engine/native). Waits and retry delays are skipped on a
 * virtual clock unless the clock is real; the cloud's limits (256 KiB per state input/output,
 * 25,000 history events) fail the run as they would on AWS. Resuming a run (retry/clear) hands
 * back the responses of tasks that already succeeded instead of running them again.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { DagIR, TaskState } from '../ir/types.ts';
import type { CompileResult } from '../compiler/index.ts';
import { ERROR_NAMES, fillPlaceholders, instanceKey, LIMITS, parsePlaceholder, type StateMachine as Asl, type State } from '../compiler/contract.ts';
import type { Dag } from '../sdk/dag.ts';
import type { Connection } from '../sdk/context.ts';
import type { ErrorInfo, TaskState as RecordState } from '../store/types.ts';
import type { RunValues } from '../runtime/args.ts';
import { connectionFromEnv } from '../runtime/connections.ts';
import { stateError } from '../runtime/errors.ts';
import { MemoryObjectStore, type ObjectStore } from '../runtime/objects.ts';
import { asJson, createTaskRunner, memoryPokes, type BuiltinCheck, type RunnerRecorder, type RunnerRequest, type TaskCall, type TaskInvoker } from '../runtime/task-runner.ts';
import type { LogSink } from '../runtime/task-logger.ts';
import { givenFor, stateOfRecord, type Done } from '../runtime/resume.ts';
import { executionInput } from '../runtime/launch.ts';
import { VirtualClock, type Clock } from './clock.ts';
import { DocumentSizes } from './document-size.ts';
import { hasEscapedLiterals, rewriteEscapedLiterals } from './intrinsic-literals.ts';
import { INTRINSICS_PER_FIELD, intrinsicLimitProblems } from './intrinsic-limit.ts';
import { nativeHandler, noSensorCheckMessage, type NativeDeps, type OperatorOverride } from './native.ts';

export type { OperatorOverride } from './native.ts';



export interface EngineEvent {
  readonly type: 'task';
  readonly taskId: string;
  readonly state: RecordState;
  readonly at: number;
  readonly attempt?: number;
  readonly mapIndex?: number;
  readonly reused?: boolean;
}

export interface RunMachineOptions {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly compiled: CompileResult;
  readonly run: RunValues;
  /** Local stand-ins for native operators and built-in sensors, by task id (before the DAG's own `local`). */
  readonly overrides?: Readonly<Record<string, OperatorOverride>>;
  /** Replacement code for function tasks, by task id (the testing helper's mocks). */
  readonly mocks?: Readonly<Record<string, (...args: any[]) => unknown>>;
  /** Where `UPDRAFT_CONN_<ID>` connections are read from when no `connection` is given. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly connection?: (id: string) => Promise<Connection>;
  /** Stand-in fake ARNs for the definition's placeholders. */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** @default an in-memory store */
  readonly objects?: ObjectStore;
  readonly recorder?: RunnerRecorder;
  readonly logs?: LogSink;
  /** @default a virtual clock starting now */
  readonly clock?: Clock;
  /** @default 1 */
  readonly runAttempt?: number;
  /** Tries already made per `taskId|mapIndex` in earlier executions (try numbers continue). */
  readonly priorTries?: ReadonlyMap<string, number>;
  /** A resumed execution: what tasks that must not run again answered before (runtime/resume). */
  readonly done?: Done;
  readonly native?: Partial<NativeDeps>;
  readonly builtinCheck?: BuiltinCheck;
  readonly onEvent?: (event: EngineEvent) => void;
  /** Runs function task code outside this thread (the engine's worker pool); mocked tasks stay here. @default in process */
  readonly invoke?: TaskInvoker;
  /** Project folder: stack traces of failed tasks show paths relative to it. @default process.cwd() */
  readonly root?: string;
}

export interface TaskOutcome {
  readonly state: TaskState;
  /** Tries in this execution (mapped: the most any instance took). */
  readonly attempts: number;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
}

/** When a task ran (the run's clock), how its instances ended, whether it was handed back. */
export interface TaskDetail {
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly mapped?: { readonly count: number; readonly failed: number };
  readonly reused?: boolean;
}

export interface RunMachineResult {
  readonly status: 'success' | 'failed';
  readonly document: { run: RunValues; t: Record<string, Record<string, unknown>> };
  /** Final state per task id (mapped tasks: success/failed/skipped from their instances). */
  readonly tasks: Readonly<Record<string, TaskOutcome>>;
  readonly details: Readonly<Record<string, TaskDetail>>;
  /** Task ids in the order their code started (first attempt). */
  readonly started: readonly string[];
  readonly transitions: number;
  readonly historyEvents: number;
  /** Why the run failed when it was not a task: a cloud limit, the run timeout. */
  readonly error?: ErrorInfo;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Replace `${Name}` placeholders (infra does this with DefinitionSubstitutions). */
export function substitute(json: string, values: Readonly<Record<string, string>>): string {
  return fillPlaceholders(json, (name) => values[name] ?? localValue(name));
}

/** Stand-in values for placeholders, shaped like the real thing (infra fills the real ones). */
function localValue(name: string): string {
  const p = parsePlaceholder(name);
  switch (p.kind) {
    case 'region':
      return 'us-east-1';
    case 'account':
      return '000000000000';
    case 'stateMachine':
      return `arn:aws:states:us-east-1:000000000000:stateMachine:updraft-${p.dag}`;
    case 'connection':
      return `arn:aws:events:us-east-1:000000000000:connection/updraft-${p.connection}/local`;
    default:
      return `arn:aws:lambda:us-east-1:000000000000:function:updraft-${name}`;
  }
}

interface Interpretable {
  readonly definition: Asl;
  /** Intrinsic string literals as AWS reads them (engine/intrinsic-literals), in the context object. */
  readonly literals: Readonly<Record<string, string>>;
}
const parsed = new WeakMap<CompileResult, Interpretable>();
/** The definition with placeholders filled, parsed once per compile result (the engine reuses it for every run). */
function parsedDefinition(compiled: CompileResult, substitutions?: Readonly<Record<string, string>>): Interpretable {
  const parse = (json: string): Interpretable => (hasEscapedLiterals(json) ? rewriteEscapedLiterals(JSON.parse(json) as Asl) : { definition: JSON.parse(json) as Asl, literals: {} });
  if (substitutions) return parse(substitute(compiled.json, substitutions));
  let d = parsed.get(compiled);
  if (!d) {
    d = parse(substitute(compiled.json, {}));
    parsed.set(compiled, d);
  }
  return d;
}

/**
 * setTimeout's longest delay (2^31-1 ms, ~24.8 days); a longer one fires at once. The interpreter
 * times a Task state with setTimeout, so "no timeout of its own" is this.
 */
const UNTIMED_SECONDS = 2_147_483;

/**
 * The definition for runs whose task code runs in workers: the pool enforces each function task's
 * TimeoutSeconds (it stops the worker, records the try, then fails the state with States.Timeout),
 * so the interpreter's own timer must not fail the state first with a bare cause while the worker
 * still runs. Native operators keep their TimeoutSeconds.
 */
function isolatedDefinition(definition: Asl, compiled: CompileResult, ir: DagIR): Asl {
  const operators = new Set(ir.tasks.filter((t) => t.body.kind === 'operator').map((t) => t.id));
  const copy = structuredClone(definition);
  for (const [name, state] of allStates(copy)) {
    const taskId = compiled.manifest.states[name]?.tasks[0];
    if (state.Type === 'Task' && taskId !== undefined && !operators.has(taskId)) Object.assign(state, { TimeoutSeconds: UNTIMED_SECONDS });
  }
  return copy;
}

function allStates(machine: Asl, out: Map<string, State> = new Map()): Map<string, State> {
  for (const [name, state] of Object.entries(machine.States)) {
    out.set(name, state);
    if (state.Type === 'Parallel') for (const b of state.Branches) allStates(b, out);
    if (state.Type === 'Map') allStates(state.ItemProcessor, out);
  }
  return out;
}

interface LibEvent {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string; readonly input: unknown; readonly output?: unknown };
  readonly index?: number;
  readonly parentState?: { readonly name: string; readonly type: string };
  readonly output?: unknown;
  readonly retry?: { readonly retrier: { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string }; readonly attempt: number };
}

/** A simple JSONPath (`$.a.b`) read, for Wait states' paths. */
function readPath(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export async function runMachine(options: RunMachineOptions): Promise<RunMachineResult> {
  const { dag, compiled, run, ir } = options;
  const manifest = compiled.manifest;
  const clock = options.clock ?? new VirtualClock();
  const startedAt = clock.now();
  const byId = new Map(manifest.tasks.map((t) => [t.id, t]));
  const irTasks = new Map(ir.tasks.map((t) => [t.id, t]));
  const interpretable = parsedDefinition(compiled, options.substitutions);
  // AWS refuses such a definition at deploy (CreateStateMachine/UpdateStateMachine): it must not run here.
  const overIntrinsics = intrinsicLimitProblems(interpretable.definition);
  if (overIntrinsics.length > 0) {
    throw new Error(`the state machine of DAG "${ir.id}" is not valid for Step Functions, which allows at most ${INTRINSICS_PER_FIELD} intrinsic functions in one field: ${overIntrinsics.join('; ')}`);
  }
  const definition = options.invoke ? isolatedDefinition(interpretable.definition, compiled, ir) : interpretable.definition;
  const objects = options.objects ?? new MemoryObjectStore();
  const recorder: RunnerRecorder = options.recorder ?? { putTry: () => undefined, putLineage: () => undefined };
  const emit = options.onEvent ?? (() => undefined);

  // Tries: numbering continues across executions; `attempts` counts this execution's.
  const tries = new Map(options.priorTries ?? []);
  const attempts = new Map<string, number>();
  const times = new Map<string, { start: number; end?: number }>();
  const reusedTasks = new Set<string>();
  const started: string[] = [];
  const nextTry = (taskId: string, mapIndex: number) => {
    const k = instanceKey(taskId, mapIndex);
    const n = (tries.get(k) ?? 0) + 1;
    tries.set(k, n);
    const a = (attempts.get(k) ?? 0) + 1;
    attempts.set(k, a);
    if (a === 1 && mapIndex <= 0) started.push(taskId);
    if (!times.has(taskId)) times.set(taskId, { start: clock.now() });
    emit({ type: 'task', taskId, state: 'running', at: clock.now(), attempt: a, ...(mapIndex >= 0 && { mapIndex }) });
    return n;
  };
  const ended = (taskId: string) => {
    const t = times.get(taskId);
    if (t) t.end = clock.now();
  };

  let history = 2; // ExecutionStarted + ExecutionSucceeded/Failed
  const isolated = new Set<Promise<unknown>>();
  let limitError: ErrorInfo | undefined;
  const runner = createTaskRunner({
    dag: options.mocks ? withMocks(dag, options.mocks) : dag,
    ir,
    manifest,
    objects,
    recorder,
    logs: options.logs ?? (() => undefined),
    connection: options.connection ?? (async (id) => connectionFromEnv(id, options.env ?? process.env)),
    now: () => clock.now(),
    runAttempt: options.runAttempt ?? 1,
    nextTry,
    pokes: memoryPokes(),
    ...(options.invoke && { invoke: (call) => (options.mocks?.[call.taskId] ? invokeHere(dag, options.mocks, call) : options.invoke!(call)) }),
    ...(options.root !== undefined && { root: options.root }),
    builtinCheck: async (taskId, check, runValues) => {
      const override = options.overrides?.[taskId] ?? dag.localOverride(taskId);
      if (override) return Boolean(await override({ ...check }));
      if (options.builtinCheck) return options.builtinCheck(taskId, check, runValues);
      throw stateError({ error: ERROR_NAMES.noLocalOverride, cause: noSensorCheckMessage(taskId, String(check.kind)) });
    },
  });
  const native = nativeHandler({ dag, ir, manifest, overrides: options.overrides ?? {}, clock, native: options.native ?? {}, recorder, nextTry, runId: run.runId, runAttempt: options.runAttempt ?? 1, objects });

  const handler = (stateName: string) => async (input: unknown): Promise<unknown> => {
    // The event stream first catches up to this call (clock jumps for Wait states and retry
    // delays; the previous task's end reported before this one starts).
    await catchUp(stateName);
    // The run was stopped at a limit while this call waited: its task must not start.
    if (limitError) throw stateError(limitError);
    history += 3; // scheduled, started, succeeded/failed
    const role = manifest.states[stateName];
    const params = input as { Payload?: RunnerRequest } & Record<string, unknown>;
    const taskId = params.Payload?.task ?? role?.tasks[0];
    const task = taskId ? byId.get(taskId) : undefined;
    const irTask = taskId ? irTasks.get(taskId) : undefined;
    if (!task || !irTask) throw new Error(`state "${stateName}" belongs to no task`);
    const mapIndex = params.Payload?.index ?? -1;
    // A resumed execution's earlier answer: the runner hands it back (runtime/resume).
    const earlier = givenFor(params.Payload?.done?.[byId.get(task.id)!.key], mapIndex);
    if (earlier) {
      reusedTasks.add(task.id);
      if (!times.has(task.id)) times.set(task.id, { start: clock.now(), end: clock.now() });
      emit({ type: 'task', taskId: task.id, state: 'e' in earlier ? 'failed' : 'success', at: clock.now(), reused: true, ...(mapIndex >= 0 && { mapIndex }) });
      return runner(params.Payload as RunnerRequest);
    }
    try {
      if (irTask.body.kind === 'operator') return await native(task.id, params);
      const running = runner(params.Payload as RunnerRequest);
      // An isolated task always settles (its worker is stopped at the timeout): the run ends only
      // after its try is recorded, even when the state machine has moved on at the timeout.
      if (options.invoke) {
        isolated.add(running);
        void running.catch(() => undefined).finally(() => isolated.delete(running));
      }
      return await running;
    } finally {
      ended(task.id);
    }
  };

  const states = allStates(definition);
  const topLevel = new Set(Object.keys(definition.States));
  const sizes = new DocumentSizes(states);

  // The interpreter calls a Task state's handler right after it logs the state's StateEntered
  // (first try) or StateRetried (each retry) event, and the log is read asynchronously (below):
  // the n-th call of a state waits until n such events of that state have been read. Reading the
  // log takes only microtasks, so this never waits for a turn of the event loop.
  const arrived = new Map<string, number>();
  const calls = new Map<string, number>();
  const waiting = new Map<string, { n: number; resolve: () => void }[]>();
  const catchUp = (stateName: string): Promise<void> | undefined => {
    const n = (calls.get(stateName) ?? 0) + 1;
    calls.set(stateName, n);
    if ((arrived.get(stateName) ?? 0) >= n) return undefined;
    return new Promise((resolve) => {
      const list = waiting.get(stateName) ?? [];
      list.push({ n, resolve });
      waiting.set(stateName, list);
    });
  };
  const arrive = (stateName: string) => {
    const n = (arrived.get(stateName) ?? 0) + 1;
    arrived.set(stateName, n);
    const list = waiting.get(stateName);
    if (!list) return;
    const ready = list.filter((w) => w.n <= n);
    if (ready.length === list.length) waiting.delete(stateName);
    else waiting.set(stateName, list.filter((w) => w.n > n));
    for (const w of ready) w.resolve();
  };
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<never>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of states) {
    if (state.Type === 'Task') {
      taskResourceLocalHandlers[name] = handler(name) as unknown as (input: never) => Promise<never>;
      if (!clock.real) retryIntervalOverrides[name] = 0;
    }
    if (state.Type === 'Wait' && !clock.real) waitTimeOverrides[name] = 0;
  }

  // The compiler's output is validated once (asl-validator in its tests, golden files); the
  // library's own per-run validation rebuilds its schemas each time: ~115 ms even for 4 KiB.
  // (dist/ bundles the interpreter without its validator: scripts/build.mjs.)
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } as never });
  const execution = machine.run(executionInput(run, options.done) as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides } as never,
    context: { Execution: { Name: run.runId, StartTime: new Date(startedAt).toISOString() }, UpdraftLiterals: interpretable.literals } as never,
  });
  let last: unknown;
  let transitions = 0;
  /** Per Parallel/Map state being run: the bytes of its result array so far. */
  const results = new Map<string, number>();
  const seen = new Map<string, string>();
  const fail = (info: ErrorInfo) => {
    if (limitError) return;
    limitError = info;
    execution.abort();
  };
  const collect = (async () => {
    for await (const event of execution.eventLogs as unknown as AsyncGenerator<LibEvent>) {
      switch (event.type) {
        case 'StateEntered': {
          transitions++;
          results.delete(event.state!.name);
          history += 2; // entered + exited
          const state = states.get(event.state!.name);
          // The library's StateEntered events do not say whether a state is nested (a Parallel
          // branch's states look like top-level ones), so only a top-level state's input counts:
          // the run's document as its last top-level state (the Fail state) received it.
          if (event.index === undefined && topLevel.has(event.state!.name)) last = event.state?.input;
          if (state?.Type === 'Wait') {
            history += 1;
            if (!clock.real) skipWait(clock, state, event.state!.input);
          }
          if (state?.Type === 'Task') arrive(event.state!.name);
          break;
        }
        case 'StateRetried': {
          transitions++; // a retry is billed as a state transition, as the recorder counts it on AWS
          const taskId = manifest.states[event.state!.name]?.tasks[0];
          if (taskId) emit({ type: 'task', taskId, state: 'up_for_retry', at: clock.now(), ...(event.index !== undefined && { mapIndex: event.index }) });
          if (!clock.real && event.retry) clock.skip(retryDelayMs(event.retry.retrier, event.retry.attempt));
          arrive(event.state!.name);
          break;
        }
        case 'MapIterationStarted':
        case 'ParallelBranchStarted':
          history += 2;
          break;
        case 'MapIterationSucceeded':
        case 'ParallelBranchSucceeded':
          // A Parallel's result is the array of its branches' outputs, a Map's the array of its
          // iterations' outputs: AWS fails the state when that array is over 256 KiB, before its
          // ResultSelector runs.
          if (event.parentState) resultArray(event.parentState.name, event.type === 'MapIterationSucceeded' ? 'Map' : 'Parallel', event.output);
          break;
        case 'StateExited': {
          const state = states.get(event.state!.name);
          const output = event.state!.output;
          sizes.exited(event.state!.name, output);
          if (state && (state.Type === 'Task' || state.Type === 'Map' || state.Type === 'Parallel') && output !== undefined) {
            const bytes = sizes.bytes(output, LIMITS.payloadBytes);
            if (bytes > LIMITS.payloadBytes) {
              fail({
                error: ERROR_NAMES.dataLimitExceeded,
                cause: `the output of state "${event.state!.name}" is ${(bytes / 1024).toFixed(0)} KiB, over Step Functions' 256 KiB limit for a state's input or output. Make the task return less (large outputs of function tasks go to the payload store automatically; operators' responses do not): select fields, or write the data to S3 and return its key.`,
              });
            }
          }
          reportStates(event.state!.name, output);
          break;
        }
        default:
          break;
      }
      if (history > LIMITS.historyEvents) {
        fail({
          error: ERROR_NAMES.historyLimitExceeded,
          cause: `the run reached Step Functions' limit of 25,000 execution history events (every state, retry, sensor poke and mapped instance adds some), where AWS fails the execution. Lengthen sensor poke intervals, lower retry attempts, map over fewer items per run, or split the DAG with triggerDag().`,
        });
      }
    }
  })();

  /** Bytes of the result array a Parallel or Map state is building: `[` + items + commas + `]`. */
  function resultArray(stateName: string, type: 'Map' | 'Parallel', output: unknown): void {
    const bytes = (results.get(stateName) ?? 1) + Buffer.byteLength(JSON.stringify(output) ?? 'null') + 1;
    results.set(stateName, bytes);
    if (bytes > LIMITS.payloadBytes) {
      fail({
        error: ERROR_NAMES.dataLimitExceeded,
        cause:
          type === 'Parallel'
            ? `the branches of Parallel state "${stateName}" returned over ${(bytes / 1024).toFixed(0)} KiB together, over Step Functions' 256 KiB limit for a state's result (counted before its ResultSelector). Make the tasks in these branches return less: select fields, or write the data to S3 and return its key.`
            : `the instances of Map state "${stateName}" returned over ${(bytes / 1024).toFixed(0)} KiB together, over Step Functions' 256 KiB limit for a state's result (counted before its ResultSelector). Map over fewer items per run, or make each instance return less.`,
      });
    }
  }

  /** Live task states: read the records a state just wrote. */
  function reportStates(stateName: string, output: unknown): void {
    const role = manifest.states[stateName];
    if (!role || role.tasks.length === 0 || typeof output !== 'object' || output === null) return;
    const doc = output as { t?: Record<string, Record<string, unknown>> };
    if (!doc.t) return;
    for (const taskId of role.tasks) {
      const key = byId.get(taskId)!.key;
      const rec = doc.t[key];
      if (!rec) continue;
      const state = stateOfRecord(rec);
      if (!state || seen.get(taskId) === state) continue;
      seen.set(taskId, state);
      // An operator a resumed execution gave its earlier response (its service was not called).
      const reused = role.role === 'given' && options.done?.[key] !== undefined;
      if (reused) {
        reusedTasks.add(taskId);
        if (!times.has(taskId)) times.set(taskId, { start: clock.now(), end: clock.now() });
      }
      emit({ type: 'task', taskId, state, at: clock.now(), ...(reused && { reused: true }) });
    }
  }

  let status: 'success' | 'failed';
  let document: RunMachineResult['document'];
  let runError: ErrorInfo | undefined;
  try {
    document = (await execution.result) as unknown as RunMachineResult['document'];
    status = 'success';
  } catch (error) {
    const name = (error as { name?: string }).name;
    const cause = (error as { cause?: { name?: string } }).cause;
    const timedOut = name === 'ExecutionTimeoutError';
    const aborted = name === 'ExecutionAbortedError';
    // The run's own Fail state (Updraft.DagRunFailed), the run timeout and our limits are failed runs; anything else is a broken machine.
    if (cause?.name !== ERROR_NAMES.dagRunFailed && !timedOut && !(aborted && limitError)) throw error;
    if (timedOut) {
      execution.abort();
      runError = { error: ERROR_NAMES.timeout, cause: `the run took longer than its runTimeout (${definition.TimeoutSeconds}s) and was stopped` };
    }
    if (aborted) runError = limitError;
    status = 'failed';
    await collect.catch(() => undefined);
    document = last as RunMachineResult['document'];
  }
  await collect.catch(() => undefined);
  await Promise.allSettled([...isolated]);
  // The event log is read behind the interpreter: a limit found after the last state still fails the run, as on AWS.
  if (limitError && status === 'success') {
    status = 'failed';
    runError = limitError;
  }

  const tasks: Record<string, TaskOutcome> = {};
  const details: Record<string, TaskDetail> = {};
  // Tries of this execution per task (mapped: the most any instance took), in one pass.
  const mostAttempts = new Map<string, number>();
  for (const [k, n] of attempts) {
    const taskId = k.slice(0, k.lastIndexOf('|'));
    mostAttempts.set(taskId, Math.max(mostAttempts.get(taskId) ?? 0, n));
  }
  for (const t of manifest.tasks) {
    const rec = document?.t?.[t.key];
    const count = mostAttempts.get(t.id) ?? 0;
    const time = times.get(t.id);
    if (!rec) continue;
    const state = stateOfRecord(rec) as TaskState;
    tasks[t.id] = {
      state,
      attempts: count,
      ...(rec.o !== undefined && rec.o !== null && { output: rec.o }),
      ...(rec.e !== undefined && { error: rec.e as TaskOutcome['error'] }),
    };
    details[t.id] = {
      ...(time && { startedAt: time.start, ...(time.end !== undefined && { endedAt: time.end }) }),
      ...(rec.s === 'mapped' && { mapped: { count: Number(rec.n ?? 0), failed: Array.isArray(rec.a) ? (rec.a as { s?: string }[]).filter((x) => x?.s === 'failed').length : rec.f ? 1 : 0 } }),
      ...(reusedTasks.has(t.id) && count === 0 && { reused: true }),
    };
  }
  return { status, document, tasks, details, started, transitions, historyEvents: history, ...(runError && { error: runError }), startedAt, endedAt: clock.now() };
}

function skipWait(clock: Clock, state: State & { Type: 'Wait' }, input: unknown): void {
  if (state.Seconds !== undefined) clock.skip(state.Seconds * 1000);
  else if (state.SecondsPath !== undefined) clock.skip(Number(readPath(input, state.SecondsPath) ?? 0) * 1000);
  else if (state.TimestampPath !== undefined) clock.skipTo(Date.parse(String(readPath(input, state.TimestampPath))));
}

/** The delay AWS would wait before retry `attempt` (1 = first retry). */
export function retryDelayMs(r: { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string }, attempt: number): number {
  let delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** (attempt - 1);
  if (r.MaxDelaySeconds !== undefined) delay = Math.min(delay, r.MaxDelaySeconds);
  if (r.JitterStrategy === 'FULL') delay = Math.random() * delay;
  return delay * 1000;
}

/** A mocked task's code, called here even when other tasks run in workers. */
async function invokeHere(dag: Dag, mocks: Readonly<Record<string, (...args: any[]) => unknown>>, call: TaskCall): Promise<unknown> {
  return asJson(await withMocks(dag, mocks).taskCode(call.taskId)!(call.context, ...call.args));
}

function withMocks(dag: Dag, mocks: Readonly<Record<string, (...args: any[]) => unknown>>): Dag {
  return { ...dag, taskCode: (id) => mocks[id] ?? dag.taskCode(id) };
}


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
import type { DagIR, TaskIR, TaskState, ValueIR } from '../ir/types.ts';
import {
  bucketLists,
  createRunnerGate,
  ERROR_NAMES,
  INLINE_MAP_ITEMS_MAX,
  type GateValues,
  type RunnerManifest,
} from '../compiler/contract.ts';
import type { Dag } from '../sdk/dag.ts';
import type { Connection, TaskContext, TriggerKind } from '../sdk/context.ts';
import { PermanentError } from '../errors.ts';
import { resolveArgs, valueAt, type RunValues } from './args.ts';
import { givenEntry, givenFor, type Done } from './resume.ts';
import { stateError } from './errors.ts';
import { offloadList, resolveRefs, type ObjectStore } from './objects.ts';
import { collectMapRun } from './map-run.ts';
import { shapeResponse, type PokeBook } from './task-response.ts';
import { lineageOf, TaskTry, type TryDeps } from './task-try.ts';
import { DatasetExtras } from './dataset-extra.ts';

/** The Lambda payload the compiled state machine sends (`Parameters.Payload`). */
export interface RunnerRequest {
  readonly task: string;
  readonly run: RunValues;
  /** Upstream records by record key (a mapped task's: its outputs): `outputsOfRecords` reads them. */
  readonly in?: Readonly<Record<string, unknown>>;
  readonly item?: unknown;
  readonly index?: number;
  /** Built-in sensors: what to check (`{ kind: 's3_key', bucket, key }`, `{ kind: 'external_dag', … }`). */
  readonly check?: Readonly<Record<string, unknown>>;
  /** A resumed execution's earlier answers by task key (runtime/resume): this task's is handed back, its code does not run. */
  readonly done?: Done;
  /**
   * The upstream states (or deciding records) a gated task's trigger rule reads, by record key
   * (compiler/runner-gate): the runner decides whether the code runs, and answers with the record.
   */
  readonly g?: GateValues;
  /**
   * A resumed Distributed Map's instance of its pending list (runtime/resume): the item is
   * `{ i, v }`, the instance's index in the whole list and its item (`unwrapPending`).
   */
  readonly pending?: boolean;
  /** A mapped task's collect state: the key of its Distributed Map's results manifest (runtime/map-run). */
  readonly collect?: string;
  /**
   * The other records of the `Parallel` branch this task ends, by record key: the answer is then
   * the branch's own records, `{ ...b, <key>: <record> }` (compiler/states/parallel
   * answersOwnRecords).
   */
  readonly b?: Readonly<Record<string, unknown>>;
}

/** Answers a built-in sensor's poke: S3 HeadObject, the store's run record of another DAG … */
export type BuiltinCheck = (
  taskId: string,
  check: Readonly<Record<string, unknown>>,
  run: RunValues,
) => Promise<boolean>;

export interface TaskRunnerDeps extends TryDeps {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly manifest: RunnerManifest;
  readonly objects: ObjectStore;
  /** A connection by id (env, local file, or Secrets Manager). */
  readonly connection: (id: string) => Promise<Connection>;
  /** Sensor poke bookkeeping per task instance (seconds waited so far, pokes made). */
  readonly pokes: PokeBook;
  readonly builtinCheck: BuiltinCheck;
  /** Runs the author's code somewhere else (the engine's worker pool). @default a call in this thread */
  readonly invoke?: TaskInvoker;
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

export type TaskRunner = (request: RunnerRequest) => Promise<{ Payload: unknown }>;

export function createTaskRunner(deps: TaskRunnerDeps): TaskRunner {
  const facts = new Map(deps.manifest.tasks.map((t) => [t.id, t]));
  const idsByKey = new Map(deps.manifest.tasks.map((t) => [t.key, t.id]));
  const ids = {
    keyOf: (id: string) => facts.get(id)!.key,
    idOf: (key: string) => idsByKey.get(key)!,
  };
  const irTasks = new Map(deps.ir.tasks.map((t) => [t.id, t]));
  // A Map state iterates the list in the document itself: outputs mapped over stay inline
  // (Step Functions' 256 KiB limit still applies to them).
  const mappedOver = new Set(
    deps.ir.tasks.flatMap((t) => (t.mapping?.over.kind === 'output' ? [t.mapping.over.task] : [])),
  );

  const mappedKeys = new Set(deps.ir.tasks.filter((t) => t.mapping).map((t) => ids.keyOf(t.id)));
  const outputsIn = (r: RunnerRequest): RunnerRequest =>
    r.in === undefined ? r : { ...r, in: outputsOfRecords(r.in, mappedKeys) };
  const gate = createRunnerGate(deps.ir);
  const lists = bucketLists(deps.ir);
  const run = runTask(deps, { facts, irTasks, ids, mappedOver, lists });
  const answer: TaskRunner = async (request) => {
    const ir = irTasks.get(request.task);
    if (request.collect !== undefined && ir?.mapping) {
      const record = await collectMapRun({
        objects: deps.objects,
        manifestKey: request.collect,
        given: await givenEntry(request.done?.[facts.get(ir.id)!.key], deps.objects),
        taskId: ir.id,
        tolerated: ir.mapping.toleratedFailures,
        listKey: `${request.run.runId}/${request.run.key}-${deps.runAttempt}/${facts.get(ir.id)!.key}-outputs.json`,
        limits: { bytes: deps.manifest.inlineOutputLimitBytes, items: INLINE_MAP_ITEMS_MAX },
      });
      return { Payload: record };
    }
    if (!ir || !answersRecord(ir)) return run(outputsIn(request)); // (an unknown task: run says what is wrong)
    const key = facts.get(request.task)?.key;
    // A task that ran before hands its answer back, whatever its upstream tasks did this time.
    if (request.g !== undefined && (key === undefined || request.done?.[key] === undefined)) {
      const decision = gate(request.task, { ...request.in, ...request.g });
      if (!decision.run) {
        await deps.recorder.putDecided?.({
          runId: request.run.runId,
          dagId: deps.ir.id,
          taskId: request.task,
          state: decision.record.s as TaskState,
          attempts: 0,
          endedAt: new Date(deps.now()).toISOString(),
        });
        return { Payload: decision.record };
      }
    }
    const { Payload } = await run(outputsIn(request));
    return { Payload: recordAnswer(ir, Payload) };
  };
  return async (sent) => {
    const request = unwrapPending(sent);
    const { Payload } = await answer(request);
    if (request.b === undefined) return { Payload };
    // The last task of a Parallel branch answers the branch's own records (the branch's output).
    return { Payload: { ...request.b, [ids.keyOf(request.task)]: Payload } };
  };
}

/**
 * The upstream outputs in what a Task state hands over (`in`, compiler/states/lambda-task): a
 * record's `o` (null when it has none: a task that failed in place), a mapped task's outputs as
 * they are.
 */
export function outputsOfRecords(
  given: Readonly<Record<string, unknown>>,
  mappedKeys: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(given))
    out[key] = mappedKeys.has(key) ? v : ((v as { o?: unknown } | null)?.o ?? null);
  return out;
}

/** A pending list's instance as the instance of the whole list it is (`RunnerRequest.pending`). */
export function unwrapPending(request: RunnerRequest): RunnerRequest {
  const item = request.item as { i?: unknown; v?: unknown } | null | undefined;
  if (request.pending !== true || typeof item?.i !== 'number') return request;
  const { pending: _pending, ...rest } = request;
  return { ...rest, index: item.i, item: item.v };
}

/**
 * Whether the runner answers with the task's whole record (`{ s, o, … }`): function tasks,
 * branches and short-circuits, whose Task state writes the answer as the record (the Lambda
 * function's ARN as its Resource, no ResultSelector: compiler/states/lambda-task). Sensor pokes
 * and mapped instances answer their output, which their states shape.
 */
export function answersRecord(ir: TaskIR): boolean {
  const kind = ir.body.kind;
  return !ir.mapping && (kind === 'function' || kind === 'branch' || kind === 'short_circuit');
}

/** The record of a task that ran: success, then what the code's answer holds. */
function recordAnswer(ir: TaskIR, payload: unknown): Record<string, unknown> {
  return ir.body.kind === 'function'
    ? { s: 'success', o: payload ?? null }
    : { s: 'success', ...(payload as Record<string, unknown>) };
}

interface RunnerTables {
  readonly facts: ReadonlyMap<string, RunnerManifest['tasks'][number]>;
  readonly irTasks: ReadonlyMap<string, TaskIR>;
  readonly ids: { keyOf: (id: string) => string; idOf: (key: string) => string };
  readonly mappedOver: ReadonlySet<string>;
  /** Lists a Distributed Map may read from the payload bucket, by the task whose output holds them. */
  readonly lists: ReadonlyMap<string, readonly (readonly (string | number)[])[]>;
}

function runTask(deps: TaskRunnerDeps, tables: RunnerTables): TaskRunner {
  const { facts, irTasks, ids, mappedOver, lists } = tables;
  return async (request) => {
    const task = facts.get(request.task);
    const ir = irTasks.get(request.task);
    const code = ir && codeOf(deps, ir, request);
    if (!task || !ir || !code) {
      throw stateError({
        error: ERROR_NAMES.internal,
        cause: `task "${request.task}" is not in DAG "${deps.ir.id}" as deployed; recompile and redeploy the DAG`,
      });
    }
    const { run } = request;
    const mapIndex = request.index ?? -1;
    // Resumed (retry, clear): what this instance answered before, without running it again.
    const earlier = givenFor(await givenEntry(request.done?.[task.key], deps.objects), mapIndex);
    if (earlier) {
      if ('e' in earlier) throw stateError({ error: earlier.e.Error, cause: earlier.e.Cause });
      return { Payload: 'r' in earlier ? earlier.r : earlier.o };
    }
    const attempt = await TaskTry.start(deps, task.id, run, mapIndex);
    const extras = new DatasetExtras(ir);
    let output: unknown;
    try {
      output = await callTaskCode(deps, { ir, code, request, attempt, extras, keyOf: ids.keyOf });
    } catch (thrown) {
      return attempt.fail(thrown, { withStack: true });
    }
    let payload: unknown;
    try {
      payload = await shapeResponse(task, ir, attempt.maskOutput(output), {
        objects: deps.objects,
        pokes: deps.pokes,
        ids,
        limitBytes: mappedOver.has(task.id)
          ? Number.POSITIVE_INFINITY
          : mapIndex >= 0
            ? deps.manifest.mappedOutputLimitBytes
            : deps.manifest.inlineOutputLimitBytes,
        objectKey: `${run.runId}/${run.key}-${deps.runAttempt}/${task.key}${mapIndex >= 0 ? `.${mapIndex}` : ''}-${attempt.number}.json`,
        mapIndex,
      });
      // A long list mapped over goes to the bucket, where a Distributed Map reads it.
      const paths = mapIndex < 0 && ir.body.kind === 'function' ? lists.get(task.id) : undefined;
      if (paths)
        payload = await listsToBucket(deps.objects, payload, paths, {
          key: (i) =>
            `${run.runId}/${run.key}-${deps.runAttempt}/${task.key}-${attempt.number}-list${i}.json`,
          limits: { bytes: deps.manifest.inlineOutputLimitBytes, items: INLINE_MAP_ITEMS_MAX },
        });
    } catch (thrown) {
      return attempt.fail(thrown, { withStack: false });
    }
    await attempt.succeed(payload);
    const extraOf = (uri: string) => {
      const extra = extras.of(uri);
      return extra && (attempt.maskOutput(extra) as Record<string, unknown>);
    };
    const lineage =
      mapIndex <= 0 ? lineageOf(ir, run, new Date(deps.now()).toISOString(), extraOf) : [];
    if (lineage.length > 0) await deps.recorder.putLineage(lineage);
    return { Payload: payload };
  };
}

/** A built-in sensor's check (S3, another DAG's run …) or the author's code for the task. */
function codeOf(deps: TaskRunnerDeps, ir: TaskIR, request: RunnerRequest) {
  return isBuiltinSensor(ir)
    ? () => deps.builtinCheck(request.task, request.check ?? {}, request.run)
    : deps.dag.taskCode(request.task);
}

const isBuiltinSensor = (ir: TaskIR) =>
  ir.body.kind === 'sensor' && ir.body.sensor.check.kind !== 'function';

/** Resolves the task's inputs and arguments, builds its context and calls its code (or the invoker). */
async function callTaskCode(
  deps: TaskRunnerDeps,
  call: {
    readonly ir: TaskIR;
    readonly code: (...args: any[]) => unknown;
    readonly request: RunnerRequest;
    readonly attempt: TaskTry;
    readonly extras: DatasetExtras;
    readonly keyOf: (id: string) => string;
  },
): Promise<unknown> {
  // `code` called as a plain function: the author's stack trace shows no frame of ours around it.
  const { ir, code, request, attempt } = call;
  const { run } = request;
  // A mapped instance gets its item apart: the list it came from is not read again (in the
  // payload bucket it may be thousands of items, once per instance).
  const read = ir.mapping ? argInputs(ir, call.keyOf) : undefined;
  const given = request.in ?? {};
  const inputs = (await resolveRefs(
    deps.objects,
    read ? Object.fromEntries(Object.entries(given).filter(([k]) => read.has(k))) : given,
  )) as Record<string, unknown>;
  const item = await resolveRefs(deps.objects, request.item);
  const args = resolveArgs(
    ir.args,
    { run, inputs, keyOf: call.keyOf },
    ir.mapping ? { argIndex: ir.mapping.argIndex, item } : undefined,
  );
  const context = buildContext(
    ir.id,
    run,
    attempt.number,
    request.index,
    attempt.log,
    async (id) => {
      if (!ir.connections.includes(id)) {
        throw new PermanentError(
          `task "${ir.id}" asked for connection "${id}", which it did not declare; add it to the task's options: connections: [${[...ir.connections, id].map((c) => `'${c}'`).join(', ')}]`,
        );
      }
      const c = await deps.connection(id);
      attempt.masker.addConnection(c);
      return c;
    },
    (dataset, extra) => call.extras.set(dataset, extra),
  );
  return deps.invoke && !isBuiltinSensor(ir)
    ? await deps.invoke({
        dagId: deps.ir.id,
        taskId: ir.id,
        context,
        args,
        timeoutSeconds: ir.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS,
      })
    : asJson(await code(context, ...args));
}

function buildContext(
  taskId: string,
  run: RunValues,
  attempt: number,
  mapIndex: number | undefined,
  log: TaskContext['log'],
  connection: (id: string) => Promise<Connection>,
  datasetExtra: TaskContext['datasetExtra'],
): TaskContext<Record<string, unknown>> {
  return {
    dagId: run.dagId,
    runId: run.runId,
    taskId,
    logicalDate: new Date(run.logicalDate),
    ds: run.ds,
    dataInterval: { start: new Date(run.dataIntervalStart), end: new Date(run.dataIntervalEnd) },
    params: run.params as Record<string, unknown>,
    attempt,
    ...(mapIndex !== undefined && { mapIndex }),
    triggeredBy: run.triggeredBy as TriggerKind,
    ...(run.triggeringEvents && { triggeringDatasetEvents: run.triggeringEvents }),
    connection,
    datasetExtra,
    log,
  };
}

/** The output with each long list at `paths` put in the bucket (a ListRef in its place). */
async function listsToBucket(
  objects: ObjectStore,
  output: unknown,
  paths: readonly (readonly (string | number)[])[],
  options: {
    readonly key: (index: number) => string;
    readonly limits: { readonly bytes: number; readonly items: number };
  },
): Promise<unknown> {
  let out = output;
  for (const [i, path] of paths.entries()) {
    const list = valueAt(out, path);
    if (!Array.isArray(list)) continue; // not a list: the Map's guard says so
    out = withValueAt(out, path, await offloadList(objects, options.key(i), list, options.limits));
  }
  return out;
}

function withValueAt(
  value: unknown,
  path: readonly (string | number)[],
  replacement: unknown,
): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const inner = withValueAt((value as Record<string | number, unknown>)[head], rest, replacement);
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? inner : v));
  return { ...(value as Record<string, unknown>), [head]: inner };
}

/** The record keys of the upstream outputs a mapped task's arguments other than the mapped one read. */
function argInputs(ir: TaskIR, keyOf: (id: string) => string): Set<string> {
  const keys = new Set<string>();
  const visit = (v: ValueIR): void => {
    if (v.kind === 'output') keys.add(keyOf(v.task));
    else if (v.kind === 'object') for (const x of Object.values(v.fields)) visit(x);
    else if (v.kind === 'array') for (const x of v.items) visit(x);
    else if (v.kind === 'format') for (const x of v.args) visit(x);
  };
  ir.args.forEach((a, i) => {
    if (i !== ir.mapping!.argIndex) visit(a);
  });
  return keys;
}

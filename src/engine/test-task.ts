/**
 * @module engine/test-task
 * `updraft test <dag> <task>` (Airflow's `airflow tasks test`): one task's code run alone
 * through the task runner, with its upstream outputs taken from the DAG's latest run that has
 * them, or given as JSON. Nothing is recorded; the log lines and the output come back.
 */
import { ConfigError } from '../errors.ts';
import { intervalFor, logicalDateKey } from '../schedule/index.ts';
import { resolveParams } from '../runtime/params.ts';
import { resolveConnection } from '../runtime/connections-file.ts';
import { resolveValue, type RunValues } from '../runtime/args.ts';
import {
  answersRecord,
  createTaskRunner,
  type TaskCall,
  type TaskRunner,
} from '../runtime/task-runner.ts';
import type { DagIR, TaskIR } from '../ir/types.ts';
import { memoryPokes } from '../runtime/task-response.ts';
import { WorkerPool } from './worker-pool.ts';
import { resolveRefs } from '../runtime/objects.ts';
import type { LogLine } from '../runtime/task-logger.ts';
import type { LocalEngine } from './engine.ts';
import { dsOf } from '../runtime/launch.ts';
import { VirtualClock } from './clock.ts';

export interface TestTaskOptions {
  /** Upstream outputs by upstream task id; missing ones come from the latest run. */
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly date?: string;
  readonly conf?: Readonly<Record<string, unknown>>;
  /** Mapped tasks: the item to run with. @default the first item of the list it maps over */
  readonly item?: unknown;
}

export interface TestTaskResult {
  readonly status: 'success' | 'failed';
  /**
   * What the task's function returned, as Lambda's JSON carries it: for a branch the task id(s)
   * it chose, for a short-circuit its condition, for a sensor its answer (never the records the
   * state machine gets from them).
   */
  readonly output?: unknown;
  /** Branch, short-circuit and sensor: what the state machine does with that value. */
  readonly effect?: string;
  readonly error?: { readonly error: string; readonly cause: string };
  readonly logs: readonly LogLine[];
  /** Where each upstream output came from: `given` or a run id. */
  readonly inputsFrom: Readonly<Record<string, string>>;
  readonly durationMs: number;
}

export async function testTask(
  engine: LocalEngine,
  dagId: string,
  taskId: string,
  options: TestTaskOptions = {},
): Promise<TestTaskResult> {
  const { ir } = engine.dag(dagId);
  const task = testableTask(ir, taskId, options);
  const { manifest } = engine.compiled(dagId);
  const keys = new Map(manifest.tasks.map((t) => [t.id, t.key]));
  const keyOf = (id: string) => keys.get(id)!;
  const mappedKeys = new Set(ir.tasks.filter((t) => t.mapping).map((t) => keyOf(t.id)));
  const { inputs, inputsFrom } = await upstreamOutputs(engine, ir, taskId, keyOf, options.inputs);
  const run = testRunValues(engine, ir, options.conf ?? {}, options.date);
  const item =
    options.item ??
    (task.mapping ? await firstItem(engine, task, { run, inputs, keyOf }) : undefined);

  const logs: LogLine[] = [];
  // The function's own value, before the runner turns a branch's or sensor's into state records.
  let returned: unknown;
  const { runner, pool } = testRunner(engine, dagId, logs, (value) => (returned = value));
  const started = performance.now();
  try {
    const { Payload } = await runner({
      task: taskId,
      run,
      // The Task state hands over upstream records whole (a mapped task's outputs as they are).
      in: Object.fromEntries(
        Object.entries(inputs).map(([k, o]) => [k, mappedKeys.has(k) ? o : { s: 'success', o }]),
      ),
      ...(task.mapping && { item, index: 0 }),
    });
    // A function task's answer is its record (runtime/task-runner answersRecord): its output is `o`
    // (a branch's and short-circuit's records hold `o` and `c` as their answers did).
    const answer =
      task.body.kind === 'function' && answersRecord(task)
        ? (Payload as { o: unknown }).o
        : Payload;
    const output = await resolveRefs(engine.options.objects, answer);
    const durationMs = performance.now() - started;
    if (task.body.kind === 'function')
      return { status: 'success', output, logs, inputsFrom, durationMs };
    const effect = effectOf(task.body.kind, output, manifest.tasks);
    return {
      status: 'success',
      output: returned === undefined ? null : JSON.parse(JSON.stringify(returned)),
      ...(effect && { effect }),
      logs,
      inputsFrom,
      durationMs,
    };
  } catch (error) {
    const e = error as Error;
    return {
      status: 'failed',
      error: { error: e.name, cause: e.message },
      logs,
      inputsFrom,
      durationMs: performance.now() - started,
    };
  } finally {
    await pool?.close();
  }
}

/** The task, if `updraft test` can run it: it exists, has code of the author's, and takes --item only when mapped. */
function testableTask(ir: DagIR, taskId: string, options: TestTaskOptions): TaskIR {
  const dagId = ir.id;
  const task = ir.tasks.find((t) => t.id === taskId);
  if (!task)
    throw new ConfigError(
      `task "${taskId}" is not in DAG "${dagId}" (tasks: ${ir.tasks.map((t) => t.id).join(', ')})`,
    );
  if (
    task.body.kind === 'operator' ||
    (task.body.kind === 'sensor' && task.body.sensor.check.kind !== 'function')
  ) {
    throw new ConfigError(
      `task "${taskId}" is a ${task.body.kind === 'operator' ? `native operator (${task.body.operator.kind})` : 'built-in sensor'}: it has no code of yours to test; run the DAG instead: updraft run ${dagId}`,
    );
  }
  if (options.item !== undefined && !task.mapping) {
    throw new ConfigError(
      `task "${taskId}" of DAG "${dagId}" is not mapped: --item gives a mapped task the item to run with; run it without --item`,
    );
  }
  return task;
}

/**
 * The upstream outputs the task reads, by record key: given, else from the newest of the DAG's
 * last 20 runs that has them; and where each came from (`given` or a run id).
 */
async function upstreamOutputs(
  engine: LocalEngine,
  ir: DagIR,
  taskId: string,
  keyOf: (id: string) => string,
  given: Readonly<Record<string, unknown>> = {},
): Promise<{ inputs: Record<string, unknown>; inputsFrom: Record<string, string> }> {
  const dagId = ir.id;
  // Data edges are exactly the upstream outputs a task reads (arguments and the list it maps over).
  const needed = new Set(
    ir.edges.filter((e) => e.to === taskId && e.kind === 'data').map((e) => e.from),
  );
  const inputs: Record<string, unknown> = {};
  const inputsFrom: Record<string, string> = {};
  for (const [id, value] of Object.entries(given)) {
    if (!needed.has(id))
      throw new ConfigError(
        `task "${taskId}" takes no output of "${id}" (its upstream outputs: ${[...needed].join(', ') || 'none'})`,
      );
    inputs[keyOf(id)] = value;
    inputsFrom[id] = 'given';
  }
  const missing = () => [...needed].filter((id) => !(id in inputsFrom));
  const store = engine.options.store;
  for (const run of missing().length > 0 ? await store.listRuns({ dagId, limit: 20 }) : []) {
    const tasks = await store.listTasks(run.runId);
    for (const id of missing()) {
      const rec = tasks.find((t) => t.taskId === id && t.state === 'success');
      if (rec) {
        inputs[keyOf(id)] = rec.output ?? null;
        inputsFrom[id] = run.runId;
      }
    }
  }
  const still = missing();
  if (still.length > 0) {
    const example = Object.fromEntries(still.map((id) => [id, '…']));
    throw new ConfigError(
      `task "${taskId}" needs the output of ${still.map((s) => `"${s}"`).join(', ')}, and no run of DAG "${dagId}" has it: run the DAG first (updraft run ${dagId}) or pass --inputs '${JSON.stringify(example)}'`,
    );
  }
  return { inputs, inputsFrom };
}

/** The run values a test call sees: the interval of `date` (default: the latest on the engine's clock), manual. */
function testRunValues(
  engine: LocalEngine,
  ir: DagIR,
  conf: Readonly<Record<string, unknown>>,
  date: string | undefined,
): RunValues {
  const interval = intervalFor(ir, date, new Date(engine.now()));
  const key = logicalDateKey(interval.logicalDate);
  return {
    dagId: ir.id,
    runId: `${ir.id}-${key}-test`,
    key,
    logicalDate: interval.logicalDate.toISOString(),
    ds: dsOf(interval.logicalDate.toISOString(), ir.timezone),
    dataIntervalStart: interval.dataIntervalStart.toISOString(),
    dataIntervalEnd: interval.dataIntervalEnd.toISOString(),
    params: resolveParams(ir, conf),
    triggeredBy: 'manual',
    timers: {},
  };
}

/** A mapped task's default item: the first of the list it maps over. */
async function firstItem(
  engine: LocalEngine,
  task: TaskIR,
  scope: Parameters<typeof resolveValue>[1],
): Promise<unknown> {
  const list = await resolveRefs(engine.options.objects, resolveValue(task.mapping!.over, scope));
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError(
      `mapped task "${task.id}" has no item to run with (the list it maps over is empty); pass --item '<json>'`,
    );
  return list[0];
}

/**
 * A task runner that records nothing and hands the task function's own value to `onReturn`. The
 * task's code runs as in a run: in a worker of its own (console.* captured into its log, masked;
 * process.exit or a hang end only the task), unless the engine runs code in process.
 */
function testRunner(
  engine: LocalEngine,
  dagId: string,
  logs: LogLine[],
  onReturn: (value: unknown) => void,
): { runner: TaskRunner; pool: WorkerPool | undefined } {
  const { dag, ir, file } = engine.dag(dagId);
  const clock = new VirtualClock(() => engine.now());
  const workers = engine.options.workers ?? {};
  const pool =
    file && workers
      ? new WorkerPool({ ...workers, ...(engine.options.env && { env: engine.options.env }) })
      : undefined;
  const invoker = pool && file ? pool.invoker(file) : undefined;
  const kept = async (value: unknown) => {
    const v = await value;
    onReturn(v);
    return v;
  };
  const runner = createTaskRunner({
    dag: {
      ...dag,
      taskCode: (id) => {
        const code = dag.taskCode(id);
        return code && (async (...args: unknown[]) => kept(code(...args)));
      },
    },
    ...(invoker && { invoke: (call: TaskCall) => kept(invoker(call)) }),
    root: engine.options.projectDir ?? process.cwd(),
    ir,
    manifest: engine.compiled(dagId).manifest,
    objects: engine.options.objects,
    recorder: { putTry: () => undefined, putLineage: () => undefined },
    logs: (line) => logs.push(line),
    connection: async (id) =>
      resolveConnection(id, {
        env: engine.options.env ?? process.env,
        projectDir: engine.options.projectDir ?? process.cwd(),
      }),
    now: () => clock.now(),
    runAttempt: 1,
    nextTry: () => 1,
    pokes: memoryPokes(),
    builtinCheck: async () => false,
  });
  return { runner, pool };
}

/** What the state machine does with a branch's, short-circuit's or sensor's answer. */
function effectOf(
  kind: string,
  response: unknown,
  tasks: readonly { readonly id: string; readonly key: string }[],
): string | undefined {
  const r = response as { o?: unknown; c?: Record<string, boolean>; s?: string; wait?: number };
  const idOf = (key: string) => tasks.find((t) => t.key === key)?.id ?? key;
  switch (kind) {
    case 'branch': {
      const entries = Object.entries(r.c ?? {});
      const runs = entries.filter(([, keep]) => keep).map(([k]) => idOf(k));
      const skips = entries.filter(([, keep]) => !keep).map(([k]) => idOf(k));
      return `branch: runs ${runs.join(', ') || 'nothing downstream'}${skips.length ? `; skips ${skips.join(', ')}` : ''}`;
    }
    case 'short_circuit':
      return r.o
        ? 'short-circuit: true, downstream tasks run'
        : 'short-circuit: false, downstream tasks are skipped';
    case 'sensor':
      return r.s === 'success'
        ? 'sensor: condition met, downstream tasks run'
        : r.s === 'timeout'
          ? 'sensor: timed out'
          : `sensor: not yet, it would poke again in ${r.wait ?? 0} s`;
    default:
      return undefined;
  }
}

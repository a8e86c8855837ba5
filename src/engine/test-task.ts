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
import { createTaskRunner, type TaskCall } from '../runtime/task-runner.ts';
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

// eslint-disable-next-line max-lines-per-function -- updraft test's whole story (upstream inputs, run values, one call, what a branch or sensor value means) in reading order; next to split
export async function testTask(
  engine: LocalEngine,
  dagId: string,
  taskId: string,
  options: TestTaskOptions = {},
): Promise<TestTaskResult> {
  const { dag, ir, file } = engine.dag(dagId);
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
  const compiled = engine.compiled(dagId);
  const manifest = compiled.manifest;
  const keyOf = new Map(manifest.tasks.map((t) => [t.id, t.key]));
  // Data edges are exactly the upstream outputs a task reads (arguments and the list it maps over).
  const needed = new Set(
    ir.edges.filter((e) => e.to === taskId && e.kind === 'data').map((e) => e.from),
  );

  // Upstream outputs: given, else from the newest run that has them.
  const inputs: Record<string, unknown> = {};
  const inputsFrom: Record<string, string> = {};
  for (const [id, value] of Object.entries(options.inputs ?? {})) {
    if (!needed.has(id))
      throw new ConfigError(
        `task "${taskId}" takes no output of "${id}" (its upstream outputs: ${[...needed].join(', ') || 'none'})`,
      );
    inputs[keyOf.get(id)!] = value;
    inputsFrom[id] = 'given';
  }
  const missing = [...needed].filter((id) => !(id in inputsFrom));
  if (missing.length > 0) {
    const store = engine.options.store;
    for (const run of await store.listRuns({ dagId, limit: 20 })) {
      const tasks = await store.listTasks(run.runId);
      for (const id of missing) {
        if (id in inputsFrom) continue;
        const rec = tasks.find((t) => t.taskId === id && t.state === 'success');
        if (rec) {
          inputs[keyOf.get(id)!] = rec.output ?? null;
          inputsFrom[id] = run.runId;
        }
      }
    }
    const still = missing.filter((id) => !(id in inputsFrom));
    if (still.length > 0) {
      const example = Object.fromEntries(still.map((id) => [id, '…']));
      throw new ConfigError(
        `task "${taskId}" needs the output of ${still.map((s) => `"${s}"`).join(', ')}, and no run of DAG "${dagId}" has it: run the DAG first (updraft run ${dagId}) or pass --inputs '${JSON.stringify(example)}'`,
      );
    }
  }

  const interval = intervalFor(ir, options.date, new Date(engine.now()));
  const key = logicalDateKey(interval.logicalDate);
  const run: RunValues = {
    dagId,
    runId: `${dagId}-${key}-test`,
    key,
    logicalDate: interval.logicalDate.toISOString(),
    ds: dsOf(interval.logicalDate.toISOString(), ir.timezone),
    dataIntervalStart: interval.dataIntervalStart.toISOString(),
    dataIntervalEnd: interval.dataIntervalEnd.toISOString(),
    params: resolveParams(ir, options.conf ?? {}),
    triggeredBy: 'manual',
    timers: {},
  };
  let item = options.item;
  if (task.mapping && item === undefined) {
    const list = await resolveRefs(
      engine.options.objects,
      resolveValue(task.mapping.over, { run, inputs, keyOf: (id) => keyOf.get(id)! }),
    );
    if (!Array.isArray(list) || list.length === 0)
      throw new ConfigError(
        `mapped task "${taskId}" has no item to run with (the list it maps over is empty); pass --item '<json>'`,
      );
    item = list[0];
  }

  const logs: LogLine[] = [];
  const clock = new VirtualClock(() => engine.now());
  // The function's own value, before the runner turns a branch's or sensor's into state records.
  let returned: unknown;
  // The task's code runs as in a run: in a worker of its own (console.* captured into its log,
  // masked; process.exit or a hang end only the task), unless the engine runs code in process.
  const workers = engine.options.workers ?? {};
  const pool =
    file && workers
      ? new WorkerPool({ ...workers, ...(engine.options.env && { env: engine.options.env }) })
      : undefined;
  const invoker = pool && file ? pool.invoker(file) : undefined;
  const runner = createTaskRunner({
    dag: {
      ...dag,
      taskCode: (id) => {
        const code = dag.taskCode(id);
        return code && (async (...args: unknown[]) => (returned = await code(...args)));
      },
    },
    ...(invoker && { invoke: async (call: TaskCall) => (returned = await invoker(call)) }),
    root: engine.options.projectDir ?? process.cwd(),
    ir,
    manifest,
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
  const started = performance.now();
  try {
    const { Payload } = await runner({
      task: taskId,
      run,
      in: inputs,
      ...(task.mapping && { item, index: 0 }),
    });
    const output = await resolveRefs(engine.options.objects, Payload);
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

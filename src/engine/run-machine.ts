/**
 * @module engine/run-machine
 * Runs a compiled DAG — the very ASL that deploys — on `aws-local-stepfunctions`, with every
 * Task state handled in-process: function tasks (and branches, short-circuits, sensor pokes,
 * mapped instances) call the DAG's code; native operators call a local override. Waits and
 * retry delays are skipped (the clock is the caller's business). Returns the run's status, the
 * final state document and each task's state, attempts and output.
 */
import { StateMachine } from 'aws-local-stepfunctions';

interface EventLog {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string; readonly input: unknown };
  readonly index?: number;
  readonly parentState?: unknown;
}
import type { DagIR, TaskState } from '../ir/types.ts';
import type { CompileResult, ManifestTask } from '../compiler/compile.ts';
import type { StateMachine as Asl, State } from '../compiler/asl.ts';
import type { Dag } from '../sdk/dag.ts';
import { PermanentError } from '../sdk/errors.ts';
import type { TaskContext } from '../sdk/context.ts';
import { resolveArgs, type RunValues } from '../runtime/args.ts';
import { connectionFromEnv } from '../runtime/connections.ts';

export type OperatorOverride = (parameters: Record<string, unknown>) => unknown;

export interface RunMachineOptions {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly compiled: CompileResult;
  readonly run: RunValues;
  /** Local stand-ins for native operators and built-in sensors, by task id. */
  readonly overrides?: Readonly<Record<string, OperatorOverride>>;
  /** Where `UPDRAFT_CONN_<ID>` connections are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Stand-in fake ARNs for the definition's placeholders. */
  readonly substitutions?: Readonly<Record<string, string>>;
}

export interface TaskOutcome {
  readonly state: TaskState | 'mapped';
  readonly attempts: number;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
}

export interface RunMachineResult {
  readonly status: 'success' | 'failed';
  readonly document: { run: RunValues; t: Record<string, Record<string, unknown>> };
  /** Final state per task id (mapped tasks: success/failed/skipped from their instances). */
  readonly tasks: Readonly<Record<string, TaskOutcome>>;
  /** Task ids in the order their code started (first attempt). */
  readonly started: readonly string[];
  readonly transitions: number;
}

/** Replace `${Name}` placeholders (infra does this with DefinitionSubstitutions). */
export function substitute(json: string, values: Readonly<Record<string, string>>): string {
  return json.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => values[name] ?? localValue(name));
}

/** Stand-in values for placeholders, shaped like the real thing (infra fills the real ones). */
function localValue(name: string): string {
  if (name === 'Region') return 'us-east-1';
  if (name === 'Account') return '000000000000';
  if (name.startsWith('StateMachine_')) return `arn:aws:states:us-east-1:000000000000:stateMachine:updraft-${name.slice('StateMachine_'.length)}`;
  if (name.startsWith('Connection_')) return `arn:aws:events:us-east-1:000000000000:connection/updraft-${name.slice('Connection_'.length)}/local`;
  return `arn:aws:lambda:us-east-1:000000000000:function:updraft-${name}`;
}

function taskStates(machine: Asl, out: Map<string, State> = new Map()): Map<string, State> {
  for (const [name, state] of Object.entries(machine.States)) {
    out.set(name, state);
    if (state.Type === 'Parallel') for (const b of state.Branches) taskStates(b, out);
    if (state.Type === 'Map') taskStates(state.ItemProcessor, out);
  }
  return out;
}

function asTaskError(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const wrapped = new Error(e.message);
  wrapped.name = e instanceof PermanentError ? 'Updraft.PermanentError' : 'Updraft.TaskFailed';
  return wrapped;
}

export async function runMachine(options: RunMachineOptions): Promise<RunMachineResult> {
  const { dag, compiled, run } = options;
  const manifest = compiled.manifest;
  const byId = new Map(manifest.tasks.map((t) => [t.id, t]));
  const byKey = new Map(manifest.tasks.map((t) => [t.key, t]));
  const irTasks = new Map(options.ir.tasks.map((t) => [t.id, t]));
  const definition = JSON.parse(substitute(compiled.json, options.substitutions ?? {})) as Asl;
  const attempts = new Map<string, number>();
  const started: string[] = [];
  const pokes = new Map<string, { waited: number; n: number }>();

  const context = (task: ManifestTask, attempt: number, mapIndex?: number): TaskContext<Record<string, unknown>> => ({
    dagId: run.dagId,
    runId: run.runId,
    taskId: task.id,
    logicalDate: new Date(run.logicalDate),
    ds: run.ds,
    dataInterval: { start: new Date(run.dataIntervalStart), end: new Date(run.dataIntervalEnd) },
    params: run.params as Record<string, unknown>,
    attempt,
    ...(mapIndex !== undefined && { mapIndex }),
    triggeredBy: run.triggeredBy as TaskContext['triggeredBy'],
    connection: async (id: string) => {
      if (!task.connections.includes(id)) throw new PermanentError(`task "${task.id}" did not declare connection "${id}"; add it to the task's connections`);
      return connectionFromEnv(id, options.env ?? process.env);
    },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });

  const handler = (stateName: string) => async (input: unknown): Promise<unknown> => {
    const role = manifest.states[stateName];
    const params = input as { Payload?: Record<string, unknown> } & Record<string, unknown>;
    const payload = params.Payload ?? {};
    const taskId = (payload.task as string | undefined) ?? role?.tasks[0];
    const task = taskId ? byId.get(taskId) : undefined;
    if (!task) throw new Error(`state "${stateName}" belongs to no task`);
    const ir = irTasks.get(task.id)!;
    if (ir.body.kind === 'operator' || (ir.body.kind === 'sensor' && ir.body.sensor.check.kind !== 'function')) {
      const tries = (attempts.get(`${task.id}|`) ?? 0) + 1;
      attempts.set(`${task.id}|`, tries);
      if (tries === 1) started.push(task.id);
      const override = options.overrides?.[task.id];
      if (!override) {
        const e = new Error(`task "${task.id}" (${task.kind}) needs a local override to run outside AWS`);
        e.name = 'Updraft.NoLocalOverride';
        throw e;
      }
      if (ir.body.kind === 'sensor') return sensorResult(task, Boolean(await override(params)), ir.body.sensor);
      return override(params);
    }
    const index = payload.index as number | undefined;
    const attemptKey = `${task.id}|${index ?? ''}`;
    const attempt = (attempts.get(attemptKey) ?? 0) + 1;
    attempts.set(attemptKey, attempt);
    if (attempt === 1 && (index === undefined || index === 0)) started.push(task.id);
    const code = dag.taskCode(task.id);
    if (!code) throw new Error(`no code for task "${task.id}"`);
    const args = resolveArgs(
      task.args,
      { run, inputs: (payload.in as Record<string, unknown>) ?? {}, keyOf: (id) => byId.get(id)!.key },
      task.mapArgIndex !== undefined ? { argIndex: task.mapArgIndex, item: payload.item } : undefined,
    );
    let result: unknown;
    try {
      result = await code(context(task, attempt, index), ...args);
    } catch (error) {
      throw asTaskError(error);
    }
    switch (ir.body.kind) {
      case 'branch': {
        const chosen = result === null || result === undefined ? [] : [result].flat().map(String);
        const downstream = new Set(task.downstream.map((k) => byKey.get(k)!.id));
        for (const c of chosen) {
          if (!downstream.has(c)) throw asTaskError(new PermanentError(`branch "${task.id}" returned "${c}", which is not directly downstream of it (${[...downstream].join(', ')})`));
        }
        const chosenKeys = new Set(chosen.map((c) => byId.get(c)!.key));
        const keeps = task.branchKeeps ?? {};
        // Airflow's skip_all_except keeps what is downstream of a chosen task, chosen or not.
        const c = Object.fromEntries(task.downstream.map((k) => [k, chosenKeys.has(k) || (keeps[k] ?? []).some((x) => chosenKeys.has(x))]));
        return { Payload: { o: chosen, c } };
      }
      case 'short_circuit':
        return { Payload: { o: Boolean(result) } };
      case 'sensor': {
        const done = typeof result === 'object' && result !== null ? Boolean((result as { done?: unknown }).done) : Boolean(result);
        const output = typeof result === 'object' && result !== null ? ((result as { output?: unknown }).output ?? true) : true;
        return { Payload: sensorResult(task, done, ir.body.sensor, output).Payload };
      }
      default:
        return { Payload: result === undefined ? null : result };
    }
  };

  const sensorResult = (task: ManifestTask, done: boolean, sensor: { pokeIntervalSeconds: number; pokeBackoffRate: number; maxPokeIntervalSeconds?: number; timeoutSeconds: number }, output: unknown = true) => {
    const p = pokes.get(task.id) ?? { waited: 0, n: 0 };
    if (done) return { Payload: { s: 'success', o: output, wait: 0 } };
    if (p.waited >= sensor.timeoutSeconds) return { Payload: { s: 'timeout', o: null, wait: 0 } };
    const interval = Math.min(sensor.pokeIntervalSeconds * sensor.pokeBackoffRate ** p.n, sensor.maxPokeIntervalSeconds ?? Number.POSITIVE_INFINITY);
    const wait = Math.max(1, Math.min(Math.round(interval), sensor.timeoutSeconds - p.waited));
    pokes.set(task.id, { waited: p.waited + wait, n: p.n + 1 });
    return { Payload: { s: 'poking', o: null, wait } };
  };

  const states = taskStates(definition);
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<never>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of states) {
    if (state.Type === 'Task') {
      taskResourceLocalHandlers[name] = handler(name) as unknown as (input: never) => Promise<never>;
      retryIntervalOverrides[name] = 0;
    }
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
  }

  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } as never });
  const execution = machine.run({ run, t: {} } as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides } as never,
  });
  let last: unknown;
  let transitions = 0;
  const collect = (async () => {
    for await (const event of execution.eventLogs as unknown as AsyncGenerator<EventLog>) {
      if (event.type !== 'StateEntered') continue;
      transitions++;
      if (event.index === undefined && event.parentState === undefined) last = event.state?.input;
    }
  })();
  let status: 'success' | 'failed';
  let document: RunMachineResult['document'];
  try {
    document = (await execution.result) as unknown as RunMachineResult['document'];
    status = 'success';
  } catch (error) {
    // The run's own Fail state (Updraft.DagRunFailed) and the run timeout are failed runs; anything else is a broken machine.
    const timedOut = (error as { name?: string }).name === 'ExecutionTimeoutError';
    if ((error as { cause?: { name?: string } }).cause?.name !== 'Updraft.DagRunFailed' && !timedOut) throw error;
    if (timedOut) execution.abort();
    status = 'failed';
    await collect;
    document = last as RunMachineResult['document'];
  }
  await collect;

  const tasks: Record<string, TaskOutcome> = {};
  for (const t of manifest.tasks) {
    const rec = document.t[t.key];
    const count = [...attempts].filter(([k]) => k.startsWith(`${t.id}|`)).reduce((n, [, v]) => Math.max(n, v), 0);
    if (!rec) continue;
    let state = rec.s as TaskOutcome['state'];
    if (state === 'mapped') state = rec.f ? 'failed' : (rec.n as number) === 0 ? 'skipped' : 'success';
    tasks[t.id] = {
      state,
      attempts: count,
      ...(rec.o !== undefined && rec.o !== null && { output: rec.o }),
      ...(rec.e !== undefined && { error: rec.e as TaskOutcome['error'] }),
    };
  }
  return { status, document, tasks, started, transitions };
}

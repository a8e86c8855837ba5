/**
 * @module testing
 * Run a DAG from your own tests (`import { runDag } from 'updraft/testing'`): the DAG is
 * validated, compiled and run on the embedded engine — the state machine that deploys — with
 * run metadata in an in-memory store (the SQLite store the CLI uses), so what passes here runs
 * the same on AWS.
 * Replace task code with `mocks`, give native operators and built-in sensors stand-ins with
 * `overrides`, and assert task states, outputs, log lines and outbox messages. The result is an
 * `Outcome` (testing/outcome), the shape every runner of the conformance suite returns, plus the
 * run's record and the runs it started.
 *
 * ```ts
 * const r = await runDag(dailyOrders, { date: '2026-11-20', mocks: { extract: async () => ({ rows: 0, key: 'k' }) } });
 * expect(r.states).toEqual({ extract: 'success', check: 'failed', load: 'upstream_failed' });
 * ```
 */
import { buildDagIR } from '../sdk/build-ir.ts';
import type { Dag } from '../sdk/dag.ts';
import { DagDefinitionError } from '../errors.ts';
import type { TaskContext } from '../sdk/context.ts';
import { openLocalStore } from '../store/local.ts';
import type { RunRecord, TaskRecord } from '../store/types.ts';
import { MemoryObjectStore, resolveRefs } from '../runtime/objects.ts';
import { LocalEngine } from '../engine/engine.ts';
import type { OperatorOverride } from '../engine/native.ts';
import type { Outcome, TaskOutcome } from './outcome.ts';

export type { Outcome, TaskOutcome } from './outcome.ts';

export type TaskMock = (ctx: TaskContext, ...args: any[]) => unknown;

export interface RunDagOptions {
  /** Logical date (a fire time, or a day). @default the latest complete interval, or now */
  readonly date?: string;
  /** Run params. */
  readonly conf?: Readonly<Record<string, unknown>>;
  /** Replacement code by task id (function tasks, branches, short-circuits, sensors). */
  readonly mocks?: Readonly<Record<string, TaskMock>>;
  /** Stand-ins by task id for native operators and built-in sensors (before the DAG's own `local`). */
  readonly overrides?: Readonly<Record<string, OperatorOverride>>;
  /** Environment for connections (`UPDRAFT_CONN_<ID>`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The project folder whose `updraft.connections.json` supplies connections `env` lacks. @default process.cwd() */
  readonly projectDir?: string;
  /** Other DAGs the run may start (triggerDag) or wait for (externalDagSensor). */
  readonly dags?: readonly Dag[];
}

/** The outcome of a run on the embedded engine, with what only the engine's store holds. */
export interface DagRunResult extends Outcome {
  /** The run's record (status, logical date, conf, timings, the error that failed it). */
  readonly run: RunRecord;
  /** Runs the DAG started with triggerDag. */
  readonly children: readonly RunRecord[];
}

function irOf(dag: Dag) {
  const { ir, problems } = buildDagIR(dag, `${dag.id}.ts`);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0)
    throw DagDefinitionError.of(`DAG "${dag.id}" is invalid`, errors, {
      hint: 'npx updraft validate shows the same problems for the DAGs in dags/',
    });
  return ir;
}

/**
 * Validates, compiles and runs `dag` once on the embedded engine, with its run metadata in a fresh
 * in-memory store and task code in this process, and returns how the run ended.
 * @throws DagDefinitionError when the DAG (or one in `dags`) is invalid, with every problem
 */
export async function runDag(dag: Dag, options: RunDagOptions = {}): Promise<DagRunResult> {
  const all = [dag, ...(options.dags ?? [])].map((d) => ({ dag: d, ir: irOf(d) }));
  const local = await openLocalStore({});
  const objects = new MemoryObjectStore();
  try {
    const engine = new LocalEngine({
      store: local.store,
      objects,
      dags: all,
      ...(options.env && { env: options.env }),
      ...(options.projectDir && { projectDir: options.projectDir }),
      ...(options.overrides && { overrides: { [dag.id]: options.overrides } }),
      ...(options.mocks && { mocks: { [dag.id]: options.mocks } }),
    });
    const { run, result } = await engine.trigger(dag.id, {
      ...(options.date && { date: options.date }),
      ...(options.conf && { conf: options.conf }),
    });
    await engine.flush();
    const records = await local.store.listTasks(run.runId);
    const tasks = Object.fromEntries(records.map((t) => [t.taskId, taskOutcome(t)]));
    const outputs: Record<string, unknown> = {};
    for (const t of records)
      if (t.output !== undefined) outputs[t.taskId] = await resolveRefs(objects, t.output);
    const everything = await local.store.listRuns({});
    return {
      status: run.status === 'success' ? 'success' : 'failed',
      runId: run.runId,
      run,
      states: Object.fromEntries(records.map((t) => [t.taskId, t.state])),
      tasks,
      outputs,
      started: result?.started ?? [],
      ...(result?.error && { error: result.error }),
      transitions: run.transitions ?? 0,
      historyEvents: run.historyEvents ?? 0,
      tries: await local.store.listTries(run.runId),
      logs: engine.logs.memory,
      outbox: await local.store.listOutbox(run.runId),
      children: everything.filter((r) => r.parentRunId === run.runId),
    };
  } finally {
    await local.close();
  }
}

/** A task record as an outcome: what the run decided, without the store's keys and times (tries have those). */
function taskOutcome(t: TaskRecord): TaskOutcome {
  return {
    state: t.state,
    attempts: t.attempts,
    ...(t.output !== undefined && { output: t.output }),
    ...(t.error && { error: t.error }),
    ...(t.mapped && { mapped: t.mapped }),
    ...(t.reused && { reused: true }),
  };
}

export type { OperatorOverride };

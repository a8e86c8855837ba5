/**
 * Test helper: build a DAG inline, compile it, run it on aws-local-stepfunctions with
 * in-process task handlers, and return how it ended as an `Outcome` (the shape `runDag` from
 * `updraft/testing` returns too; the conformance suite runs its cases on both).
 */
import { buildDagIR, type Dag } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { runMachine, type OperatorOverride } from '../../src/engine/run-machine.ts';
import type { RunValues } from '../../src/runtime/args.ts';
import { runValuesOf } from '../../src/runtime/launch.ts';
import { resolveParams } from '../../src/runtime/params.ts';
import { intervalFor } from '../../src/schedule/requested-intervals.ts';
import { MemoryObjectStore, resolveRefs } from '../../src/runtime/objects.ts';
import type { Done } from '../../src/runtime/resume.ts';
import type { LogLine } from '../../src/runtime/task-logger.ts';
import type { OutboxMessage, TryRecord } from '../../src/store/types.ts';
import type { Outcome, TaskOutcome } from '../../src/testing/outcome.ts';
import { aslProblems } from '../support/validate-asl.ts';

export const RUN: RunValues = {
  dagId: 'test',
  runId: 'test-2026-11-20T00-00-00Z',
  key: '2026-11-20T00-00-00Z',
  logicalDate: '2026-11-20T00:00:00.000Z',
  ds: '2026-11-20',
  dataIntervalStart: '2026-11-20T00:00:00.000Z',
  dataIntervalEnd: '2026-11-21T00:00:00.000Z',
  params: {},
  triggeredBy: 'manual',
  timers: {},
};

export interface HarnessOptions {
  readonly overrides?: Record<string, OperatorOverride>;
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * Run as the engine and the launcher would for this logical date: the interval from the DAG's
   * schedule, the run id from it, params checked and defaulted against the declared ones, timers.
   * @default the fixed `RUN` values, with `params` as given
   */
  readonly date?: string;
  /** A resumed execution: what tasks that must not run again answered before (runtime/resume). */
  readonly done?: Done;
  /** Compile the DAG cut into parts of at most this many tasks (compiler/parts). */
  readonly maxPartTasks?: number;
  /** Compile every mapped task as a Distributed Map (CompileOptions.distributedMaps). */
  readonly distributedMaps?: boolean;
}

export async function runDag(dag: Dag, options: HarnessOptions = {}): Promise<Outcome> {
  const { ir, problems } = buildDagIR(dag, 'test.ts');
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0)
    throw new Error(`invalid test DAG: ${errors.map((p) => p.message).join('; ')}`);
  const compiled = compileDag(ir, {
    ...(options.maxPartTasks !== undefined && { maxPartTasks: options.maxPartTasks }),
    ...(options.distributedMaps && { distributedMaps: true }),
  });
  // Every machine a test runs must also be valid ASL for AWS (both validators, ARNs filled in).
  // Cut into parts of two tasks for every case (conformance's `parts` runner), the cut machines
  // are checked on every example DAG instead (parts.test.ts): a validator call is ~50 ms.
  const machines =
    options.maxPartTasks === undefined ? [compiled.json, ...compiled.parts.map((p) => p.json)] : [];
  for (const json of machines) {
    const invalid = await aslProblems(json);
    if (invalid.length > 0) throw new Error(`compiled ASL is invalid: ${invalid.join('; ')}`);
  }
  const run: RunValues =
    options.date === undefined
      ? { ...RUN, dagId: ir.id, params: options.params ?? {} }
      : runValuesOf({
          dagId: ir.id,
          timezone: ir.timezone,
          timers: compiled.manifest.timers,
          interval: intervalFor(ir, options.date, new Date()),
          params: resolveParams(ir, options.params ?? {}),
          triggeredBy: 'manual',
        });
  const objects = new MemoryObjectStore();
  const tries = new Map<string, TryRecord>(); // a try is written when it starts and again when it ends
  const logs: LogLine[] = [];
  const outbox: OutboxMessage[] = [];
  const result = await runMachine({
    dag,
    ir,
    compiled,
    run,
    objects,
    recorder: {
      putTry: (t) => void tries.set(`${t.taskId}|${t.mapIndex}|${t.tryNumber}`, t),
      putLineage: () => undefined,
    },
    logs: (line) => void logs.push(line),
    native: {
      outbox: (m) => void outbox.push({ ...m, runId: run.runId, seq: m.seq ?? outbox.length + 1 }),
    },
    ...(options.overrides && { overrides: options.overrides }),
    ...(options.done && { done: options.done }),
  });
  const tasks: Record<string, TaskOutcome> = {};
  const outputs: Record<string, unknown> = {};
  for (const [id, t] of Object.entries(result.tasks)) {
    tasks[id] = t;
    if (t.output !== undefined) outputs[id] = await resolveRefs(objects, t.output);
  }
  return {
    status: result.status,
    runId: run.runId,
    states: Object.fromEntries(Object.entries(tasks).map(([id, t]) => [id, t.state])),
    tasks,
    outputs,
    started: result.started,
    ...(result.error && { error: result.error }),
    transitions: result.transitions,
    historyEvents: result.historyEvents,
    tries: [...tries.values()],
    logs,
    outbox,
  };
}

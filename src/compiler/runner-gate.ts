/**
 * @module compiler/runner-gate
 * Trigger rules decided by the task runner. A function task, branch or short-circuit whose fate
 * is only known at run time has no Choice state in front of it: its Task state always invokes
 * the task runner, handing it the upstream states its rule reads (`g`), and the runner answers
 * with the task's record — `skipped` or `upstream_failed` without running the code, or the
 * code's outcome. Airflow's scheduler decides trigger rules the same way, from the upstream
 * states, in one place.
 *
 * What it saves (bench/lean.ts): a gate is a Choice plus up to three record Passes per task, and
 * one state transition per task on every run; after a failure, what follows is the same states
 * (each task answers `upstream_failed` itself), not a second copy of the rest of the DAG.
 *
 * Tasks that keep a Choice gate: mapped tasks, sensors, operators (no task runner call to
 * decide in, or one per instance/poke), pooled tasks (the gate comes before taking a slot),
 * tasks of retried groups, and tasks whose rule reads a mapped task (its record holds every
 * instance's output: too big to hand over).
 */
import type { DagIR, TaskState } from '../ir/types.ts';
import type { JsonValue } from './asl.ts';
import { CompileContext, ruleOf } from './context.ts';
import { errorOutput, field, output, record } from './document.ts';
import { staticOutcome, type Outcome } from './rules.ts';
import { recordFor } from './states/marks.ts';

/** Whether the task runner decides this task's trigger rule (no Choice gate). */
export function runnerGated(ctx: CompileContext, taskId: string): boolean {
  const t = ctx.task(taskId);
  if (t.mapping || t.pool || ctx.inRetriedGroup(taskId)) return false;
  const kind = t.body.kind;
  if (kind !== 'function' && kind !== 'branch' && kind !== 'short_circuit') return false;
  return ruleOf(ctx, taskId).over.every((u) => !ctx.task(u).mapping);
}

/** Whether anything can stop the task from running: an upstream task, or a branch or short-circuit. */
export function hasGateInputs(ctx: CompileContext, taskId: string): boolean {
  return ruleOf(ctx, taskId).over.length > 0 || (ctx.forced.get(taskId) ?? []).length > 0;
}

/**
 * The `g` the Task state hands the runner, by record key: an upstream task's state (`$.t.<key>.s`),
 * or the whole record of a branch or short-circuit that can skip the task (its choice is in it).
 */
export function gateInputs(ctx: CompileContext, taskId: string): Record<string, JsonValue> {
  const forcedBy = new Set((ctx.forced.get(taskId) ?? []).map((f) => f.by));
  const paths = new Map<string, string>();
  for (const u of ruleOf(ctx, taskId).over) paths.set(ctx.key(u), field(ctx.key(u), 's'));
  for (const by of forcedBy) paths.set(ctx.key(by), record(ctx.key(by)));
  // The records the task reads as inputs (`in`) hold their states: not handed over twice.
  for (const u of ctx.dataUpstream.get(taskId) ?? [])
    if (!ctx.task(u).mapping) paths.delete(ctx.key(u));
  return Object.fromEntries(
    [...paths].sort(([a], [b]) => a.localeCompare(b)).map(([k, p]) => [`${k}.$`, p]),
  );
}

/**
 * What a function task reads of its upstream tasks, by record key: their records whole, which
 * hold their states too (a failed one's may have no `o`: compiler/context failsInPlace), and a
 * mapped task's outputs.
 */
export function inputPaths(
  ctx: CompileContext,
  taskId: string,
): Record<string, string> | undefined {
  const upstream = [...new Set(ctx.dataUpstream.get(taskId) ?? [])];
  if (upstream.length === 0) return undefined;
  const entries = upstream.map((u) => {
    const k = ctx.key(u);
    return [`${k}.$`, ctx.task(u).mapping ? output(k) : record(k)] as const;
  });
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What the runner received in `g` and `in`: per record key, a state or a whole record. */
export type GateValues = Readonly<Record<string, unknown>>;

/** The runner's decision: run the code, or the record the task gets without running. */
export type GateDecision =
  | { readonly run: true }
  | { readonly run: false; readonly record: Record<string, JsonValue> };

/**
 * Decides gated tasks of one DAG from what their Task state handed over: the same forced skips
 * and decision lists as a Choice gate (compiler/conditions), evaluated on values.
 */
export function createRunnerGate(ir: DagIR): RunnerGate {
  let gate = gates.get(ir);
  if (!gate) {
    gate = makeGate(new CompileContext(ir));
    gates.set(ir, gate);
  }
  return gate;
}

export type RunnerGate = (taskId: string, g: GateValues) => GateDecision;

/** One gate per DAG: a task Lambda makes a runner per invocation, the DAG it loaded once. */
const gates = new WeakMap<DagIR, RunnerGate>();

/**
 * A task's state from what its Task state handed over: the state itself, or a record holding it.
 * A task that failed in place has its error as its state (compiler/document).
 */
export function handedState(v: unknown): TaskState | undefined {
  const s = typeof v === 'object' && v !== null && !errorOutput(v) ? (v as { s?: unknown }).s : v;
  if (typeof s === 'string') return s as TaskState;
  return errorOutput(s) ? 'failed' : undefined;
}

function makeGate(ctx: CompileContext): RunnerGate {
  const stateOf = (key: string, g: GateValues): TaskState => handedState(g[key]) as TaskState;
  return (taskId, g) => {
    const key = ctx.key(taskId);
    let outcome: Outcome | undefined;
    for (const f of ctx.forced.get(taskId) ?? []) {
      const by = (g[ctx.key(f.by)] ?? {}) as {
        s?: unknown;
        o?: unknown;
        c?: Record<string, unknown>;
      };
      if (by.s !== 'success') continue;
      const skips = f.test === 'branchNotChosen' ? by.c?.[key] === false : by.o === false;
      if (skips) outcome = 'skipped';
    }
    if (outcome === undefined) {
      const { rule, over } = ruleOf(ctx, taskId);
      outcome = staticOutcome(
        rule,
        over.map((u) => stateOf(ctx.key(u), g)),
      );
    }
    return outcome === 'run'
      ? { run: true }
      : { run: false, record: recordFor(ctx, taskId, outcome) };
  };
}

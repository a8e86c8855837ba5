/**
 * @module compiler/context
 * What every renderer needs to know about the DAG being compiled: tasks by id, record keys,
 * real upstream/downstream sets (DAG edges, not the synchronization the fork/join structure
 * adds), the conditions under which a branch or short-circuit skips a task, and the names
 * already used (state names are unique across the whole machine, branches included).
 */
import type { DagIR, TaskIR, TriggerRule } from '../ir/types.ts';
import { adjacency, inRetriedGroup, retriedGroups } from '../ir/graph.ts';
import { recordKeys, type Keys } from './document.ts';

export interface ForcedSkip {
  /** The branch or short-circuit task. */
  readonly by: string;
  readonly test: 'branchNotChosen' | 'shortCircuitFalse';
}

export class CompileContext {
  readonly dag: DagIR;
  readonly tasks: ReadonlyMap<string, TaskIR>;
  readonly keys: Keys;
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  /** Per task: the upstream tasks whose outputs it reads (data edges), in edge order. */
  readonly dataUpstream: ReadonlyMap<string, readonly string[]>;
  /** Per task: branch/short-circuit conditions that skip it whatever its trigger rule. */
  readonly forced: ReadonlyMap<string, readonly ForcedSkip[]>;
  private readonly names = new Set<string>();
  /** Groups whose failures re-run them (attempts > 1), outer before inner. */
  readonly retriedGroups: readonly string[];
  /** Per retried group: the tasks recorded before it is entered (the fork/join tree decides). */
  readonly recordedBefore = new Map<string, readonly string[]>();

  /** Every mapped task a Distributed Map (CompileOptions.distributedMaps). */
  readonly distributedMaps: boolean;

  /** Tasks whose failure record is their Task state's Catch alone (`failsInPlace`). */
  private inPlace: ReadonlySet<string> | undefined;

  constructor(dag: DagIR, options: { readonly distributedMaps?: boolean } = {}) {
    this.dag = dag;
    this.distributedMaps = options.distributedMaps === true;
    this.tasks = new Map(dag.tasks.map((t) => [t.id, t]));
    this.keys = recordKeys(dag);
    const adj = adjacency(dag);
    this.upstream = adj.upstream;
    this.downstream = adj.downstream;
    this.forced = forcedSkips(dag, adj.downstream);
    const data = new Map<string, string[]>();
    for (const e of dag.edges)
      if (e.kind === 'data') data.set(e.to, [...(data.get(e.to) ?? []), e.from]);
    this.dataUpstream = data;
    this.retriedGroups = retriedGroups(dag);
  }

  /** Record key of a retried group's attempt counter. */
  counterKey(groupId: string): string {
    return `_g_${groupId.replace(/[^A-Za-z0-9_]/g, '_')}`;
  }

  /** Whether a task is inside a group that re-runs on failure (its records carry `pe`). */
  inRetriedGroup(taskId: string): boolean {
    return inRetriedGroup(this.task(taskId), this.retriedGroups);
  }

  /**
   * Whether a task's failure is recorded by its Task state's Catch alone, the error as its state:
   * `{ s: { Error, Cause } }` (compiler/document), with no failure Pass. A plain function task
   * qualifies when nothing but the task runner reads its output (which takes its record whole):
   * no native operator, sensor or Map reads a path into it, no pool or retried group wraps it,
   * and no Choice reads its `o` (a branch's or short-circuit's).
   */
  failsInPlace(taskId: string): boolean {
    this.inPlace ??= failingInPlace(this);
    return this.inPlace.has(taskId);
  }

  key(taskId: string): string {
    return this.keys.get(taskId)!;
  }

  task(taskId: string): TaskIR {
    return this.tasks.get(taskId)!;
  }

  /** A state name not used yet: `base`, else `base #2`, `base #3` … (≤ 80 characters). */
  name(base: string): string {
    const trimmed = base.length > 76 ? `${base.slice(0, 75)}…` : base;
    let name = trimmed;
    for (let n = 2; this.names.has(name); n++) name = `${trimmed} #${n}`;
    this.names.add(name);
    return name;
  }
}

function failingInPlace(ctx: CompileContext): Set<string> {
  const readByPath = new Set<string>();
  for (const e of ctx.dag.edges) {
    if (e.kind !== 'data') continue;
    const reader = ctx.task(e.to);
    const runnerReads =
      reader.body.kind === 'function' ||
      reader.body.kind === 'branch' ||
      reader.body.kind === 'short_circuit';
    if (!runnerReads) readByPath.add(e.from);
  }
  // A Map's ItemsPath reads the list it maps over.
  for (const t of ctx.dag.tasks)
    if (t.mapping?.over.kind === 'output') readByPath.add(t.mapping.over.task);
  const set = new Set<string>();
  for (const t of ctx.dag.tasks)
    if (
      t.body.kind === 'function' &&
      !t.mapping &&
      !t.pool &&
      !ctx.inRetriedGroup(t.id) &&
      !readByPath.has(t.id)
    )
      set.add(t.id);
  return set;
}

/** The rule that decides whether a task runs, and the tasks it reads (a teardown: its setups). */
export function ruleOf(
  ctx: CompileContext,
  taskId: string,
): { rule: TriggerRule | 'teardown'; over: readonly string[] } {
  const t = ctx.task(taskId);
  if (t.role?.kind === 'teardown') return { rule: 'teardown', over: t.role.setups };
  return { rule: t.triggerRule, over: ctx.upstream.get(taskId) ?? [] };
}

/**
 * Airflow: a branch skips its direct downstream tasks it did not choose; a short-circuit that
 * returns false skips its direct downstream tasks, or everything downstream when
 * ignoreDownstreamTriggerRules is true (the default).
 */
function forcedSkips(
  dag: DagIR,
  downstream: ReadonlyMap<string, readonly string[]>,
): Map<string, ForcedSkip[]> {
  const tasks = new Map(dag.tasks.map((t) => [t.id, t]));
  const forced = new Map<string, ForcedSkip[]>(dag.tasks.map((t) => [t.id, []]));
  for (const t of dag.tasks) {
    if (t.body.kind === 'branch') {
      for (const d of downstream.get(t.id) ?? [])
        forced.get(d)!.push({ by: t.id, test: 'branchNotChosen' });
    }
    if (t.body.kind === 'short_circuit') {
      const targets = t.body.ignoreDownstreamTriggerRules
        ? descendants(t.id, downstream)
        : (downstream.get(t.id) ?? []);
      // Airflow's short-circuit never skips teardowns: they still release what setups made.
      for (const d of targets)
        if (tasks.get(d)?.role?.kind !== 'teardown')
          forced.get(d)!.push({ by: t.id, test: 'shortCircuitFalse' });
    }
  }
  return forced;
}

function descendants(id: string, downstream: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>();
  const stack = [...(downstream.get(id) ?? [])];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    stack.push(...(downstream.get(d) ?? []));
  }
  return [...seen];
}

/**
 * @module compiler/sp-decompose
 * Turns a DAG into a series-parallel tree, the only fork/join shape Step Functions `Parallel`
 * states can express (CONTRIBUTING.md#parallel-forkjoin). Exact for series-parallel DAGs (no task waits for anything
 * it does not transitively depend on); for any other DAG it adds the waiting that costs the least
 * makespan it can find, and reports it. Task groups stay one contiguous block each.
 *
 * Pure and deterministic: ties are broken by the order of `tasks`; parallel branches come in the
 * order of their first task in `tasks`.
 */
import { InternalError } from '../errors.ts';
import { has } from './sp-bitset.ts';
import {
  clusterForest,
  groupCycleError,
  type ClusterInput,
  type ClusterTree,
} from './sp-clusters.ts';
import { buildGraph, type SpGraph } from './sp-graph.ts';
import { decomposeGraph } from './sp-split.ts';
import { coveringPairs, finishTime, type SpNode } from './sp-tree.ts';

export type { SpNode } from './sp-tree.ts';
export type { ClusterInput } from './sp-clusters.ts';
export { formatTree } from './sp-format.ts';
export { SpGroupCycleError } from './sp-clusters.ts';

export interface SpInput {
  readonly tasks: readonly {
    readonly id: string;
    /** Expected duration, > 0. @default 1 */
    readonly duration?: number;
  }[];
  /** Acyclic; may contain duplicates and transitive edges (they change nothing). */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /**
   * Task groups that must stay one contiguous block (group-level retry re-runs the whole block),
   * each a `cluster` node in the tree. Nested via `parent`; a parent left out of the list is
   * inferred from the members (the smallest listed group holding them all).
   */
  readonly clusters?: readonly ClusterInput[];
}

export interface SpResult {
  readonly tree: SpNode;
  /**
   * Ordering the tree adds that the DAG does not have: `before` must now finish before `after`
   * starts. The smallest such list: each pair is a task ending one item of a series and a task
   * starting the next, not already ordered by the DAG. Sorted by the input positions of
   * `before`, then `after`.
   */
  readonly addedWaits: readonly { readonly before: string; readonly after: string }[];
  /** Makespan of the tree with the given durations (series = sum, parallel = max). */
  readonly makespan: number;
  /** Ideal makespan: the DAG's critical path with the same durations. */
  readonly criticalPath: number;
}

/**
 * The series-parallel tree of a DAG. Throws `SpGroupCycleError` (a `DagDefinitionError`) when a
 * group cannot be one block because a task outside it sits between its tasks, and
 * `InternalError` for input the caller should have validated (unknown or duplicate ids, a cycle,
 * a duration that is not a positive number, groups that overlap without nesting).
 */
export function decompose(input: SpInput): SpResult {
  const { tasks } = input;
  if (tasks.length === 0) throw new InternalError('cannot decompose a DAG without tasks');
  const index = new Map<string, number>();
  const duration: number[] = [];
  for (const [i, t] of tasks.entries()) {
    if (index.has(t.id)) throw new InternalError(`task "${t.id}" is given twice`);
    const d = t.duration ?? 1;
    if (!(Number.isFinite(d) && d > 0))
      throw new InternalError(
        `task "${t.id}" has expected duration ${d}; it must be a positive number`,
      );
    index.set(t.id, i);
    duration.push(d);
  }
  const edges = input.edges.map((e): [number, number] => {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined)
      throw new InternalError(
        `edge "${e.from}" → "${e.to}" names an unknown task "${from === undefined ? e.from : e.to}"`,
      );
    return [from, to];
  });

  const rank = tasks.map((_, i) => i);
  const built = buildGraph(duration, rank, edges);
  if (!built.ok)
    throw new InternalError(
      `the edges form a cycle through ${built.onCycle.map((v) => `"${tasks[v]!.id}"`).join(', ')}`,
    );
  const dag = built.graph;

  const out: number[][] = tasks.map(() => []);
  for (const [from, to] of edges) out[from]!.push(to);
  const all = tasks.map((_, i) => i);
  const durationOf = (id: string): number => duration[index.get(id)!]!;
  const tree = decomposeLevel(all, clusterForest(input.clusters ?? [], index), {
    ids: tasks.map((t) => t.id),
    duration,
    durationOf,
    out,
  });

  const added: [number, number][] = [];
  coveringPairs(tree, (before, after) => {
    const b = index.get(before)!;
    const a = index.get(after)!;
    if (!has(dag.desc[b]!, a)) added.push([b, a]);
  });
  added.sort((x, y) => x[0] - y[0] || x[1] - y[1]);

  return {
    tree,
    addedWaits: added.map(([b, a]) => ({ before: tasks[b]!.id, after: tasks[a]!.id })),
    makespan: finishTime(tree, durationOf),
    criticalPath: criticalPath(dag),
  };
}

/** Longest path, computed the way the tree's makespan is (finish = start + duration). */
function criticalPath(g: SpGraph): number {
  const finish = new Float64Array(g.size);
  const order = Array.from({ length: g.size }, (_, v) => v).sort(
    (a, b) => g.topoPos[a]! - g.topoPos[b]!,
  );
  let cp = 0;
  for (const v of order) {
    const start = g.pred[v]!.reduce((s, p) => Math.max(s, finish[p]!), 0);
    finish[v] = start + g.duration[v]!;
    cp = Math.max(cp, finish[v]!);
  }
  return cp;
}

interface Tasks {
  readonly ids: readonly string[];
  readonly duration: readonly number[];
  readonly durationOf: (id: string) => number;
  /** Successors by task index, as given (duplicates allowed). */
  readonly out: readonly (readonly number[])[];
}

/**
 * One nesting level: the given tasks with each subgroup contracted to one node (its duration is
 * its own decomposed makespan), decomposed; each subgroup node becomes a `cluster` whose body is
 * decomposed the same way from the edges inside the group.
 */
function decomposeLevel(
  members: readonly number[],
  groups: readonly ClusterTree[],
  tasks: Tasks,
): SpNode {
  const nodeOf = new Map<number, number>();
  const leaves: SpNode[] = [];
  const duration: number[] = [];
  const rank: number[] = [];
  const groupOfNode = new Map<number, ClusterTree>();
  for (const group of groups) {
    const body = decomposeLevel(group.members, group.children, tasks);
    const node = leaves.length;
    for (const t of group.members) {
      const other = nodeOf.get(t);
      if (other !== undefined)
        throw new InternalError(
          `task "${tasks.ids[t]}" is in task groups "${groupOfNode.get(other)!.id}" and "${group.id}", which are not nested`,
        );
      nodeOf.set(t, node);
    }
    groupOfNode.set(node, group);
    leaves.push({ kind: 'cluster', id: group.id, body });
    duration.push(finishTime(body, tasks.durationOf));
    rank.push(group.members[0]!);
  }
  for (const t of members) {
    if (nodeOf.has(t)) continue;
    nodeOf.set(t, leaves.length);
    leaves.push({ kind: 'task', id: tasks.ids[t]! });
    duration.push(tasks.duration[t]!);
    rank.push(t);
  }

  const edges: [number, number][] = [];
  const edgeOf = new Map<string, [number, number]>(); // first real edge behind each node edge, for messages
  for (const from of members) {
    for (const to of tasks.out[from]!) {
      const a = nodeOf.get(from);
      const b = nodeOf.get(to);
      if (a === undefined || b === undefined || a === b) continue;
      edges.push([a, b]);
      const key = `${a}>${b}`;
      const seen = edgeOf.get(key);
      if (!seen || from < seen[0] || (from === seen[0] && to < seen[1]))
        edgeOf.set(key, [from, to]);
    }
  }
  const built = buildGraph(duration, rank, edges);
  if (!built.ok) {
    const cycle = shortestGroupCycle(built.onCycle, built.succ, groupOfNode, rank);
    if (!cycle)
      throw new InternalError(
        `the edges form a cycle through ${built.onCycle.map((v) => `"${tasks.ids[rank[v]!]}"`).join(', ')}`,
      );
    const path = cycle
      .map((a, i) => edgeOf.get(`${a}>${cycle[(i + 1) % cycle.length]}`)!)
      .map(([f, t]) => ({ from: tasks.ids[f]!, to: tasks.ids[t]! }));
    const groupsOn = cycle.filter((v) => groupOfNode.has(v)).map((v) => groupOfNode.get(v)!.id);
    const outside = cycle.filter((v) => !groupOfNode.has(v)).map((v) => tasks.ids[rank[v]!]!);
    throw groupCycleError(groupsOn, outside, path);
  }
  // Two ways to weigh cuts, each better on some DAGs (BENCHMARKS.md); keep the faster tree (the
  // first on a tie). The second is not needed when the first already runs in the critical path.
  const leaf = (node: number): SpNode => leaves[node]!;
  const balanced = decomposeGraph(built.graph, leaf, 1);
  const makespan = finishTime(balanced, tasks.durationOf);
  if (makespan <= criticalPath(built.graph)) return balanced;
  const sure = decomposeGraph(built.graph, leaf, 0);
  return finishTime(sure, tasks.durationOf) < makespan ? sure : balanced;
}

/** The shortest cycle through the first group node (by rank) that is on one; nodes in order, starting at the group. */
function shortestGroupCycle(
  onCycle: readonly number[],
  succ: readonly (readonly number[])[],
  groups: ReadonlyMap<number, ClusterTree>,
  rank: readonly number[],
): number[] | undefined {
  const starts = onCycle.filter((v) => groups.has(v)).sort((a, b) => rank[a]! - rank[b]!);
  for (const start of starts) {
    const parent = new Map<number, number>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i]!;
      for (const w of succ[v]!) {
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
          return path;
        }
        if (!parent.has(w)) {
          parent.set(w, v);
          queue.push(w);
        }
      }
    }
  }
  return undefined;
}

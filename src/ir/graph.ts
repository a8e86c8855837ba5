/**
 * @module ir/graph
 * Graph helpers over a DAG's edges: adjacency, topological order (stable: declaration order
 * breaks ties, so output is deterministic) and cycle paths for error messages.
 */
import type { DagIR, TaskIR } from './types.ts';

export interface Adjacency {
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  readonly upstream: ReadonlyMap<string, readonly string[]>;
}

export function adjacency(dag: Pick<DagIR, 'tasks' | 'edges'>): Adjacency {
  const downstream = new Map<string, string[]>(dag.tasks.map((t) => [t.id, []]));
  const upstream = new Map<string, string[]>(dag.tasks.map((t) => [t.id, []]));
  for (const e of dag.edges) {
    downstream.get(e.from)?.push(e.to);
    upstream.get(e.to)?.push(e.from);
  }
  return { downstream, upstream };
}

/** Kahn's algorithm; undefined when there is a cycle. */
export function topologicalOrder(dag: Pick<DagIR, 'tasks' | 'edges'>): string[] | undefined {
  const { downstream, upstream } = adjacency(dag);
  const indegree = new Map([...upstream].map(([id, ups]) => [id, ups.length]));
  const order: string[] = [];
  const ready = dag.tasks.map((t) => t.id).filter((id) => indegree.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const d of downstream.get(id) ?? []) {
      const n = indegree.get(d)! - 1;
      indegree.set(d, n);
      if (n === 0) ready.push(d);
    }
  }
  return order.length === dag.tasks.length ? order : undefined;
}

/**
 * One cycle per strongly connected component with a cycle, as a closed path
 * (`['a', 'b', 'c', 'a']`), starting at its first task in declaration order.
 */
export function findCycles(dag: Pick<DagIR, 'tasks' | 'edges'>): string[][] {
  const { downstream } = adjacency(dag);
  const ids = dag.tasks.map((t) => t.id);
  // Tarjan's SCC with an explicit stack of calls: a chain of thousands of tasks is as deep.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  const enter = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
  };
  const close = (v: string): void => {
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (downstream.get(v) ?? []).includes(v)) sccs.push(scc);
  };
  const visit = (root: string): void => {
    enter(root);
    const calls: { v: string; next: number }[] = [{ v: root, next: 0 }];
    while (calls.length > 0) {
      const call = calls[calls.length - 1]!;
      const out = downstream.get(call.v) ?? [];
      if (call.next < out.length) {
        const w = out[call.next++]!;
        if (!idx.has(w)) {
          enter(w);
          calls.push({ v: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(call.v, Math.min(low.get(call.v)!, idx.get(w)!));
        }
        continue;
      }
      calls.pop();
      close(call.v);
      const parent = calls[calls.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(call.v)!));
    }
  };
  for (const id of ids) if (!idx.has(id)) visit(id);

  const order = new Map(ids.map((id, i) => [id, i]));
  return sccs
    .map((scc) => {
      const members = new Set(scc);
      const start = [...scc].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
      // Shortest path back to start inside the component (BFS), for a readable message.
      const prev = new Map<string, string>();
      const queue = [start];
      const seen = new Set([start]);
      while (queue.length > 0) {
        const v = queue.shift()!;
        for (const w of downstream.get(v) ?? []) {
          if (!members.has(w)) continue;
          if (w === start) {
            const path = [v];
            while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
            return [...path, start];
          }
          if (!seen.has(w)) {
            seen.add(w);
            prev.set(w, v);
            queue.push(w);
          }
        }
      }
      return [start, start];
    })
    .sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}

/** The groups whose failures re-run them (retry attempts > 1), outer before inner. */
export function retriedGroups(dag: Pick<DagIR, 'groups'>): string[] {
  return dag.groups.filter((g) => (g.retry?.attempts ?? 1) > 1).map((g) => g.id);
}

/** Whether a task is inside one of `retried` (or a group nested in one). */
export function inRetriedGroup(task: Pick<TaskIR, 'group'>, retried: readonly string[]): boolean {
  const g = task.group;
  return g !== undefined && retried.some((r) => g === r || g.startsWith(`${r}.`));
}

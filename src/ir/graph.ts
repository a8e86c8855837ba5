/**
 * @module ir/graph
 * Graph helpers over a DAG's edges: adjacency, topological order (stable: declaration order
 * breaks ties, so output is deterministic) and cycle paths for error messages.
 */
import type { DagIR } from './types.ts';

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
  // Tarjan's SCC, iterative enough for DAG sizes we accept (recursion depth ≤ task count).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of downstream.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (downstream.get(v) ?? []).includes(v)) sccs.push(scc);
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

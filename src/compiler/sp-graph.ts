/**
 * @module compiler/sp-graph
 * The graph the series-parallel decomposition works on: nodes (tasks, or task groups contracted
 * to one node) with durations, reachability as bitsets, and only the covering edges (duplicates
 * and transitive edges dropped), so that redundant edges cannot change the result.
 */
import { add, bitset, has, orInto, type Bitset } from './sp-bitset.ts';

export interface SpGraph {
  readonly size: number;
  /** Expected duration of each node (> 0). */
  readonly duration: readonly number[];
  /** Tie-break key, lower first: a node's first position in the input's task list. Unique. */
  readonly rank: readonly number[];
  /** Covering edges (the transitive reduction), each list sorted by rank. */
  readonly succ: readonly (readonly number[])[];
  readonly pred: readonly (readonly number[])[];
  /** Position of each node in one topological order. */
  readonly topoPos: readonly number[];
  /** Strict descendants / ancestors. */
  readonly desc: readonly Bitset[];
  readonly anc: readonly Bitset[];
}

export type GraphBuild =
  | { readonly ok: true; readonly graph: SpGraph }
  /** The edges have a cycle; `succ` (deduplicated) lets the caller find and describe one. */
  | {
      readonly ok: false;
      readonly succ: readonly (readonly number[])[];
      readonly onCycle: readonly number[];
    };

export function buildGraph(
  duration: readonly number[],
  rank: readonly number[],
  edges: readonly (readonly [number, number])[],
): GraphBuild {
  const size = duration.length;
  const seen = Array.from({ length: size }, () => bitset(size));
  const all: number[][] = Array.from({ length: size }, () => []);
  for (const [from, to] of edges) {
    if (!has(seen[from]!, to)) {
      add(seen[from]!, to);
      all[from]!.push(to);
    }
  }
  const byRank = (a: number, b: number): number => rank[a]! - rank[b]!;
  for (const list of all) list.sort(byRank);

  // Kahn's algorithm; what is left over lies on or behind a cycle.
  const indegree = new Array<number>(size).fill(0);
  for (const list of all) for (const to of list) indegree[to]!++;
  const order: number[] = [];
  for (let v = 0; v < size; v++) if (indegree[v] === 0) order.push(v);
  for (let i = 0; i < order.length; i++) {
    for (const to of all[order[i]!]!) if (--indegree[to]! === 0) order.push(to);
  }
  if (order.length < size) {
    return { ok: false, succ: all, onCycle: indegree.flatMap((d, v) => (d > 0 ? [v] : [])) };
  }

  const topoPos = new Array<number>(size);
  order.forEach((v, i) => (topoPos[v] = i));
  const desc = Array.from({ length: size }, () => bitset(size));
  for (let i = size - 1; i >= 0; i--) {
    const v = order[i]!;
    for (const to of all[v]!) {
      add(desc[v]!, to);
      orInto(desc[v]!, desc[to]!);
    }
  }
  const anc = Array.from({ length: size }, () => bitset(size));
  for (let v = 0; v < size; v++)
    for (let w = 0; w < size; w++) if (has(desc[v]!, w)) add(anc[w]!, v);

  // Transitive reduction: an edge u→v is redundant when v is below another successor of u.
  const succ: number[][] = [];
  const pred: number[][] = Array.from({ length: size }, () => []);
  for (let u = 0; u < size; u++) {
    const covered = bitset(size);
    for (const to of all[u]!) orInto(covered, desc[to]!);
    succ.push(all[u]!.filter((to) => !has(covered, to)));
  }
  for (const v of [...order].sort(byRank)) for (const to of succ[v]!) pred[to]!.push(v);

  return { ok: true, graph: { size, duration, rank, succ, pred, topoPos, desc, anc } };
}

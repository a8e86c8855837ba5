/**
 * @module compiler/sp-split
 * The recursive core of the series-parallel decomposition, on one graph (tasks, or task groups
 * contracted to one node). On a set of nodes that is convex (it holds every node between two of
 * its nodes):
 *   1. weakly connected components → a parallel of them (exact);
 *   2. free cuts, where every node before the cut reaches every node after it → a series of the
 *      pieces (exact; a connected series-parallel set always has one);
 *   3. otherwise one cut that adds waiting (`chooseCut`), then both halves recursively.
 * Every piece is convex again, so the recursion holds. Splitting a set of m nodes costs
 * O(m log m + m · degree · n/32); there are fewer than 2n sets, far fewer deep ones in practice
 * (500 tasks: ~10–20 ms, BENCHMARKS.md).
 */
import { andInto, bitsetOf, isSubset, remove, type Bitset } from './sp-bitset.ts';
import { chooseCut } from './sp-cut.ts';
import type { SpGraph } from './sp-graph.ts';
import { parallel, series, type SpNode } from './sp-tree.ts';

/** The tree of the whole graph; `leaf` gives each node's own block. `lowerWeight`: see `chooseCut`. */
export function decomposeGraph(
  g: SpGraph,
  leaf: (node: number) => SpNode,
  lowerWeight = 1,
): SpNode {
  const n = g.size;
  const byRank = (a: number, b: number): number => g.rank[a]! - g.rank[b]!;
  // Scratch, valid for the set being split (recursion only starts once a split is decided).
  const est = new Float64Array(n);
  const eft = new Float64Array(n);
  const tail = new Float64Array(n);
  const depth = new Int32Array(n);
  const height = new Int32Array(n);
  const mark = new Int32Array(n);
  let stamp = 0;

  /** Weakly connected components, each sorted by rank, in the order of their first node. */
  const components = (set: readonly number[]): number[][] => {
    const inSet = ++stamp;
    for (const v of set) mark[v] = inSet;
    const done = ++stamp;
    const parts: number[][] = [];
    for (const start of set) {
      if (mark[start] === done) continue;
      const part = [start];
      mark[start] = done;
      for (let i = 0; i < part.length; i++) {
        const v = part[i]!;
        for (const w of [...g.succ[v]!, ...g.pred[v]!]) {
          if (mark[w] !== inSet) continue;
          mark[w] = done;
          part.push(w);
        }
      }
      parts.push(part.sort(byRank));
    }
    return parts;
  };

  /** Fills est/eft/depth forward and tail/height backward for the set; returns its critical path. */
  const schedule = (set: readonly number[]): number => {
    const inSet = ++stamp;
    for (const v of set) mark[v] = inSet;
    const topo = [...set].sort((a, b) => g.topoPos[a]! - g.topoPos[b]!);
    let cp = 0;
    for (const v of topo) {
      let start = 0;
      let d = 0;
      for (const p of g.pred[v]!) {
        if (mark[p] !== inSet) continue;
        start = Math.max(start, eft[p]!);
        d = Math.max(d, depth[p]! + 1);
      }
      est[v] = start;
      eft[v] = start + g.duration[v]!;
      depth[v] = d;
      cp = Math.max(cp, eft[v]!);
    }
    for (let i = topo.length - 1; i >= 0; i--) {
      const v = topo[i]!;
      let after = 0;
      let h = 0;
      for (const s of g.succ[v]!) {
        if (mark[s] !== inSet) continue;
        after = Math.max(after, tail[s]!);
        h = Math.max(h, height[s]! + 1);
      }
      tail[v] = g.duration[v]! + after;
      height[v] = h;
    }
    return cp;
  };

  /**
   * Cuts of the linear extension `order` where every node before reaches every node after.
   * Such a cut is a prefix of every linear extension, so one order finds them all.
   */
  const freeCuts = (order: readonly number[], members: Bitset): number[] => {
    const after = members.slice();
    const reachedByAll = members.slice();
    const cuts: number[] = [];
    for (let k = 0; k < order.length - 1; k++) {
      const v = order[k]!;
      remove(after, v);
      andInto(reachedByAll, g.desc[v]!);
      if (isSubset(after, reachedByAll)) cuts.push(k + 1);
    }
    return cuts;
  };

  /** A connected set of ≥ 2 nodes → its series items, in order. */
  const seriesSplit = (set: readonly number[]): number[][] => {
    const cp = schedule(set);
    // A linear extension: est and depth both grow strictly along every edge.
    const asap = [...set].sort(
      (a, b) => est[a]! - est[b]! || depth[a]! - depth[b]! || byRank(a, b),
    );
    const cuts = freeCuts(asap, bitsetOf(n, set));
    if (cuts.length === 0) return chooseCut(g, asap, { eft, tail, depth, height, cp }, lowerWeight);
    return [0, ...cuts].map((from, i) => asap.slice(from, cuts[i] ?? asap.length).sort(byRank));
  };

  const solve = (set: readonly number[]): SpNode => {
    if (set.length === 1) return leaf(set[0]!);
    const parts = components(set);
    if (parts.length > 1) return parallel(parts.map(solve));
    return series(seriesSplit(set).map(solve));
  };

  return solve(Array.from({ length: n }, (_, v) => v).sort(byRank));
}

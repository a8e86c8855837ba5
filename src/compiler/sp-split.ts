/**
 * @module compiler/sp-split
 * The recursive core of the series-parallel decomposition, on one graph (tasks, or task groups
 * contracted to one node). On a set of nodes that is convex (it holds every node between two of
 * its nodes):
 *   1. weakly connected components → a parallel of them (exact);
 *   2. free cuts, where every node before the cut reaches every node after it → a series of the
 *      pieces (exact; a connected series-parallel set always has one);
 *   3. otherwise one cut that adds waiting, chosen to keep the estimated makespan lowest.
 * Every piece is convex again, so the recursion holds.
 */
import { andInto, bitset, bitsetOf, countMinus, intersects, isSubset, remove, type Bitset } from './sp-bitset.ts';
import type { SpGraph } from './sp-graph.ts';
import { parallel, series, type SpNode } from './sp-tree.ts';

/** Tied cuts (same estimated makespan) scored by their added pairs; beyond this many, the earliest win. */
const MAX_TIED_CUTS = 64;

export function decomposeGraph(g: SpGraph, leaf: (node: number) => SpNode): SpNode {
  const n = g.size;
  const byRank = (a: number, b: number): number => g.rank[a]! - g.rank[b]!;
  const est = new Float64Array(n); // earliest start within the current set
  const eft = new Float64Array(n); // earliest finish
  const tail = new Float64Array(n); // longest path from the node's start to the set's end
  const level = new Int32Array(n); // longest path in edges from the set's sources
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
        for (const w of g.succ[v]!) if (mark[w] === inSet) (mark[w] = done), part.push(w);
        for (const w of g.pred[v]!) if (mark[w] === inSet) (mark[w] = done), part.push(w);
      }
      parts.push(part.sort(byRank));
    }
    return parts;
  };

  /** Fills est/eft/level/tail for a connected set; returns its critical path. */
  const schedule = (set: readonly number[]): number => {
    const inSet = ++stamp;
    for (const v of set) mark[v] = inSet;
    const topo = [...set].sort((a, b) => g.topoPos[a]! - g.topoPos[b]!);
    let cp = 0;
    for (const v of topo) {
      let start = 0;
      let lv = 0;
      for (const p of g.pred[v]!) {
        if (mark[p] !== inSet) continue;
        start = Math.max(start, eft[p]!);
        lv = Math.max(lv, level[p]! + 1);
      }
      est[v] = start;
      eft[v] = start + g.duration[v]!;
      level[v] = lv;
      cp = Math.max(cp, eft[v]!);
    }
    for (let i = topo.length - 1; i >= 0; i--) {
      const v = topo[i]!;
      let after = 0;
      for (const s of g.succ[v]!) if (mark[s] === inSet) after = Math.max(after, tail[s]!);
      tail[v] = g.duration[v]! + after;
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

  /** Pairs (last node of `before`, first node of `after`) that the graph does not order yet. */
  const addedPairs = (before: readonly number[], after: readonly number[]): number => {
    const b = bitsetOf(n, before);
    const a = bitsetOf(n, after);
    const firsts = bitset(n);
    for (const v of after) if (!intersects(g.anc[v]!, a)) firsts[v >>> 5]! |= 1 << (v & 31);
    let count = 0;
    for (const v of before) if (!intersects(g.desc[v]!, b)) count += countMinus(firsts, g.desc[v]!);
    return count;
  };

  /**
   * No free cut: try the prefixes of two linear extensions (by earliest start, and by latest
   * start that keeps the set's critical path) and keep the one whose critical path, once all of
   * the prefix must finish before the rest starts, is shortest: CP(prefix) + CP(rest), since a
   * prefix's earliest finishes and a suffix's tails do not change when the set is cut. Ties: fewer
   * added pairs, then the earlier cut.
   */
  const bestCut = (asap: readonly number[], cp: number): [number[], number[]] => {
    const alap = [...asap].sort((a, b) => cp - tail[a]! - (cp - tail[b]!) || level[a]! - level[b]! || byRank(a, b));
    const m = asap.length;
    const candidates: { order: readonly number[]; k: number; estimate: number }[] = [];
    for (const order of [asap, alap]) {
      const suffix = new Float64Array(m + 1);
      for (let k = m - 1; k >= 1; k--) suffix[k] = Math.max(suffix[k + 1]!, tail[order[k]!]!);
      let prefix = 0;
      for (let k = 1; k < m; k++) {
        prefix = Math.max(prefix, eft[order[k - 1]!]!);
        candidates.push({ order, k, estimate: prefix + suffix[k]! });
      }
    }
    const best = Math.min(...candidates.map((c) => c.estimate));
    const tied = candidates
      .filter((c) => c.estimate <= best + cp * 1e-9)
      .sort((a, b) => a.k - b.k)
      .slice(0, MAX_TIED_CUTS);
    let chosen = tied[0]!;
    let fewest = Infinity;
    for (const c of tied) {
      const pairs = tied.length === 1 ? 0 : addedPairs(c.order.slice(0, c.k), c.order.slice(c.k));
      if (pairs < fewest) (fewest = pairs), (chosen = c);
    }
    return [chosen.order.slice(0, chosen.k).sort(byRank), chosen.order.slice(chosen.k).sort(byRank)];
  };

  /** A connected set of ≥ 2 nodes → its series items, in order. */
  const seriesSplit = (set: readonly number[]): number[][] => {
    const cp = schedule(set);
    const asap = [...set].sort((a, b) => est[a]! - est[b]! || level[a]! - level[b]! || byRank(a, b));
    const cuts = freeCuts(asap, bitsetOf(n, set));
    if (cuts.length === 0) return bestCut(asap, cp);
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

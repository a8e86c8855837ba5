/**
 * The incremental estimates behind the choice of cut (`src/compiler/sp-cut.ts`), checked
 * against plain recomputation for every prefix of random DAGs.
 */
import { describe, expect, it } from 'vitest';
import { has } from '../../src/compiler/sp-bitset.ts';
import { levelCosts, waitsPerCut } from '../../src/compiler/sp-cut.ts';
import { buildGraph, type SpGraph } from '../../src/compiler/sp-graph.ts';
import { seededRandom } from '../../src/util/seeded-random.ts';

function randomGraph(seed: number): SpGraph {
  const random = seededRandom(seed);
  const n = 2 + Math.floor(random() * 40);
  const edges: [number, number][] = [];
  for (let j = 1; j < n; j++)
    for (let i = 0; i < j; i++) if (random() < 2.5 / n) edges.push([i, j]);
  const built = buildGraph(
    Array.from({ length: n }, () => 1 + Math.floor(random() * 9)),
    Array.from({ length: n }, (_, i) => i),
    edges,
  );
  if (!built.ok) throw new Error('cycle');
  return built.graph;
}

const order = (g: SpGraph): number[] =>
  Array.from({ length: g.size }, (_, v) => v).sort((a, b) => g.topoPos[a]! - g.topoPos[b]!);
const localOf = (g: SpGraph, nodes: readonly number[]): Int32Array => {
  const local = new Int32Array(g.size).fill(-1);
  nodes.forEach((v, i) => (local[v] = i));
  return local;
};

describe('waitsPerCut', () => {
  it('counts the unordered pairs (last of the prefix, first of the rest) for every prefix', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const g = randomGraph(seed);
      const o = order(g);
      const got = waitsPerCut(g, o, localOf(g, o));
      for (let k = 1; k < o.length; k++) {
        const before = o.slice(0, k);
        const after = o.slice(k);
        const lasts = before.filter((a) => !before.some((b) => has(g.desc[a]!, b)));
        const firsts = after.filter((b) => !after.some((a) => has(g.desc[a]!, b)));
        const expected = lasts.reduce(
          (n, a) => n + firsts.filter((b) => !has(g.desc[a]!, b)).length,
          0,
        );
        expect(got[k], `seed ${seed}, k ${k}`).toBe(expected);
      }
    }
  });
});

describe('levelCosts', () => {
  it('is the component-by-component, level-by-level makespan of every prefix', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const g = randomGraph(100 + seed);
      const o = order(g);
      const depth = new Int32Array(g.size);
      for (const v of o) depth[v] = Math.max(-1, ...g.pred[v]!.map((p) => depth[p]!)) + 1;
      const got = levelCosts(g, o, depth, g.pred, localOf(g, o));
      for (let k = 1; k <= o.length; k++) {
        const prefix = new Set(o.slice(0, k));
        const component = new Map<number, number>();
        const label = (v: number, c: number): void => {
          if (component.has(v) || !prefix.has(v)) return;
          component.set(v, c);
          for (const w of [...g.succ[v]!, ...g.pred[v]!]) label(w, c);
        };
        for (const v of prefix) label(v, v);
        const perLevel = new Map<string, number>();
        for (const v of prefix) {
          const key = `${component.get(v)}:${depth[v]}`;
          perLevel.set(key, Math.max(perLevel.get(key) ?? 0, g.duration[v]!));
        }
        const perComponent = new Map<string, number>();
        for (const [key, d] of perLevel) {
          const c = key.split(':')[0]!;
          perComponent.set(c, (perComponent.get(c) ?? 0) + d);
        }
        expect(got[k - 1], `seed ${seed}, k ${k}`).toBe(Math.max(...perComponent.values()));
      }
    }
  });
});

/**
 * Properties of the series-parallel decomposition over seeded random DAGs:
 * - exactness: a DAG built by series/parallel composition decomposes with no added wait and
 *   makespan = critical path (the same float, durations not integers);
 * - soundness on arbitrary DAGs: every task once, every edge respected by the tree's order,
 *   makespan ≥ critical path, and the added waits are exactly what the tree orders beyond the DAG
 *   (nothing missing, nothing implied by the rest).
 * The tree's order and makespan are recomputed here independently of the implementation.
 */
import { describe, expect, it } from 'vitest';
import { decompose, type SpInput, type SpNode } from '../../src/compiler/sp-decompose.ts';
import { seededRandom } from '../../src/util/seeded-random.ts';

function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Random series/parallel composition of `size` tasks, plus some transitive edges; tasks and edges shuffled. */
function randomSp(size: number, random: () => number): SpInput {
  let next = 0;
  const edges: { from: string; to: string }[] = [];
  const build = (n: number): { tasks: string[]; sources: string[]; sinks: string[] } => {
    if (n === 1) {
      const id = `t${next++}`;
      return { tasks: [id], sources: [id], sinks: [id] };
    }
    const k = 1 + Math.floor(random() * (n - 1));
    const a = build(k);
    const b = build(n - k);
    const tasks = [...a.tasks, ...b.tasks];
    if (random() < 0.5)
      return { tasks, sources: [...a.sources, ...b.sources], sinks: [...a.sinks, ...b.sinks] };
    for (const from of a.sinks) for (const to of b.sources) edges.push({ from, to });
    if (random() < 0.3)
      edges.push({
        from: a.tasks[Math.floor(random() * a.tasks.length)]!,
        to: b.tasks[Math.floor(random() * b.tasks.length)]!,
      });
    return { tasks, sources: a.sources, sinks: b.sinks };
  };
  const { tasks } = build(size);
  // Durations with fractions, so that exactness is checked on floats that do not add up exactly.
  return {
    tasks: shuffle(tasks, random).map((id) => ({
      id,
      duration: 0.1 + Math.round(random() * 1000) / 37,
    })),
    edges: shuffle(edges, random),
  };
}

/** Each pair (i, j) of a random order gets an edge with probability p. */
function randomDag(size: number, p: number, random: () => number): SpInput {
  const order = shuffle(
    Array.from({ length: size }, (_, i) => `t${i}`),
    random,
  );
  const edges: { from: string; to: string }[] = [];
  for (let j = 0; j < size; j++)
    for (let i = 0; i < j; i++) if (random() < p) edges.push({ from: order[i]!, to: order[j]! });
  return {
    tasks: Array.from({ length: size }, (_, i) => ({
      id: `t${i}`,
      duration: 1 + Math.floor(random() * 10),
    })),
    edges,
  };
}

/** Independent checks of the tree: positions of each task, its order, its makespan. */
function analyse(tree: SpNode) {
  const paths = new Map<string, { node: SpNode; index: number }[]>();
  const walk = (node: SpNode, path: { node: SpNode; index: number }[]): void => {
    const fail = (why: string): never => {
      throw new Error(`malformed tree: ${why}`);
    };
    if (node.kind === 'task') {
      if (paths.has(node.id)) fail(`task ${node.id} appears twice`);
      paths.set(node.id, path);
    } else if (node.kind === 'series') {
      if (node.items.length < 2) fail('a series of fewer than 2 items');
      node.items.forEach((item, index) => {
        if (item.kind === 'series') fail('a series directly in a series');
        walk(item, [...path, { node, index }]);
      });
    } else if (node.kind === 'parallel') {
      if (node.branches.length < 2) fail('a parallel of fewer than 2 branches');
      node.branches.forEach((branch, index) => {
        if (branch.kind === 'parallel') fail('a parallel directly in a parallel');
        walk(branch, [...path, { node, index }]);
      });
    } else walk(node.body, [...path, { node, index: 0 }]);
  };
  walk(tree, []);
  /** In the tree, a finishes before b starts: their lowest common block is a series with a's item first. */
  const before = (a: string, b: string): boolean => {
    const pa = paths.get(a)!;
    const pb = paths.get(b)!;
    let i = 0;
    while (
      i < pa.length &&
      i < pb.length &&
      pa[i]!.node === pb[i]!.node &&
      pa[i]!.index === pb[i]!.index
    )
      i++;
    const fork = pa[i];
    return (
      fork !== undefined &&
      pb[i] !== undefined &&
      fork.node.kind === 'series' &&
      fork.index < pb[i]!.index
    );
  };
  const makespan = (node: SpNode, d: (id: string) => number): number =>
    node.kind === 'task'
      ? d(node.id)
      : node.kind === 'series'
        ? node.items.reduce((s, item) => s + makespan(item, d), 0)
        : node.kind === 'parallel'
          ? Math.max(...node.branches.map((b) => makespan(b, d)))
          : makespan(node.body, d);
  return { tasks: [...paths.keys()], before, makespan };
}

/** Transitive closure as a set of "a>b". */
function closure(
  ids: readonly string[],
  pairs: readonly { from: string; to: string }[],
): Set<string> {
  const succ = new Map(ids.map((id) => [id, [] as string[]]));
  for (const p of pairs) succ.get(p.from)!.push(p.to);
  const out = new Set<string>();
  for (const start of ids) {
    const stack = [...succ.get(start)!];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (out.has(`${start}>${v}`)) continue;
      out.add(`${start}>${v}`);
      stack.push(...succ.get(v)!);
    }
  }
  return out;
}

describe('exactness: random series-parallel DAGs', () => {
  it('300 seeds, 2 to 300 tasks: no added wait, makespan === critical path', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const size = seed <= 100 ? 2 + (seed % 20) : 2 + Math.floor(random() * 299);
      const input = randomSp(size, random);
      const result = decompose(input);
      expect(result.addedWaits, `seed ${seed}`).toEqual([]);
      expect(result.makespan, `seed ${seed}`).toBe(result.criticalPath);
      expect(analyse(result.tree).tasks.sort()).toEqual(input.tasks.map((t) => t.id).sort());
    }
  });

  it('the tree orders exactly the pairs the DAG orders', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(1000 + seed);
      const input = randomSp(3 + Math.floor(random() * 25), random);
      const { before } = analyse(decompose(input).tree);
      const ids = input.tasks.map((t) => t.id);
      const dag = closure(ids, input.edges);
      for (const a of ids)
        for (const b of ids)
          expect(before(a, b), `seed ${seed}: ${a} before ${b}`).toBe(dag.has(`${a}>${b}`));
    }
  });
});

describe('soundness: random DAGs', () => {
  it('200 seeds, 1 to 120 tasks: every task once, every edge respected, makespan ≥ critical path', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(5000 + seed);
      const size = 1 + Math.floor(random() * 120);
      const input = randomDag(size, Math.min(0.5, (1 + random() * 3) / size), random);
      const result = decompose(input);
      const tree = analyse(result.tree);
      expect(tree.tasks.sort(), `seed ${seed}`).toEqual(input.tasks.map((t) => t.id).sort());
      for (const e of input.edges)
        expect(tree.before(e.from, e.to), `seed ${seed}: ${e.from}→${e.to}`).toBe(true);
      const duration = new Map(input.tasks.map((t) => [t.id, t.duration!]));
      expect(result.makespan).toBe(tree.makespan(result.tree, (id) => duration.get(id)!));
      expect(result.makespan).toBeGreaterThanOrEqual(result.criticalPath);
    }
  });

  it('added waits: with the DAG they give exactly the tree order, none is implied by the others, none was ordered already', () => {
    let nonExact = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const random = seededRandom(9000 + seed);
      const input = randomDag(4 + Math.floor(random() * 26), 0.15 + random() * 0.2, random);
      const result = decompose(input);
      const { before } = analyse(result.tree);
      const ids = input.tasks.map((t) => t.id);
      const dag = closure(ids, input.edges);
      const waits = result.addedWaits.map((w) => ({ from: w.before, to: w.after }));
      const both = closure(ids, [...input.edges, ...waits]);
      for (const a of ids)
        for (const b of ids)
          expect(before(a, b), `seed ${seed}: ${a} before ${b}`).toBe(both.has(`${a}>${b}`));
      for (const w of waits) {
        expect(dag.has(`${w.from}>${w.to}`), `seed ${seed}: ${w.from}>${w.to} was ordered`).toBe(
          false,
        );
        const others = closure(ids, [...input.edges, ...waits.filter((x) => x !== w)]);
        expect(others.has(`${w.from}>${w.to}`), `seed ${seed}: ${w.from}>${w.to} is implied`).toBe(
          false,
        );
      }
      if (waits.length > 0) nonExact++;
    }
    expect(nonExact).toBeGreaterThan(40); // the corpus does exercise non-series-parallel DAGs
  });

  // How fast: bench/makespan.ts ("random pairs", this shape at 500 and 2000 tasks, timed against a chain).
  it('is deterministic on 500 tasks with ~1000 edges', () => {
    const random = seededRandom(77);
    const input = randomDag(500, 4 / 500, random);
    expect(input.edges.length).toBeGreaterThan(900);
    const first = decompose(input);
    expect(decompose(input)).toEqual(first);
  });
});

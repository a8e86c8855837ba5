/**
 * The no-op DAG shapes the engine benches share: a chain, a fan-out, fully connected layers, one
 * task mapped over a list, and a seeded random series-parallel DAG.
 */
import { dag, task, type Dag } from '../src/sdk/index.ts';
import { randomSeriesParallel } from '../src/util/random-dag.ts';
import { seededRandom } from '../src/util/seeded-random.ts';

const noop = async () => null;
type Node = ReturnType<ReturnType<typeof task>>;

/** t0 → t1 → … → t(n-1). */
export function chain(id: string, n: number): Dag {
  return dag(id, {}, () => {
    let prev = task('t0', noop)();
    for (let i = 1; i < n; i++) prev = prev.then(task(`t${i}`, noop));
  });
}

/** start → (n − 2 tasks in parallel) → end. */
export function fanOut(id: string, n: number): Dag {
  return dag(id, {}, () => {
    const start = task('start', noop)();
    const end = task('end', noop)();
    for (let i = 0; i < n - 2; i++) start.then(task(`w${i}`, noop)).then(end);
  });
}

/** Layers of 10 tasks, every task of a layer after every task of the one before (10·10 edges per step). */
export function layers(id: string, n: number): Dag {
  return dag(id, {}, () => {
    let prev: Node[] = [];
    for (let l = 0; l < n / 10; l++) {
      const layer = Array.from({ length: 10 }, (_, i) => task(`l${l}_${i}`, noop)());
      for (const p of prev) for (const c of layer) p.then(c);
      prev = layer;
    }
  });
}

/** list (returns `items` numbers) → process mapped over them → summarize. */
export function mapped(id: string, items: number): Dag {
  return dag(id, {}, () => {
    const list = task('list', async () => Array.from({ length: items }, (_, i) => i));
    const processItem = task('process', async (_ctx, _item: number) => null);
    const summarize = task('summarize', async (_ctx, results: unknown[]) => results.length);
    summarize(processItem.map(list()));
  });
}

/** A seeded random series-parallel DAG of `n` no-op tasks. */
export function randomSp(id: string, n: number, seed: number): Dag {
  const shape = randomSeriesParallel(n, seededRandom(seed));
  return dag(id, {}, () => {
    const nodes = new Map<string, Node>(shape.ids.map((t) => [t, task(t, noop)()]));
    for (const e of shape.edges) nodes.get(e.from)!.then(nodes.get(e.to)!);
  });
}

/** Seeded random layers of about √n tasks, each task after 1–3 random tasks of the layer before. */
export function randomLayered(id: string, n: number, seed: number): Dag {
  const random = seededRandom(seed);
  return dag(id, {}, () => {
    const nodes: Node[] = [];
    const width = Math.max(2, Math.round(Math.sqrt(n)));
    for (let i = 0; i < n; i++) {
      const t = task(`t${i}`, noop)();
      const layer = Math.floor(i / width);
      if (layer > 0) {
        const prev = nodes.slice((layer - 1) * width, layer * width);
        const fanIn = 1 + Math.floor(random() * Math.min(3, prev.length));
        for (let k = 0; k < fanIn; k++) prev[Math.floor(random() * prev.length)]!.then(t);
      }
      nodes.push(t);
    }
  });
}

/** A seeded random series-parallel DAG with `extra` random forward edges added (no longer series-parallel). */
export function randomSpPlus(id: string, n: number, seed: number, extra: number): Dag {
  const random = seededRandom(seed);
  const shape = randomSeriesParallel(n, random);
  return dag(id, {}, () => {
    const nodes = new Map<string, Node>(shape.ids.map((t) => [t, task(t, noop)()]));
    for (const e of shape.edges) nodes.get(e.from)!.then(nodes.get(e.to)!);
    // ids are in a topological order: an edge from an earlier to a later id makes no cycle.
    for (let k = 0; k < extra; k++) {
      const a = Math.floor(random() * (shape.ids.length - 1));
      const b = a + 1 + Math.floor(random() * (shape.ids.length - a - 1));
      nodes.get(shape.ids[a]!)!.then(nodes.get(shape.ids[b]!)!);
    }
  });
}

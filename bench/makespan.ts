/**
 * Fork/join quality: how much longer a DAG takes once turned into a series-parallel tree (the only
 * shape Step Functions `Parallel` states can express) than its ideal critical path, over a seeded
 * corpus of random DAGs and the non-fork-join example (`warehouse_refresh`). Prints a Markdown
 * table for BENCHMARKS.md.
 *
 *   npx tsx bench/makespan.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompose, type SpInput } from '../src/compiler/sp-decompose.ts';
import { loadProject } from '../src/loader/load-project.ts';
import { randomSeriesParallel } from '../src/util/random-dag.ts';
import { seededRandom } from '../src/util/seeded-random.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [10, 50, 100, 250, 500];
const PER_SIZE = 20;
const RUNS = 5; // timing: median over DAGs of the median of this many runs

type Edge = { from: string; to: string };

/**
 * Layers of random width (1 to 2·√n); each task after the first layer has 1–3 upstream tasks,
 * each from the previous layer with probability 0.7, else from any earlier layer.
 */
function layeredDag(size: number, random: () => number): SpInput {
  const layers: string[][] = [];
  const maxWidth = Math.max(2, Math.round(2 * Math.sqrt(size)));
  let made = 0;
  while (made < size) {
    const width = Math.min(size - made, 1 + Math.floor(random() * maxWidth));
    layers.push(Array.from({ length: width }, (_, i) => `t${made + i}`));
    made += width;
  }
  const edges: Edge[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  layers.forEach((layer, l) => {
    if (l === 0) return;
    for (const to of layer) {
      const fanIn = 1 + Math.floor(random() * 3);
      for (let k = 0; k < fanIn; k++) {
        const from =
          random() < 0.7 || l === 1 ? pick(layers[l - 1]!) : pick(pick(layers.slice(0, l - 1)));
        edges.push({ from, to });
      }
    }
  });
  return {
    tasks: layers.flat().map((id) => ({ id, duration: 1 + Math.floor(random() * 10) })),
    edges,
  };
}

/** Random series/parallel composition of exactly `size` tasks (series: every end of A → every start of B). */
function spDag(size: number, random: () => number): SpInput {
  const { ids, edges } = randomSeriesParallel(size, random);
  return {
    tasks: ids.map((id) => ({ id, duration: 1 + Math.floor(random() * 10) })),
    edges: [...edges],
  };
}

/**
 * Near fork-join, like most real pipelines: a random series-parallel DAG plus one extra edge per
 * 20 tasks, between two tasks at most n/5 apart in a topological order.
 */
function nearSpDag(size: number, random: () => number): SpInput {
  const base = spDag(size, random);
  const succ = new Map<string, string[]>(base.tasks.map((t) => [t.id, []]));
  const indegree = new Map<string, number>(base.tasks.map((t) => [t.id, 0]));
  for (const e of base.edges) {
    succ.get(e.from)!.push(e.to);
    indegree.set(e.to, indegree.get(e.to)! + 1);
  }
  const order = base.tasks.map((t) => t.id).filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const w of succ.get(order[i]!)!) {
      indegree.set(w, indegree.get(w)! - 1);
      if (indegree.get(w) === 0) order.push(w);
    }
  }
  const edges = [...base.edges];
  for (let k = 0; k < Math.max(1, Math.round(size / 20)); k++) {
    const i = Math.floor(random() * (size - 1));
    const j =
      i + 1 + Math.floor(random() * Math.min(size - i - 1, Math.max(2, Math.round(size / 5))));
    edges.push({ from: order[i]!, to: order[j]! });
  }
  return { tasks: base.tasks, edges };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Makespan of the naive tree: all tasks of one depth level in parallel, levels in series. */
function levelByLevel(input: SpInput): number {
  const depth = new Map<string, number>();
  const ups = new Map<string, string[]>(input.tasks.map((t) => [t.id, []]));
  for (const e of input.edges) ups.get(e.to)!.push(e.from);
  const level = (id: string): number => {
    if (!depth.has(id)) depth.set(id, Math.max(-1, ...ups.get(id)!.map(level)) + 1);
    return depth.get(id)!;
  };
  const longest = new Map<number, number>();
  for (const t of input.tasks)
    longest.set(level(t.id), Math.max(longest.get(level(t.id)) ?? 0, t.duration ?? 1));
  return [...longest.values()].reduce((a, b) => a + b, 0);
}

interface Row {
  readonly name: string;
  readonly tasks: string;
  readonly inputs: readonly SpInput[];
}

function measure({ name, tasks, inputs }: Row): string {
  const ratios: number[] = [];
  const naive: number[] = [];
  const waits: number[] = [];
  const times: number[] = [];
  for (const input of inputs) {
    const runs: number[] = [];
    let result = decompose(input);
    for (let r = 0; r < RUNS; r++) {
      const start = performance.now();
      result = decompose(input);
      runs.push(performance.now() - start);
    }
    times.push(median(runs));
    ratios.push(result.makespan / result.criticalPath);
    naive.push(levelByLevel(input) / result.criticalPath);
    waits.push(result.addedWaits.length);
  }
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const exact = ratios.filter((r) => r === 1).length / ratios.length;
  return `| ${name} | ${tasks} | ${inputs.length} | ${mean(ratios).toFixed(3)} | ${Math.max(...ratios).toFixed(3)} | ${(exact * 100).toFixed(0)} % | ${mean(waits).toFixed(1)} | ${median(times).toFixed(2)} ms | ${mean(naive).toFixed(3)} |`;
}

const rows: Row[] = [];
for (const size of SIZES) {
  const random = seededRandom(size * 7919 + 1);
  rows.push({
    name: 'layered random',
    tasks: String(size),
    inputs: Array.from({ length: PER_SIZE }, () => layeredDag(size, random)),
  });
}
for (const size of SIZES) {
  const random = seededRandom(size * 104729 + 3);
  rows.push({
    name: 'random series-parallel',
    tasks: String(size),
    inputs: Array.from({ length: PER_SIZE }, () => spDag(size, random)),
  });
}
for (const size of SIZES) {
  const random = seededRandom(size * 15485863 + 5);
  rows.push({
    name: 'series-parallel + 5 % extra edges',
    tasks: String(size),
    inputs: Array.from({ length: PER_SIZE }, () => nearSpDag(size, random)),
  });
}

const project = await loadProject('dags', { root: repo });
const warehouse = project.dags.find((d) => d.ir.id === 'warehouse_refresh')!.ir;
rows.push({
  name: '`warehouse_refresh` example',
  tasks: String(warehouse.tasks.length),
  inputs: [
    {
      tasks: warehouse.tasks.map((t) => ({ id: t.id, duration: t.expectedDurationSeconds ?? 60 })),
      edges: warehouse.edges.map((e) => ({ from: e.from, to: e.to })),
    },
  ],
});

console.log(
  '| DAGs | tasks | count | mean ratio | worst ratio | ratio = 1 | mean added waits | decompose (median) | level-by-level mean ratio |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(measure(row));

// Time on shapes that stress the recursion (many sets without a free cut), past the 500 tasks the
// compiler is sized for.
const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i}`, duration: 1 + ((i * 7919) % 10) }));
const t = (i: number) => `t${i}`;
const stress: { name: string; build: (n: number) => SpInput }[] = [
  {
    name: 'ladder of N shapes (aᵢ→aᵢ₊₁, bᵢ→bᵢ₊₁, aᵢ→bᵢ₊₁)',
    build: (n) => ({
      tasks: ids(n),
      edges: Array.from({ length: Math.floor(n / 2) - 1 }, (_, k) => [
        { from: t(2 * k), to: t(2 * k + 2) },
        { from: t(2 * k + 1), to: t(2 * k + 3) },
        { from: t(2 * k), to: t(2 * k + 3) },
      ]).flat(),
    }),
  },
  {
    name: 'dense: each task → each of the next 40 with p = 0.25',
    build: (n) => {
      const random = seededRandom(n);
      const edges: Edge[] = [];
      for (let j = 1; j < n; j++)
        for (let i = Math.max(0, j - 40); i < j; i++)
          if (random() < 0.25) edges.push({ from: t(i), to: t(j) });
      return { tasks: ids(n), edges };
    },
  },
  {
    name: 'random upstream among all earlier tasks (1–3 each)',
    build: (n) => {
      const random = seededRandom(n + 1);
      const edges: Edge[] = [];
      for (let j = 1; j < n; j++)
        for (let k = 0, fanIn = 1 + Math.floor(random() * 3); k < fanIn; k++)
          edges.push({ from: t(Math.floor(random() * j)), to: t(j) });
      return { tasks: ids(n), edges };
    },
  },
  {
    // The input of test/compiler/sp-properties' 500-task test (which no longer times it: timed assertions fail under load).
    name: 'random pairs (i < j) with p = 4/N',
    build: (n) => {
      const random = seededRandom(77);
      const edges: Edge[] = [];
      for (let j = 0; j < n; j++)
        for (let i = 0; i < j; i++) if (random() < 4 / n) edges.push({ from: t(i), to: t(j) });
      return { tasks: ids(n), edges };
    },
  },
];

/** Median of 5 timed runs after one warm-up, and the last result. */
function timeDecompose(input: SpInput): { ms: number; result: ReturnType<typeof decompose> } {
  const runs: number[] = [];
  let result = decompose(input);
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    result = decompose(input);
    runs.push(performance.now() - start);
  }
  return { ms: median(runs), result };
}

// "× chain": the time against a chain of as many tasks, measured in the same run, so the column compares across machines.
console.log(
  '\n| shape | tasks | edges | decompose (median of 5) | × chain | ratio |\n|---|---|---|---|---|---|',
);
for (const n of [500, 2000]) {
  const chain = timeDecompose({
    tasks: ids(n),
    edges: Array.from({ length: n - 1 }, (_, i) => ({ from: t(i), to: t(i + 1) })),
  });
  for (const { name, build } of stress) {
    const input = build(n);
    const { ms, result } = timeDecompose(input);
    const ratio = (result.makespan / result.criticalPath).toFixed(3);
    console.log(
      `| ${name} | ${n} | ${input.edges.length} | ${ms.toFixed(1)} ms | ${(ms / chain.ms).toFixed(1)} | ${ratio} |`,
    );
  }
}

/**
 * The best makespan any series-parallel tree can reach, by exhaustive search: a connected set's
 * tree is a series whose first item is a downward-closed subset, so try every one (memoized over
 * subsets as bitmasks; ≤ 3^n steps, fine up to ~14 tasks).
 */
function optimum(input: SpInput): number {
  const n = input.tasks.length;
  const index = new Map(input.tasks.map((task, i) => [task.id, i]));
  const preds = new Array<number>(n).fill(0);
  const links = new Array<number>(n).fill(0);
  for (const e of input.edges) {
    const a = index.get(e.from)!;
    const b = index.get(e.to)!;
    preds[b]! |= 1 << a;
    links[a]! |= 1 << b;
    links[b]! |= 1 << a;
  }
  const memo = new Map<number, number>();
  const best = (set: number): number => {
    const known = memo.get(set);
    if (known !== undefined) return known;
    let result: number;
    if ((set & (set - 1)) === 0) result = input.tasks[31 - Math.clz32(set)]!.duration ?? 1;
    else {
      let part = set & -set;
      for (let grown = part; grown !== 0; ) {
        let next = 0;
        for (let v = 0; v < n; v++) if (grown & (1 << v)) next |= links[v]! & set;
        grown = next & ~part;
        part |= next;
      }
      if (part !== set) result = Math.max(best(part), best(set & ~part));
      else {
        result = Infinity;
        for (let first = (set - 1) & set; first > 0; first = (first - 1) & set) {
          let closed = true;
          for (let v = 0; v < n && closed; v++)
            if (first & (1 << v) && preds[v]! & set & ~first) closed = false;
          if (closed) result = Math.min(result, best(first) + best(set & ~first));
        }
      }
    }
    memo.set(set, result);
    return result;
  };
  return best((1 << n) - 1);
}

console.log(
  '\n| layered random DAGs | count | mean ratio, optimum | mean ratio, ours | ours = optimum | worst ours / optimum |\n|---|---|---|---|---|---|',
);
for (const size of [8, 10, 12]) {
  const random = seededRandom(size * 31 + 5);
  const inputs = Array.from({ length: 40 }, () => layeredDag(size, random));
  let best = 0;
  let ours = 0;
  let same = 0;
  let worst = 1;
  for (const input of inputs) {
    const result = decompose(input);
    const opt = optimum(input);
    best += opt / result.criticalPath;
    ours += result.makespan / result.criticalPath;
    if (result.makespan === opt) same++;
    worst = Math.max(worst, result.makespan / opt);
  }
  console.log(
    `| ${size} tasks | ${inputs.length} | ${(best / inputs.length).toFixed(3)} | ${(ours / inputs.length).toFixed(3)} | ${((same / inputs.length) * 100).toFixed(0)} % | ${worst.toFixed(3)} |`,
  );
}

/**
 * @module util/random-dag
 * Random series-parallel DAGs for benchmarks: a random split of `size` tasks, each part composed
 * in parallel (side by side) or in series (every end of the first → every start of the second).
 * With a seeded `random`, the same seed gives the same DAG.
 */
export interface RandomDag {
  readonly ids: readonly string[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

export function randomSeriesParallel(size: number, random: () => number): RandomDag {
  let next = 0;
  const edges: { from: string; to: string }[] = [];
  const build = (n: number): { sources: string[]; sinks: string[] } => {
    if (n === 1) {
      const id = `t${next++}`;
      return { sources: [id], sinks: [id] };
    }
    const k = 1 + Math.floor(random() * (n - 1));
    const a = build(k);
    const b = build(n - k);
    if (random() < 0.5)
      return { sources: [...a.sources, ...b.sources], sinks: [...a.sinks, ...b.sinks] };
    for (const from of a.sinks) for (const to of b.sources) edges.push({ from, to });
    return { sources: a.sources, sinks: b.sinks };
  };
  build(size);
  return { ids: Array.from({ length: size }, (_, i) => `t${i}`), edges };
}

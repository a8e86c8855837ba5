/**
 * @module util/seeded-random
 * A small seeded PRNG (mulberry32) for benchmarks and property tests: the same seed gives the
 * same sequence, so every run measures and checks the same generated DAGs.
 */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

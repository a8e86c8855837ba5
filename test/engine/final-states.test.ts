/**
 * Every task of a finished run has a final state, whatever the shape and whichever tasks fail:
 * seeded random DAGs (not only series-parallel ones), one or two tasks throwing, tasks of mixed
 * durations, run on the engine. A task missing from the run's states was the symptom of reading
 * the final document from a Parallel branch's stale input; the case of issue 10 is the first.
 */
import { describe, expect, it } from 'vitest';
import { dag, PermanentError, task, type Dag } from '../../src/sdk/index.ts';
import { runDag } from '../../src/testing/index.ts';
import { seededRandom } from '../../src/util/seeded-random.ts';

function build(
  id: string,
  n: number,
  edges: readonly (readonly [number, number])[],
  failing: ReadonlySet<number>,
): Dag {
  return dag(id, {}, () => {
    const nodes = Array.from({ length: n }, (_, i) =>
      task(`t${i}`, async () => {
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        if (failing.has(i)) throw new PermanentError(`t${i} broke`);
        return i;
      })(),
    );
    for (const [a, b] of edges) nodes[a]!.then(nodes[b]!);
  });
}

const cases: { name: string; n: number; edges: [number, number][]; failing: Set<number> }[] = [
  {
    name: 'issue 10: t0..t10, only t2 throws',
    n: 11,
    edges: [
      [0, 2],
      [2, 4],
      [2, 5],
      [2, 6],
      [4, 8],
      [5, 8],
      [0, 9],
      [5, 9],
      [6, 10],
      [9, 10],
    ],
    failing: new Set([2]),
  },
];
const random = seededRandom(1010);
for (let k = 0; k < 24; k++) {
  const n = 6 + Math.floor(random() * 9);
  const edges: [number, number][] = [];
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) if (random() < 0.25) edges.push([a, b]);
  const failing = new Set([
    Math.floor(random() * n),
    ...(random() < 0.5 ? [Math.floor(random() * n)] : []),
  ]);
  cases.push({
    name: `seed 1010 #${k}: ${n} tasks, ${edges.length} edges, failing ${[...failing].join(' ')}`,
    n,
    edges,
    failing,
  });
}

describe('final task states', () => {
  it.each(cases)('$name', async ({ n, edges, failing }) => {
    const r = await runDag(build('shapes', n, edges, failing));
    expect(Object.keys(r.states).sort()).toEqual(
      Array.from({ length: n }, (_, i) => `t${i}`).sort(),
    );
    // A throwing task fails, unless a failure upstream kept it from running.
    for (const i of failing) expect(['failed', 'upstream_failed']).toContain(r.states[`t${i}`]);
    expect(Object.values(r.states)).toContain('failed');
    expect(r.run.status).toBe('failed');
    // Downstream of a failure, with all_success everywhere: nothing that depends on a failed task succeeded.
    for (const [a, b] of edges)
      if (r.states[`t${a}`] !== 'success') expect(r.states[`t${b}`]).toBe('upstream_failed');
  });
});

/**
 * The UI's graph layout (cli/ui-graph): a task's column is its longest path from a root, so every
 * edge goes right; rows within a column follow the upstream rows; 1,000 tasks lay out at once.
 */
import { describe, expect, it } from 'vitest';
import { uiGraph } from '../../src/cli/ui-graph.ts';
import { compileDag } from '../../src/compiler/index.ts';
import { describeTree } from '../../src/cli/commands/explain.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { chain, dag, group, task } from '../../src/sdk/index.ts';

const noop = async () => 1;

describe('the UI graph layout', () => {
  it('places a fork/join with a group by longest path; every edge goes right', () => {
    const d = dag('shape', {}, () => {
      const a = task('a', noop)();
      const b = task('b', noop)();
      const c = task('c', noop)();
      const z = task('z', noop)();
      const inner = group('g', () => task('inner', noop)());
      chain(a, [b, inner.output], c);
      a.then(z);
      z.then(c);
    });
    const g = uiGraph(buildDagIR(d, 'x.ts').ir);
    const at = Object.fromEntries(g.nodes.map((n) => [n.id, [n.column, n.row]]));
    // Column 1's tasks all hang from a: declaration order breaks the tie.
    expect(at).toEqual({ a: [0, 0], b: [1, 0], c: [2, 0], z: [1, 1], 'g.inner': [1, 2] });
    expect(g.nodes.find((n) => n.id === 'g.inner')).toMatchObject({
      label: 'inner',
      groups: ['g'],
    });
    for (const e of g.edges) expect(at[e.to]![0]).toBeGreaterThan(at[e.from]![0]!);
    expect([g.columns, g.rows]).toEqual([3, 3]);
    expect(g.criticalPath).toEqual(['a', 'b', 'c']); // three tasks of one each: the first such chain
  });

  it('the critical path follows the declared expected durations', () => {
    const d = dag('weighted', {}, () => {
      const a = task('a', noop)();
      const quick = task('quick', { expectedDuration: '1m' }, noop)();
      const slow = task('slow', { expectedDuration: '1h' }, noop)();
      const z = task('z', noop)();
      a.then(quick);
      a.then(slow);
      quick.then(z);
      slow.then(z);
    });
    expect(uiGraph(buildDagIR(d, 'x.ts').ir).criticalPath).toEqual(['a', 'slow', 'z']);
  });

  it('lays out 1,000 tasks in one pass over the edges', () => {
    const d = dag('wide', {}, () => {
      const tasks = Array.from({ length: 1000 }, (_, i) => task(`t${i}`, noop)());
      for (let i = 1; i < tasks.length; i++) tasks[Math.floor((i - 1) / 3)]!.then(tasks[i]!);
    });
    const g = uiGraph(buildDagIR(d, 'x.ts').ir);
    expect(g.nodes).toHaveLength(1000);
    expect(g.columns).toBe(7); // a ternary tree of 1,000 nodes is 7 levels deep
  });

  it("from the compiler's fork/join structure: a series left to right, a parallel's branches stacked, a group together", () => {
    const d = dag('sp', {}, () => {
      const a = task('a', noop)();
      const b = task('b', noop)();
      const c = task('c', noop)();
      const inner = group('g', () => {
        const x = task('x', noop)();
        const y = task('y', noop)();
        x.then(y);
        return y;
      });
      chain(a, [b, inner.output], c);
    });
    const ir = buildDagIR(d, 'x.ts').ir;
    const { structure } = compileDag(ir);
    const g = uiGraph(ir, structure.addedWaits, structure.tree);
    const at = Object.fromEntries(g.nodes.map((n) => [n.id, [n.column, n.row]]));
    // chain() links a to the group's output (y): x is a root beside a, y waits for both.
    expect(describeTree(structure.tree)).toBe('[ a | g.x ] → [ b | g.y ] → c');
    expect(at).toEqual({ a: [0, 0], b: [1, 0], 'g.x': [0, 1], 'g.y': [1, 1], c: [2, 0] });
    for (const e of g.edges) expect(at[e.to]![0]).toBeGreaterThan(at[e.from]![0]!);
    expect([g.columns, g.rows]).toEqual([3, 2]);
  });
});

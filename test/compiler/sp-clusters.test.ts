/**
 * Task groups in the series-parallel decomposition: a group stays one contiguous block (a
 * `cluster` node holding exactly its tasks), the waiting that costs is reported, and a group that
 * cannot be one block is a clear error naming the group and the tasks in the way.
 */
import { describe, expect, it } from 'vitest';
import {
  decompose,
  formatTree,
  SpGroupCycleError,
  type SpInput,
  type SpNode,
} from '../../src/compiler/sp-decompose.ts';
import { DagDefinitionError, InternalError } from '../../src/errors.ts';

const tasks = (spec: string): SpInput['tasks'] => spec.split(' ').map((id) => ({ id }));
const edges = (spec: string): SpInput['edges'] =>
  spec.split(' ').map((e) => {
    const [from, to] = e.split('>');
    return { from: from!, to: to! };
  });

function clusterNodes(node: SpNode): { id: string; tasks: string[] }[] {
  const tasksIn = (n: SpNode): string[] =>
    n.kind === 'task'
      ? [n.id]
      : n.kind === 'series'
        ? n.items.flatMap(tasksIn)
        : n.kind === 'parallel'
          ? n.branches.flatMap(tasksIn)
          : tasksIn(n.body);
  const children = (n: SpNode): SpNode[] =>
    n.kind === 'task'
      ? []
      : n.kind === 'series'
        ? [...n.items]
        : n.kind === 'parallel'
          ? [...n.branches]
          : [n.body];
  const own = node.kind === 'cluster' ? [{ id: node.id, tasks: tasksIn(node).sort() }] : [];
  return [...own, ...children(node).flatMap(clusterNodes)];
}

describe('decompose: task groups', () => {
  it('a group that is already a block costs nothing (extract → transform[clean → dedupe] → load)', () => {
    const r = decompose({
      tasks: tasks('extract transform.clean transform.dedupe load'),
      edges: edges(
        'extract>transform.clean transform.clean>transform.dedupe transform.dedupe>load',
      ),
      clusters: [{ id: 'transform', members: ['transform.clean', 'transform.dedupe'] }],
    });
    expect(r).toEqual({
      tree: {
        kind: 'series',
        items: [
          { kind: 'task', id: 'extract' },
          {
            kind: 'cluster',
            id: 'transform',
            body: {
              kind: 'series',
              items: [
                { kind: 'task', id: 'transform.clean' },
                { kind: 'task', id: 'transform.dedupe' },
              ],
            },
          },
          { kind: 'task', id: 'load' },
        ],
      },
      addedWaits: [],
      makespan: 4,
      criticalPath: 4,
    });
  });

  it('a task that needs only part of a group now waits for all of it, and that is reported', () => {
    const input = { tasks: tasks('a b x'), edges: edges('a>b a>x') };
    expect(formatTree(decompose(input).tree)).toBe('a > (b | x)');
    const grouped = decompose({ ...input, clusters: [{ id: 'g', members: ['a', 'b'] }] });
    expect(formatTree(grouped.tree)).toBe('g[a > b] > x');
    expect(grouped.addedWaits).toEqual([{ before: 'b', after: 'x' }]);
    expect([grouped.makespan, grouped.criticalPath]).toEqual([3, 2]);
  });

  it('a group does not interleave with tasks outside it, even when that would be faster', () => {
    // Without the group: s > (a | b) > (c | d), makespan 3; with g = {a, c}, d waits for all of g.
    const input = { tasks: tasks('s a b c d'), edges: edges('s>a s>b a>c b>d a>d') };
    const free = decompose(input);
    expect([formatTree(free.tree), free.makespan]).toEqual(['s > (a | b) > (c | d)', 3]);
    const grouped = decompose({ ...input, clusters: [{ id: 'g', members: ['a', 'c'] }] });
    expect(formatTree(grouped.tree)).toBe('s > (g[a > c] | b) > d');
    expect(grouped.addedWaits).toEqual([{ before: 'c', after: 'd' }]);
    expect([grouped.makespan, grouped.criticalPath]).toEqual([4, 3]);
    expect(clusterNodes(grouped.tree)).toEqual([{ id: 'g', tasks: ['a', 'c'] }]);
  });

  it('nested groups: each is one block holding exactly its tasks; its position follows its first task', () => {
    const r = decompose({
      tasks: tasks('a e b c d'),
      edges: edges('a>b a>c c>d b>e d>e'),
      clusters: [
        { id: 'outer', members: ['b'] },
        { id: 'outer.inner', parent: 'outer', members: ['c', 'd'] },
      ],
    });
    expect(formatTree(r.tree)).toBe('a > outer[b | outer.inner[c > d]] > e');
    expect(clusterNodes(r.tree)).toEqual([
      { id: 'outer', tasks: ['b', 'c', 'd'] },
      { id: 'outer.inner', tasks: ['c', 'd'] },
    ]);
    expect(r.addedWaits).toEqual([]);
  });

  it('a parent not in the list (only groups that must stay whole are passed): nesting follows the members', () => {
    const r = decompose({
      tasks: tasks('a.x a.b.c.y a.b.c.z a.w'),
      edges: edges('a.x>a.b.c.y a.b.c.y>a.b.c.z a.x>a.w'),
      clusters: [
        { id: 'a.b.c', parent: 'a.b', members: ['a.b.c.y', 'a.b.c.z'] },
        { id: 'a', members: ['a.x', 'a.b.c.y', 'a.b.c.z', 'a.w'] },
        { id: 'lone', members: ['a.w'] },
      ],
    });
    expect(formatTree(r.tree)).toBe('a[a.x > (a.b.c[a.b.c.y > a.b.c.z] | lone[a.w])]');
  });

  it('a group runs in parallel with the rest, ordered by its first task', () => {
    const r = decompose({
      tasks: tasks('x g.a y g.b'),
      edges: edges('x>y g.a>g.b'),
      clusters: [{ id: 'g', members: ['g.a', 'g.b'] }],
    });
    expect(formatTree(r.tree)).toBe('(x > y) | g[g.a > g.b]');
    const first = decompose({
      tasks: tasks('g.b x y g.a'),
      edges: edges('x>y g.a>g.b'),
      clusters: [{ id: 'g', members: ['g.a', 'g.b'] }],
    });
    expect(formatTree(first.tree)).toBe('g[g.a > g.b] | (x > y)');
  });

  it('a task that needs only the start of a long group waits for all of it: the whole group’s duration counts', () => {
    const r = decompose({
      tasks: [
        { id: 'g.a', duration: 4 },
        { id: 'g.b', duration: 4 },
        { id: 'b' },
        { id: 'c' },
        { id: 'd' },
      ],
      edges: edges('g.a>g.b g.a>c g.b>d b>d c>d'),
      clusters: [{ id: 'g', members: ['g.a', 'g.b'] }],
    });
    expect(formatTree(r.tree)).toBe('((g[g.a > g.b] > c) | b) > d');
    expect(r.addedWaits).toEqual([{ before: 'g.b', after: 'c' }]);
    expect([r.makespan, r.criticalPath]).toEqual([10, 9]);
  });
});

describe('decompose: a group that cannot be one block', () => {
  const attempt = (input: SpInput): SpGroupCycleError => {
    try {
      decompose(input);
    } catch (error) {
      return error as SpGroupCycleError;
    }
    throw new Error('expected an error');
  };

  it('a task outside the group both depends on it and feeds it', () => {
    const error = attempt({
      tasks: tasks('etl.extract report etl.load'),
      edges: edges('etl.extract>report report>etl.load'),
      clusters: [{ id: 'etl', members: ['etl.extract', 'etl.load'] }],
    });
    expect(error).toBeInstanceOf(SpGroupCycleError);
    expect(error).toBeInstanceOf(DagDefinitionError);
    expect(error.message).toBe(
      'Task group "etl" cannot run as one block: "report" is outside the group but between its tasks ("etl.extract" → "report" → "etl.load"), ' +
        'so the group would have to wait for itself. Move "report" into "etl", or remove one of these dependencies.',
    );
    expect(error.problems.map((p) => [p.code, p.message])).toEqual([
      ['group-cycle', error.message],
    ]);
    expect({
      code: error.code,
      groups: error.groups,
      tasks: error.tasks,
      path: error.path,
    }).toEqual({
      code: 'group-cycle',
      groups: ['etl'],
      tasks: ['report'],
      path: [
        { from: 'etl.extract', to: 'report' },
        { from: 'report', to: 'etl.load' },
      ],
    });
  });

  it('through several tasks outside: the shortest way round is named', () => {
    const error = attempt({
      tasks: tasks('a x y z c'),
      edges: edges('a>x x>y y>c a>z z>x'),
      clusters: [{ id: 'g', members: ['a', 'c'] }],
    });
    expect(error.message).toBe(
      'Task group "g" cannot run as one block: "x" and "y" are outside the group but between its tasks ("a" → "x" → "y" → "c"), ' +
        'so the group would have to wait for itself. Move "x" and "y" into "g", or remove one of these dependencies.',
    );
  });

  it('two groups that each need part of the other', () => {
    const error = attempt({
      tasks: tasks('g1.a g1.b g2.c g2.d'),
      edges: edges('g1.a>g2.c g2.d>g1.b'),
      clusters: [
        { id: 'g1', members: ['g1.a', 'g1.b'] },
        { id: 'g2', members: ['g2.c', 'g2.d'] },
      ],
    });
    expect(error.message).toBe(
      'Task groups "g1" and "g2" cannot each run as one block: their dependencies form a circle ("g1.a" → "g2.c", "g2.d" → "g1.b"), ' +
        'so each group would have to wait for itself. Regroup these tasks, or remove one of these dependencies.',
    );
    expect(error.tasks).toEqual([]);
  });

  it('a subgroup with a task of its parent group in the way', () => {
    const error = attempt({
      tasks: tasks('p.q.a p.b p.q.c'),
      edges: edges('p.q.a>p.b p.b>p.q.c'),
      clusters: [
        { id: 'p', members: ['p.b'] },
        { id: 'p.q', parent: 'p', members: ['p.q.a', 'p.q.c'] },
      ],
    });
    expect(error.message).toBe(
      'Task group "p.q" cannot run as one block: "p.b" is outside the group but between its tasks ("p.q.a" → "p.b" → "p.q.c"), ' +
        'so the group would have to wait for itself. Move "p.b" into "p.q", or remove one of these dependencies.',
    );
  });
});

describe('decompose: malformed groups (our bugs, the caller validated)', () => {
  it.each([
    [
      'a group twice',
      [
        { id: 'g', members: ['a'] },
        { id: 'g', members: ['b'] },
      ],
      'task group "g" is given twice',
    ],
    ['an unknown task', [{ id: 'g', members: ['zz'] }], 'task group "g" lists unknown task "zz"'],
    [
      'a task in two groups side by side',
      [
        { id: 'g', members: ['a', 'b'] },
        { id: 'h', members: ['b', 'c'] },
      ],
      'task "b" is in task groups "g" and "h", which are not nested',
    ],
    [
      'a group nested in itself',
      [
        { id: 'g', parent: 'h', members: ['a'] },
        { id: 'h', parent: 'g', members: ['b'] },
      ],
      'task group "g" is nested in itself',
    ],
  ] as const)('%s', (_name, clusters, message) => {
    expect(() => decompose({ tasks: tasks('a b c'), edges: [], clusters })).toThrow(
      new InternalError(message),
    );
  });

  it('a group without tasks is left out', () => {
    expect(
      decompose({
        tasks: tasks('a b'),
        edges: edges('a>b'),
        clusters: [{ id: 'empty', members: [] }],
      }).tree.kind,
    ).toBe('series');
  });
});

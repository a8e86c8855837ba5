/**
 * Series-parallel decomposition on small shapes: exact trees for fork/join shapes, the waits added
 * for shapes Step Functions cannot express exactly, and where expected durations change the choice.
 */
import { describe, expect, it } from 'vitest';
import {
  decompose,
  formatTree,
  type SpInput,
  type SpResult,
} from '../../src/compiler/sp-decompose.ts';
import { InternalError } from '../../src/errors.ts';

/** `tasks('a b:4')` → a (duration 1 by default), b (duration 4). */
const tasks = (spec: string): SpInput['tasks'] =>
  spec.split(' ').map((t) => {
    const [id, duration] = t.split(':');
    return duration === undefined ? { id: id! } : { id: id!, duration: Number(duration) };
  });
/** `edges('a>b b>c')` */
const edges = (spec: string): SpInput['edges'] =>
  spec
    .split(' ')
    .filter(Boolean)
    .map((e) => {
      const [from, to] = e.split('>');
      return { from: from!, to: to! };
    });
const run = (taskSpec: string, edgeSpec: string): SpResult =>
  decompose({ tasks: tasks(taskSpec), edges: edges(edgeSpec) });
const summary = (r: SpResult) => ({
  tree: formatTree(r.tree),
  addedWaits: r.addedWaits.map((w) => `${w.before}>${w.after}`),
  makespan: r.makespan,
  criticalPath: r.criticalPath,
});

describe('decompose: series-parallel shapes are exact', () => {
  it('a single task', () => {
    expect(decompose({ tasks: [{ id: 'only', duration: 3 }], edges: [] })).toEqual({
      tree: { kind: 'task', id: 'only' },
      addedWaits: [],
      makespan: 3,
      criticalPath: 3,
    });
  });

  it('a chain is one flat series', () => {
    expect(run('a b c', 'a>b b>c')).toEqual({
      tree: {
        kind: 'series',
        items: [
          { kind: 'task', id: 'a' },
          { kind: 'task', id: 'b' },
          { kind: 'task', id: 'c' },
        ],
      },
      addedWaits: [],
      makespan: 3,
      criticalPath: 3,
    });
  });

  it('fan-out and fan-in', () => {
    expect(summary(run('a b c d', 'a>b a>c a>d'))).toEqual({
      tree: 'a > (b | c | d)',
      addedWaits: [],
      makespan: 2,
      criticalPath: 2,
    });
    expect(summary(run('a b c d', 'a>d b>d c>d'))).toEqual({
      tree: '(a | b | c) > d',
      addedWaits: [],
      makespan: 2,
      criticalPath: 2,
    });
  });

  it('diamond', () => {
    expect(run('a b c d', 'a>b a>c b>d c>d').tree).toEqual({
      kind: 'series',
      items: [
        { kind: 'task', id: 'a' },
        {
          kind: 'parallel',
          branches: [
            { kind: 'task', id: 'b' },
            { kind: 'task', id: 'c' },
          ],
        },
        { kind: 'task', id: 'd' },
      ],
    });
  });

  it('nested diamond, with durations', () => {
    const r = run('a:1 b:2 c:9 b1:3 b2:4 b3:5 d:1', 'a>b a>c b>b1 b>b2 b1>b3 b2>b3 b3>d c>d');
    expect(summary(r)).toEqual({
      tree: 'a > ((b > (b1 | b2) > b3) | c) > d',
      addedWaits: [],
      makespan: 13,
      criticalPath: 13,
    });
  });

  it('two independent chains: branches in the order of their first task in `tasks`', () => {
    expect(formatTree(run('a b c d', 'a>b c>d').tree)).toBe('(a > b) | (c > d)');
    expect(formatTree(run('c d a b', 'a>b c>d').tree)).toBe('(c > d) | (a > b)');
    expect(formatTree(run('b c a d', 'a>b c>d').tree)).toBe('(a > b) | (c > d)'); // b comes first
  });

  it('duplicate and transitive edges change nothing', () => {
    const plain = run('a b c d e', 'a>b a>c b>d c>d d>e');
    const noisy = run('a b c d e', 'a>b a>c b>d c>d d>e a>b a>d a>e b>e c>d a>e');
    expect(noisy).toEqual(plain);
    const n = run('a b c d', 'a>c a>d b>d');
    expect(run('a b c d', 'b>d a>c a>d a>d b>d')).toEqual(n);
  });
});

describe('decompose: the N shape (a→c, a→d, b→d) is not series-parallel', () => {
  it('unit durations: both starts, then both ends; c now also waits for b', () => {
    expect(summary(run('a b c d', 'a>c a>d b>d'))).toEqual({
      tree: '(a | b) > (c | d)',
      addedWaits: ['b>c'],
      makespan: 2,
      criticalPath: 2,
    });
  });

  it('ties follow the order of `tasks`', () => {
    expect(summary(run('b a d c', 'a>c a>d b>d'))).toEqual({
      tree: '(b | a) > (d | c)',
      addedWaits: ['b>c'],
      makespan: 2,
      criticalPath: 2,
    });
  });

  it('durations decide: b and c long → make b wait for a (7) rather than c wait for b (10)', () => {
    expect(summary(run('a:1 b:5 c:5 d:1', 'a>c a>d b>d'))).toEqual({
      tree: 'a > ((b > d) | c)',
      addedWaits: ['a>b'],
      makespan: 7,
      criticalPath: 6,
    });
  });

  it('durations decide: a and d long → the unit-duration tree is exact', () => {
    expect(summary(run('a:5 b:1 c:1 d:5', 'a>c a>d b>d'))).toEqual({
      tree: '(a | b) > (c | d)',
      addedWaits: ['b>c'],
      makespan: 10,
      criticalPath: 10,
    });
  });
});

describe('decompose: the warehouse shape (warehouse_refresh)', () => {
  const shape = edges(
    'create_scratch>stage_customers create_scratch>stage_orders stage_customers>build_dims stage_customers>build_facts stage_orders>build_facts ' +
      'build_facts>refresh_stats build_dims>drop_scratch refresh_stats>drop_scratch create_scratch>drop_scratch',
  );
  const withDurations = (dims: number) =>
    decompose({
      tasks: tasks(
        `create_scratch:1 stage_customers:4 stage_orders:9 build_dims:${dims} build_facts:6 refresh_stats:1 drop_scratch:1`,
      ),
      edges: shape,
    });

  it('expected durations 1, 4, 9, 3, 6, 1, 1: makespan = critical path; dims waits for orders, which it can afford', () => {
    expect(summary(withDurations(3))).toEqual({
      tree: 'create_scratch > (stage_customers | stage_orders) > (build_dims | (build_facts > refresh_stats)) > drop_scratch',
      addedWaits: ['stage_orders>build_dims'],
      makespan: 18,
      criticalPath: 18,
    });
  });

  it('a long build_dims (20) turns the choice around: orders waits for customers instead', () => {
    expect(summary(withDurations(20))).toEqual({
      tree: 'create_scratch > stage_customers > ((stage_orders > build_facts > refresh_stats) | build_dims) > drop_scratch',
      addedWaits: ['stage_customers>stage_orders'],
      makespan: 26,
      criticalPath: 26,
    });
  });
});

describe('decompose: input it refuses (the caller validates first, so these are our bugs)', () => {
  const bad = (input: SpInput) => () => decompose(input);
  it.each([
    ['no tasks', { tasks: [], edges: [] }, 'cannot decompose a DAG without tasks'],
    ['a task twice', { tasks: tasks('a a'), edges: [] }, 'task "a" is given twice'],
    [
      'a zero duration',
      { tasks: [{ id: 'a', duration: 0 }], edges: [] },
      'task "a" has expected duration 0; it must be a positive number',
    ],
    [
      'an unknown task',
      { tasks: tasks('a'), edges: edges('a>b') },
      'edge "a" → "b" names an unknown task "b"',
    ],
    [
      'a cycle',
      { tasks: tasks('a b c'), edges: edges('a>b b>c c>b') },
      'the edges form a cycle through "b", "c"',
    ],
  ] as const)('%s', (_name, input, message) => {
    expect(bad(input)).toThrow(new InternalError(message));
  });
});

import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../src/cli/render-graph.ts';
import type { GraphFormat } from '../../src/cli/render-graph.ts';
import type { DagIR, GroupIR, TaskBodyIR, TaskIR } from '../../src/ir/types.ts';
import { InternalError } from '../../src/errors.ts';

// ─── Factories ────────────────────────────────────────────────────────────────

function task(id: string, extra: Partial<TaskIR> = {}): TaskIR {
  const group = id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : undefined;
  return {
    id,
    group,
    body: { kind: 'function' },
    args: [],
    triggerRule: 'all_success',
    connections: [],
    inlets: [],
    outlets: [],
    notifications: [],
    ...extra,
  };
}

function dag(tasks: TaskIR[], edges: [string, string][], groups: GroupIR[] = []): DagIR {
  return {
    id: 'daily_orders',
    file: 'dags/daily_orders.ts',
    timezone: 'UTC',
    tags: [],
    schedule: { kind: 'manual' },
    catchup: false,
    maxActiveRuns: 1,
    params: {},
    notifications: [],
    tasks,
    groups,
    edges: edges.map(([from, to]) => ({ from, to, kind: 'data' })),
  };
}

const chainOf = (...ids: string[]): [string, string][] =>
  ids.slice(1).map((id, i) => [ids[i] ?? '', id]);

const sensor: TaskBodyIR = {
  kind: 'sensor',
  sensor: {
    check: {
      kind: 's3_key',
      bucket: { kind: 'literal', value: 'raw' },
      key: { kind: 'literal', value: 'orders.csv' },
    },
    pokeIntervalSeconds: 60,
    pokeBackoffRate: 1,
    timeoutSeconds: 3600,
    softFail: false,
  },
};
const branch: TaskBodyIR = { kind: 'branch', choices: [] };
const glueJob: TaskBodyIR = {
  kind: 'operator',
  operator: { kind: 'glue_job', jobName: 'load_orders' },
};
const mapped = {
  mapping: { over: { kind: 'literal' as const, value: [1, 2] }, argIndex: 0, maxConcurrency: 0 },
};

const diamond = dag(
  [task('extract'), task('clean'), task('enrich'), task('load')],
  [
    ['extract', 'clean'],
    ['extract', 'enrich'],
    ['clean', 'load'],
    ['enrich', 'load'],
  ],
);

/** A diamond through a group, with every kind of marker. */
const orders = dag(
  [
    task('wait_for_orders', { body: sensor }),
    task('transform.clean'),
    task('transform.route', { body: branch }),
    task('transform.split', mapped),
    task('load', { body: glueJob, triggerRule: 'none_failed' }),
    task('cleanup', {
      role: { kind: 'teardown', setups: [], onFailureFailDagrun: false },
      triggerRule: 'all_done',
    }),
  ],
  [
    ['wait_for_orders', 'transform.clean'],
    ['wait_for_orders', 'transform.route'],
    ['transform.route', 'transform.split'],
    ['transform.clean', 'load'],
    ['transform.split', 'load'],
    ['load', 'cleanup'],
  ],
  [{ id: 'transform' }],
);

const nested = dag(
  [
    task('start'),
    task('outer.a'),
    task('outer.inner.b', { body: branch }),
    task('outer.inner.c'),
    task('finish'),
  ],
  [
    ['start', 'outer.a'],
    ['outer.a', 'outer.inner.b'],
    ['outer.inner.b', 'outer.inner.c'],
    ['outer.inner.c', 'finish'],
  ],
  [{ id: 'outer' }, { id: 'outer.inner', parent: 'outer' }],
);

// ─── text ────────────────────────────────────────────────────────────────────

describe('renderGraph text', () => {
  it('draws a diamond as a fork and a merge of lanes', () => {
    expect(renderGraph(diamond, 'text')).toBe(
      `●    extract
├─╮
● │  clean
│ ●  enrich
├─╯
●    load`,
    );
  });

  it('draws a group as a tree beside the lanes, with a marker for each kind of task', () => {
    expect(renderGraph(orders, 'text')).toBe(
      `◉    wait_for_orders  s3_key sensor
├─╮
│ │  transform/
● │  ├ clean
│ ◆  ├ route  branch
│ ●  └ split [ ]
├─╯
■    load  glue_job · trigger: none_failed
●    cleanup  teardown · trigger: all_done`,
    );
  });

  it('draws nested groups as nested trees', () => {
    expect(renderGraph(nested, 'text')).toBe(
      `●  start
│  outer/
●  ├ a
│  └ inner/
◆    ├ b  branch
●    └ c
●  finish`,
    );
  });

  it('keeps a shape that is not series-parallel unambiguous (A→C, A→D, B→D)', () => {
    const shape = dag(
      [task('A'), task('B'), task('C'), task('D')],
      [
        ['A', 'C'],
        ['A', 'D'],
        ['B', 'D'],
      ],
    );
    // B starts in a fresh column, so it does not read as C's child; only B and A reach D.
    expect(renderGraph(shape, 'text')).toBe(
      `●      A
├─╮
● │    C
  │ ●  B
  ├─╯
  ●    D`,
    );
  });

  it('keeps independent chains in separate columns', () => {
    const twoChains = dag(
      [task('a'), task('b'), task('c'), task('d')],
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    );
    expect(renderGraph(twoChains, 'text')).toBe(
      `●    a
●    b
  ●  c
  ●  d`,
    );
  });

  it('draws a lane that crosses another without a junction', () => {
    // b's fork to e crosses a's lane to d: drawn unbroken (no ┼), so it does not read as a→e.
    const crossing = dag(
      [task('a'), task('b'), task('c'), task('d'), task('e')],
      [
        ['a', 'b'],
        ['a', 'd'],
        ['b', 'c'],
        ['b', 'e'],
      ],
    );
    expect(renderGraph(crossing, 'text')).toBe(
      `●      a
├─╮
● │    b
├─│─╮
● │ │  c
  │ ●  e
  ●    d`,
    );
  });

  it('shares one lane among the children of a fan-out, each tapping it in turn', () => {
    const fanOut = dag(
      [task('start'), task('a'), task('b'), task('c'), task('end')],
      [
        ['start', 'a'],
        ['start', 'b'],
        ['start', 'c'],
        ['a', 'end'],
        ['b', 'end'],
        ['c', 'end'],
      ],
    );
    expect(renderGraph(fanOut, 'text')).toBe(
      `●      start
├─╮
● │    a
│ ├─╮
│ │ ●  b
├─│─╯
│ ●    c
├─╯
●      end`,
    );
  });

  it('keeps a wide fan-in two lanes wide', () => {
    const fanIn = dag(
      [task('s0'), task('s1'), task('s2'), task('s3'), task('join')],
      [
        ['s0', 'join'],
        ['s1', 'join'],
        ['s2', 'join'],
        ['s3', 'join'],
      ],
    );
    expect(renderGraph(fanIn, 'text')).toBe(
      `●    s0
│ ●  s1
├─╯
│ ●  s2
├─╯
│ ●  s3
├─╯
●    join`,
    );
  });

  it('draws 60 tasks one per line, narrow enough for a terminal', () => {
    const tasks = [task('start')];
    const edges: [string, string][] = [];
    const groups: GroupIR[] = [];
    for (let i = 0; i < 12; i++) {
      groups.push({ id: `table_${i}` });
      tasks.push(
        task(`table_${i}.extract`),
        task(`table_${i}.clean`, i % 3 === 0 ? mapped : {}),
        task(`table_${i}.load`, { body: glueJob }),
      );
      edges.push(
        ['start', `table_${i}.extract`],
        ...chainOf(`table_${i}.extract`, `table_${i}.clean`, `table_${i}.load`, 'report'),
      );
    }
    tasks.push(task('report', { triggerRule: 'all_done' }));
    for (let i = 0; i < 22; i++) {
      tasks.push(task(`publish_${i}`));
      edges.push([i < 2 ? 'report' : `publish_${Math.floor(i / 2) - 1}`, `publish_${i}`]);
    }
    expect(tasks).toHaveLength(60);

    const lines = renderGraph(dag(tasks, edges, groups), 'text').split('\n');
    // Read the drawing back: labels start in one column; `table_3/` opens a group, `├ clean` is in it.
    const labelStart = lines[0]?.indexOf('start') ?? -1;
    const drawn: string[] = [];
    let group = '';
    for (const line of lines) {
      const label = line.slice(labelStart);
      if (label.endsWith('/')) group = label.slice(0, -1);
      else if (/[●◆◇◉■]/.test(line)) {
        const inGroup = /^[├└] /.test(label);
        const name = label.replace(/^[├└] /, '').split(' ')[0] ?? '';
        if (!inGroup) group = '';
        drawn.push(group ? `${group}.${name}` : name);
      }
    }
    expect(drawn.sort()).toEqual(tasks.map((t) => t.id).sort());
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(40);
  });

  it('treats a cycle as our bug (validation rejects it first), naming the tasks it strands', () => {
    const cyclic = dag(
      [task('a'), task('b'), task('c'), task('d')],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'b'],
        ['c', 'd'],
      ],
    );
    expect(() => renderGraph(cyclic, 'text')).toThrow(InternalError);
    expect(() => renderGraph(cyclic, 'text')).toThrow(
      'Cannot draw DAG "daily_orders": tasks b, c, d are in or after a dependency cycle.',
    );
  });

  it('colors glyphs by kind only when asked, and the text is otherwise the same', () => {
    const plain = renderGraph(orders, 'text');
    const colored = renderGraph(orders, 'text', { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored).toContain('\u001b[33m◉\u001b[39m');
    expect(stripVTControlCharacters(colored)).toBe(plain);
  });
});

// ─── mermaid ─────────────────────────────────────────────────────────────────

describe('renderGraph mermaid', () => {
  it('renders a diamond as a flowchart', () => {
    expect(renderGraph(diamond, 'mermaid')).toBe(
      `flowchart LR
  extract["extract"]
  clean["clean"]
  enrich["enrich"]
  load["load"]
  extract --> clean
  extract --> enrich
  clean --> load
  enrich --> load`,
    );
  });

  it('nests subgraphs, shapes nodes by kind and keeps full ids out of labels', () => {
    expect(renderGraph(orders, 'mermaid')).toBe(
      `flowchart LR
  wait_for_orders(["wait_for_orders<br/>s3_key sensor"])
  subgraph transform ["transform"]
    transform_clean["clean"]
    transform_route{"route"}
    transform_split["split [ ]"]
  end
  load[["load<br/>glue_job · trigger: none_failed"]]
  cleanup["cleanup<br/>teardown · trigger: all_done"]
  wait_for_orders --> transform_clean
  wait_for_orders --> transform_route
  transform_clean --> load
  transform_route --> transform_split
  transform_split --> load
  load --> cleanup`,
    );
    expect(renderGraph(nested, 'mermaid')).toBe(
      `flowchart LR
  start["start"]
  subgraph outer ["outer"]
    outer_a["a"]
    subgraph outer_inner ["inner"]
      outer_inner_b{"b"}
      outer_inner_c["c"]
    end
  end
  finish["finish"]
  start --> outer_a
  outer_a --> outer_inner_b
  outer_inner_b --> outer_inner_c
  outer_inner_c --> finish`,
    );
  });

  it('makes ids Mermaid-safe and unique, and escapes quotes in labels', () => {
    const awkward = dag(
      [task('end'), task('a.b'), task('a_b'), task('say "hi"')],
      [
        ['end', 'a.b'],
        ['a.b', 'a_b'],
      ],
      [{ id: 'a' }],
    );
    expect(renderGraph(awkward, 'mermaid')).toBe(
      `flowchart LR
  end_["end"]
  subgraph a ["a"]
    a_b["b"]
  end
  a_b_2["a_b"]
  say__hi_["say #quot;hi#quot;"]
  end_ --> a_b
  a_b --> a_b_2`,
    );
  });
});

// ─── dot ─────────────────────────────────────────────────────────────────────

describe('renderGraph dot', () => {
  it('renders a diamond as a left-to-right digraph', () => {
    expect(renderGraph(diamond, 'dot')).toBe(
      `digraph "daily_orders" {
  rankdir=LR;
  node [shape=box, style=rounded];
  "extract" [label="extract"];
  "clean" [label="clean"];
  "enrich" [label="enrich"];
  "load" [label="load"];
  "extract" -> "clean";
  "extract" -> "enrich";
  "clean" -> "load";
  "enrich" -> "load";
}`,
    );
  });

  it('nests cluster subgraphs and shapes nodes by kind', () => {
    expect(renderGraph(nested, 'dot')).toBe(
      `digraph "daily_orders" {
  rankdir=LR;
  node [shape=box, style=rounded];
  "start" [label="start"];
  subgraph "cluster_outer" {
    label="outer";
    "outer.a" [label="a"];
    subgraph "cluster_outer.inner" {
      label="inner";
      "outer.inner.b" [label="b", shape=diamond];
      "outer.inner.c" [label="c"];
    }
  }
  "finish" [label="finish"];
  "start" -> "outer.a";
  "outer.a" -> "outer.inner.b";
  "outer.inner.b" -> "outer.inner.c";
  "outer.inner.c" -> "finish";
}`,
    );
    const dot = renderGraph(orders, 'dot');
    expect(dot).toContain(
      '"wait_for_orders" [label="wait_for_orders\\ns3_key sensor", shape=oval];',
    );
    expect(dot).toContain(
      '"load" [label="load\\nglue_job · trigger: none_failed", shape=component];',
    );
    expect(dot).toContain('"transform.split" [label="split [ ]"];');
  });

  it('escapes quotes and backslashes in ids', () => {
    expect(renderGraph(dag([task('say "hi"\\')], []), 'dot')).toContain(
      '"say \\"hi\\"\\\\" [label="say \\"hi\\"\\\\"];',
    );
  });
});

// ─── every format ────────────────────────────────────────────────────────────

describe.each<GraphFormat>(['text', 'mermaid', 'dot'])('renderGraph %s', (format) => {
  it('gives the same string for the same DAG, whatever order its edges were listed in', () => {
    const shuffled = { ...orders, edges: [...orders.edges].reverse() };
    const copy = JSON.parse(JSON.stringify(orders)) as DagIR;
    expect(renderGraph(shuffled, format)).toBe(renderGraph(orders, format));
    expect(renderGraph(copy, format)).toBe(renderGraph(orders, format));
  });

  it('draws a data edge and an explicit edge between the same tasks once', () => {
    const twice = {
      ...diamond,
      edges: [...diamond.edges, { from: 'extract', to: 'clean', kind: 'explicit' as const }],
    };
    expect(renderGraph(twice, format)).toBe(renderGraph(diamond, format));
  });

  it('treats an edge to an unknown task as our bug (validation rejects it first)', () => {
    const broken = dag([task('a')], [['a', 'b']]);
    expect(() => renderGraph(broken, format)).toThrow(InternalError);
    expect(() => renderGraph(broken, format)).toThrow(
      'Cannot draw DAG "daily_orders": edge a → b names unknown task "b".',
    );
  });
});

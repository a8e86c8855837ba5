/**
 * @module cli/render-graph-text
 * `updraft graph --format text`: the DAG drawn for a terminal the way `git log --graph` draws
 * history. One task per line, in a topological order; edges are lanes of box-drawing characters
 * (`├─╮` a fork, `├─╯` a join); groups are a tree (`├ clean`) beside the lanes.
 *
 * Why not a Sugiyama drawing of boxes: a layer holds as many boxes side by side as the DAG's
 * widest fan-out (20 tables ≈ 300 columns), and the edges between two wide layers, merged into one
 * bus, no longer say which task feeds which. Here the height grows with the task count, the width
 * only with the lanes open at once, and every line reads one way.
 */
import pc from 'picocolors';
import { assertNever } from '../ir/types.ts';
import { InternalError } from '../errors.ts';
import type { DagIR, TaskBodyIR } from '../ir/types.ts';
import { graphModel, groupName, taskNotes } from './render-graph-model.ts';
import type { GraphModel, GraphNode } from './render-graph-model.ts';

type Row =
  | { readonly kind: 'task'; readonly graph: string; readonly node: GraphNode }
  | {
      readonly kind: 'group';
      readonly graph: string;
      readonly group: string;
      readonly chain: readonly string[];
    }
  | { readonly kind: 'link'; readonly graph: string };

export function renderText(model: GraphModel, color: boolean): string {
  const rows = drawLanes(drawingOrder(model));
  return labelRows(model, rows, pc.createColors(color));
}

/** Task ids in the order `updraft graph` draws them: what run tables list tasks by. */
export function graphOrder(dag: DagIR): string[] {
  return drawingOrder(graphModel(dag)).map((node) => node.task.id);
}

/**
 * Kahn's topological sort; among ready tasks it prefers one in the group being drawn (groups stay
 * contiguous), then a child of the most recently drawn task (a chain reads straight down and
 * few lanes stay open), then the earlier declared.
 */
function drawingOrder(model: GraphModel): GraphNode[] {
  const { nodes } = model;
  const waiting = nodes.map((node) => node.upstream.length);
  const position = nodes.map(() => -1);
  const ready = nodes.filter((node) => node.upstream.length === 0);
  const order: GraphNode[] = [];
  const rank = (node: GraphNode, last: GraphNode | undefined): [number, number, number] => [
    last ? commonPrefix(node.groups, last.groups) : 0,
    Math.max(-1, ...node.upstream.map((up) => position[up] ?? -1)),
    -node.index,
  ];
  while (ready.length > 0) {
    const last = order.at(-1);
    let best = 0;
    for (let i = 1; i < ready.length; i++) {
      if (compareRanks(rank(at(ready, i), last), rank(at(ready, best), last)) > 0) best = i;
    }
    const node = at(ready.splice(best, 1), 0);
    position[node.index] = order.length;
    order.push(node);
    for (const down of node.downstream) {
      const left = (waiting[down] ?? 0) - 1;
      waiting[down] = left;
      if (left === 0) ready.push(at(nodes, down));
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((node) => position[node.index] === -1).map((node) => node.task.id);
    throw new InternalError(
      `Cannot draw DAG "${model.dag.id}": tasks ${stuck.join(', ')} are in or after a dependency cycle.`,
    );
  }
  return order;
}

/**
 * Lays out lanes: `lanes[c]` holds the tasks that column `c` still leads to. A fan-out keeps one
 * lane for all the children but the first (a bus each child taps with `├─╮`), so 50 parallel
 * tables cost 3 columns, not 50. Lines only flow down, so a parent may join (`├─╯`) only a lane
 * that leads to its own child alone.
 */
function drawLanes(order: readonly GraphNode[]): Row[] {
  const position = new Map(order.map((node, i) => [node.index, i]));
  const lanes: Lane[] = [];
  const rows: Row[] = [];
  let previous: GraphNode | undefined;
  for (const node of order) {
    const shared = previous ? commonPrefix(previous.groups, node.groups) : 0;
    for (let depth = shared; depth < node.groups.length; depth++) {
      rows.push({
        kind: 'group',
        graph: laneCells(lanes),
        group: at(node.groups, depth),
        chain: node.groups.slice(0, depth),
      });
    }
    const col = gather(lanes, rows, node.index);
    rows.push({ kind: 'task', graph: laneCells(lanes, col, glyph(node.task.body)), node });
    lanes[col] = undefined;

    const ends = new Map<number, Ends>([[col, { up: true, down: false }]]);
    const children = [...node.downstream].sort(
      (a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
    const unjoined: number[] = [];
    for (const child of children) {
      // Join the nearest lane that leads to this child alone.
      const own = lanes
        .flatMap((lane, c) => (lane?.length === 1 && lane[0] === child ? [c] : []))
        .sort((a, b) => Math.abs(a - col) - Math.abs(b - col))[0];
      if (own !== undefined) ends.set(own, { up: true, down: true });
      else unjoined.push(child);
    }
    // The child drawn first continues straight down; the others share one lane to the side.
    const [first, ...rest] = unjoined;
    if (first !== undefined) {
      lanes[col] = [first];
      ends.set(col, { up: true, down: true });
    }
    if (rest.length > 0) {
      const bus = nearestFree(lanes, col);
      lanes[bus] = rest;
      ends.set(bus, { up: false, down: true });
    }
    if (ends.size > 1) rows.push({ kind: 'link', graph: joinCells(lanes, ends) });
    while (lanes.length > 0 && lanes.at(-1) === undefined) lanes.pop();
    previous = node;
  }
  return rows;
}

type Lane = readonly number[] | undefined;
interface Ends {
  readonly up: boolean;
  readonly down: boolean;
}

/**
 * Picks the column of task `index` and, when several lanes lead to it or it taps a shared lane,
 * adds the row that joins them into that column. Returns the column.
 */
function gather(lanes: Lane[], rows: Row[], index: number): number {
  const leading = lanes.flatMap((lane, c) => (lane?.includes(index) ? [c] : []));
  const ending = leading.filter((c) => lanes[c]?.length === 1);
  let col = ending[0];
  if (col === undefined && leading[0] !== undefined) col = nearestFree(lanes, leading[0]);
  if (col === undefined) {
    // A task nothing leads to starts in a free column where nothing above points down, so it
    // cannot read as the child of the task drawn just above it.
    const above = rows.at(-1)?.graph ?? '';
    col = 0;
    while (lanes[col] !== undefined || !NOT_DOWNWARD.includes(above[2 * col] ?? ' ')) col++;
    return col;
  }
  const ends = new Map<number, Ends>([[col, { up: ending[0] === col, down: true }]]);
  for (const c of leading) {
    if (c === col) continue;
    const left = lanes[c]?.filter((target) => target !== index) ?? [];
    lanes[c] = left.length > 0 ? left : undefined;
    ends.set(c, { up: true, down: left.length > 0 });
  }
  if (ends.size > 1) rows.push({ kind: 'link', graph: joinCells(lanes, ends) });
  lanes[col] = [index];
  return col;
}

function laneCells(lanes: readonly Lane[], col = -1, mark = ''): string {
  const width = Math.max(lanes.length, col + 1);
  const cells: string[] = [];
  for (let c = 0; c < width; c++) cells.push(c === col ? mark : lanes[c] === undefined ? ' ' : '│');
  return cells.join(' ');
}

/** A row joining the lanes in `ends` with one horizontal line; other lanes cross it unbroken. */
function joinCells(lanes: readonly Lane[], ends: ReadonlyMap<number, Ends>): string {
  const lo = Math.min(...ends.keys());
  const hi = Math.max(...ends.keys());
  let out = '';
  for (let c = 0; c < Math.max(lanes.length, hi + 1); c++) {
    const left = c > lo && c <= hi;
    const right = c >= lo && c < hi;
    const end = ends.get(c);
    if (end) out += corner(end.up, end.down, left, right);
    // Drawn unbroken rather than as `┼`, so a crossing does not read as a junction.
    else if (lanes[c] !== undefined) out += '│';
    else out += left && right ? '─' : ' ';
    out += right ? '─' : ' ';
  }
  return out.trimEnd();
}

const NOT_DOWNWARD = ' ─╯╰┴';

const CORNERS: Readonly<Record<string, string>> = {
  '1111': '┼',
  '1110': '┤',
  '1101': '├',
  '1100': '│',
  '1011': '┴',
  '1010': '╯',
  '1001': '╰',
  '0111': '┬',
  '0110': '╮',
  '0101': '╭',
};

function corner(up: boolean, down: boolean, left: boolean, right: boolean): string {
  return CORNERS[[up, down, left, right].map(Number).join('')] ?? '─';
}

function nearestFree(lanes: readonly Lane[], col: number): number {
  for (let d = 1; ; d++) {
    if (col + d >= lanes.length || lanes[col + d] === undefined) return col + d;
    if (col - d >= 0 && lanes[col - d] === undefined) return col - d;
  }
}

function glyph(body: TaskBodyIR): string {
  switch (body.kind) {
    case 'function':
      return '●';
    case 'branch':
      return '◆';
    case 'short_circuit':
      return '◇';
    case 'sensor':
      return '◉';
    case 'operator':
      return '■';
    default:
      return assertNever(body, 'task body kind');
  }
}

type Colors = ReturnType<typeof pc.createColors>;

function paint(body: TaskBodyIR, text: string, colors: Colors): string {
  switch (body.kind) {
    case 'function':
      return colors.green(text);
    case 'branch':
    case 'short_circuit':
      return colors.magenta(text);
    case 'sensor':
      return colors.yellow(text);
    case 'operator':
      return colors.cyan(text);
    default:
      return assertNever(body, 'task body kind');
  }
}

/** Appends labels, aligned after the widest lanes, with the group tree drawn in front of them. */
function labelRows(model: GraphModel, rows: readonly Row[], colors: Colors): string {
  const width = Math.max(0, ...rows.map((row) => row.graph.length));
  const open: { readonly last: boolean }[] = [];
  const guides = (depth: number): string =>
    open
      .slice(1, depth)
      .map((group) => (group.last ? '  ' : '│ '))
      .join('');
  const lines = rows.map((row, i) => {
    let graph = row.graph.padEnd(width);
    let label: string;
    if (row.kind === 'link') {
      const next = rows.slice(i + 1).find((later) => later.kind !== 'link');
      const depth = next ? itemChain(next).length : 0;
      label = depth > 0 ? `${guides(depth)}│` : '';
    } else {
      const chain = itemChain(row);
      open.length = chain.length;
      const branch = chain.length === 0 ? '' : isLast(rows, i) ? '└ ' : '├ ';
      const prefix = guides(chain.length) + branch;
      if (row.kind === 'group') {
        open.push({ last: isLast(rows, i) });
        label =
          prefix + colors.bold(`${groupName(model.groups.get(row.group) ?? { id: row.group })}/`);
      } else {
        const notes = taskNotes(row.node.task, false);
        const mark = glyph(row.node.task.body);
        graph = graph.replace(mark, paint(row.node.task.body, mark, colors));
        label =
          prefix + row.node.label + (notes.length > 0 ? `  ${colors.dim(notes.join(' · '))}` : '');
      }
    }
    return `${graph}  ${label}`.trimEnd();
  });
  return lines.join('\n');
}

function itemChain(row: Row): readonly string[] {
  return row.kind === 'group' ? row.chain : row.kind === 'task' ? row.node.groups : [];
}

/** Whether no later item sits in the same group block as `rows[i]` (the tree draws `└`). */
function isLast(rows: readonly Row[], i: number): boolean {
  const chain = itemChain(at(rows, i));
  for (const row of rows.slice(i + 1)) {
    if (row.kind === 'link') continue;
    const other = itemChain(row);
    if (other.length > chain.length && commonPrefix(other, chain) === chain.length) continue;
    return other.length !== chain.length || commonPrefix(other, chain) !== chain.length;
  }
  return true;
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++)
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function at<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new InternalError(`render-graph: index ${i} out of range`);
  return item;
}

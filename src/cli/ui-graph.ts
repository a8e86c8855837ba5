/**
 * @module cli/ui-graph
 * A DAG as the UI draws it: every task at a column (its longest path from a root, so every edge
 * goes right) and a row (its place among the tasks of that column, parents first), its group
 * chain, kind and notes. Computed on the server in one pass over the edges — milliseconds for
 * thousands of tasks, where dagre or ELK in the browser take seconds (issue 14) — so the browser
 * only places boxes.
 */
import { assertNever, type DagIR } from '../ir/types.ts';
import type { SpNode } from '../compiler/sp-tree.ts';
import { graphModel, taskNotes } from './render-graph-model.ts';

export interface UiGraphNode {
  readonly id: string;
  /** The id inside its group (`clean` for `transform.clean`), with ` [ ]` when mapped. */
  readonly label: string;
  readonly groups: readonly string[];
  readonly kind: string;
  readonly notes: readonly string[];
  readonly column: number;
  readonly row: number;
  readonly mapped: boolean;
}

export interface UiGraph {
  readonly nodes: readonly UiGraphNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly columns: number;
  readonly rows: number;
  /**
   * The critical path: the chain of tasks that sets the run's length (by each task's
   * `expectedDuration`, 1 each when none is declared), root to leaf.
   */
  readonly criticalPath: readonly string[];
  /**
   * Waits the compiler added because Step Functions' Parallel cannot draw this DAG exactly (`after`
   * also waits for `before`: `updraft explain`).
   */
  readonly addedWaits: readonly { readonly before: string; readonly after: string }[];
}

export function uiGraph(
  dag: DagIR,
  addedWaits: readonly { readonly before: string; readonly after: string }[] = [],
  tree?: SpNode,
): UiGraph {
  const model = graphModel(dag);
  if (tree) return fromTree(model, tree, addedWaits);
  const column = model.nodes.map(() => 0);
  // Tasks are in declaration order, not necessarily topological: relax until nothing moves (a
  // DAG has no cycle, so at most one pass per task; in practice two or three).
  for (let changed = true, pass = 0; changed && pass <= model.nodes.length; pass++) {
    changed = false;
    for (const [from, to] of model.edges) {
      if (column[to]! < column[from]! + 1) {
        column[to] = column[from]! + 1;
        changed = true;
      }
    }
  }
  // Rows: within a column, by the mean row of the upstream tasks (fewer crossings), then by
  // declaration order.
  const row = model.nodes.map(() => 0);
  const byColumn = new Map<number, number[]>();
  for (const n of model.nodes)
    byColumn.set(column[n.index]!, [...(byColumn.get(column[n.index]!) ?? []), n.index]);
  const columns = Math.max(0, ...column) + 1;
  for (let c = 0; c < columns; c++) {
    const members = byColumn.get(c) ?? [];
    const weight = (i: number) => {
      const up = model.nodes[i]!.upstream;
      return up.length === 0 ? i : up.reduce((s, u) => s + row[u]!, 0) / up.length;
    };
    members
      .map((i) => ({ i, w: weight(i) }))
      .sort((a, b) => a.w - b.w || a.i - b.i)
      .forEach(({ i }, r) => (row[i] = r));
  }
  return {
    ...nodesAndEdges(model, column, (i) => row[i]!),
    columns,
    rows: Math.max(0, ...[...byColumn.values()].map((m) => m.length)),
    criticalPath: longestPath(model, column),
    addedWaits,
  };
}

/**
 * The layout of the compiler's own fork/join structure (compiler/sp-tree): a series goes left to
 * right, a parallel's branches are stacked, a group's tasks stay together — the shape the state
 * machine has, and every edge goes right (the structure orders each edge's ends).
 */
function fromTree(
  model: ReturnType<typeof graphModel>,
  tree: SpNode,
  addedWaits: UiGraph['addedWaits'],
): UiGraph {
  const at = new Map<string, { column: number; row: number }>();
  const place = (node: SpNode, column: number, row: number): { width: number; height: number } => {
    switch (node.kind) {
      case 'task':
        at.set(node.id, { column, row });
        return { width: 1, height: 1 };
      case 'cluster':
        return place(node.body, column, row);
      case 'series': {
        let width = 0;
        let height = 0;
        for (const item of node.items) {
          const size = place(item, column + width, row);
          width += size.width;
          height = Math.max(height, size.height);
        }
        return { width, height };
      }
      case 'parallel': {
        let width = 0;
        let height = 0;
        for (const branch of node.branches) {
          const size = place(branch, column, row + height);
          height += size.height;
          width = Math.max(width, size.width);
        }
        return { width, height };
      }
      default:
        return assertNever(node, 'structure node');
    }
  };
  const size = place(tree, 0, 0);
  const column = model.nodes.map((n) => at.get(n.task.id)?.column ?? 0);
  return {
    ...nodesAndEdges(model, column, (i) => at.get(model.nodes[i]!.task.id)?.row ?? 0),
    columns: size.width,
    rows: size.height,
    criticalPath: longestPath(model, column),
    addedWaits,
  };
}

function nodesAndEdges(
  model: ReturnType<typeof graphModel>,
  column: readonly number[],
  rowOf: (index: number) => number,
): Pick<UiGraph, 'nodes' | 'edges'> {
  return {
    nodes: model.nodes.map((n) => ({
      id: n.task.id,
      label: n.label,
      groups: n.groups,
      kind: n.task.body.kind,
      notes: taskNotes(n.task, false),
      column: column[n.index]!,
      row: rowOf(n.index),
      mapped: n.task.mapping !== undefined,
    })),
    edges: model.edges.map(([from, to]) => ({
      from: model.nodes[from]!.task.id,
      to: model.nodes[to]!.task.id,
    })),
  };
}

/** The heaviest root-to-leaf chain, visiting tasks by column (every edge goes to a later one). */
function longestPath(model: ReturnType<typeof graphModel>, column: readonly number[]): string[] {
  const weight = model.nodes.map((n) => n.task.expectedDurationSeconds ?? 1);
  const best = model.nodes.map(() => 0);
  const via = model.nodes.map((): number | undefined => undefined);
  const order = model.nodes.map((n) => n.index).sort((a, b) => column[a]! - column[b]!);
  for (const i of order) {
    best[i] = weight[i]!;
    for (const u of model.nodes[i]!.upstream) {
      if (best[u]! + weight[i]! > best[i]!) {
        best[i] = best[u]! + weight[i]!;
        via[i] = u;
      }
    }
  }
  if (model.nodes.length === 0) return [];
  const last = order.reduce((a, b) => (best[b]! > best[a]! ? b : a));
  const path: string[] = [];
  for (let i: number | undefined = last; i !== undefined; i = via[i])
    path.push(model.nodes[i]!.task.id);
  return path.reverse();
}

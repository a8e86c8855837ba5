/**
 * @module compiler/sp-tree
 * The series-parallel tree: node constructors that keep it flat (no series directly in a series,
 * no parallel directly in a parallel), its makespan, and the ordering it imposes (which tasks
 * finish a block, which start it).
 */

import { InternalError } from '../errors.ts';
import { assertNever } from '../ir/types.ts';

export type SpNode =
  | { readonly kind: 'task'; readonly id: string }
  /** Items run one after the other: ≥ 2 items, none of them a series. */
  | { readonly kind: 'series'; readonly items: readonly SpNode[] }
  /** Branches run at once and all must finish: ≥ 2 branches, none of them a parallel. */
  | { readonly kind: 'parallel'; readonly branches: readonly SpNode[] }
  /** A task group kept as one contiguous block (group-level retry re-runs the whole block). */
  | { readonly kind: 'cluster'; readonly id: string; readonly body: SpNode };

export function series(items: readonly SpNode[]): SpNode {
  const flat = items.flatMap((item) => (item.kind === 'series' ? item.items : [item]));
  if (flat.length === 0) throw new InternalError('series of nothing');
  return flat.length === 1 ? flat[0]! : { kind: 'series', items: flat };
}

/** Branches must come in their final order (by their first task in the input). */
export function parallel(branches: readonly SpNode[]): SpNode {
  const flat = branches.flatMap((branch) =>
    branch.kind === 'parallel' ? branch.branches : [branch],
  );
  if (flat.length === 0) throw new InternalError('parallel of nothing');
  return flat.length === 1 ? flat[0]! : { kind: 'parallel', branches: flat };
}

/** Task ids per node, computed once: code generation asks for a node's tasks at every step. */
const taskLists = new WeakMap<SpNode, readonly string[]>();

/** Task ids in tree order (depth first). */
export function tasksOf(node: SpNode): readonly string[] {
  const cached = taskLists.get(node);
  if (cached) return cached;
  let out: readonly string[];
  switch (node.kind) {
    case 'task':
      out = [node.id];
      break;
    case 'series':
      out = node.items.flatMap((n) => tasksOf(n));
      break;
    case 'parallel':
      out = node.branches.flatMap((n) => tasksOf(n));
      break;
    case 'cluster':
      out = tasksOf(node.body);
      break;
    default:
      out = assertNever(node, 'series-parallel node');
  }
  taskLists.set(node, out);
  return out;
}

/** The clusters (task groups kept as one block) inside a subtree, outer before inner. */
export function clustersOf(node: SpNode): string[] {
  switch (node.kind) {
    case 'task':
      return [];
    case 'series':
      return node.items.flatMap(clustersOf);
    case 'parallel':
      return node.branches.flatMap(clustersOf);
    case 'cluster':
      return [node.id, ...clustersOf(node.body)];
    default:
      return assertNever(node, 'series-parallel node');
  }
}

/**
 * When the block finishes if it starts at `start`. Computed as a schedule (each task finishes at
 * its start plus its duration) rather than as sums of sub-blocks, so that the floating-point
 * result is bit-identical to the DAG's critical path whenever the tree adds no waiting.
 */
export function finishTime(node: SpNode, duration: (id: string) => number, start = 0): number {
  switch (node.kind) {
    case 'task':
      return start + duration(node.id);
    case 'series':
      return node.items.reduce((at, item) => finishTime(item, duration, at), start);
    case 'parallel':
      return node.branches.reduce(
        (end, branch) => Math.max(end, finishTime(branch, duration, start)),
        start,
      );
    case 'cluster':
      return finishTime(node.body, duration, start);
    default:
      return assertNever(node, 'series-parallel node');
  }
}

/** Tasks the block finishes with (nothing in the block runs after them). */
export function sinksOf(node: SpNode): string[] {
  switch (node.kind) {
    case 'task':
      return [node.id];
    case 'series':
      return sinksOf(node.items[node.items.length - 1]!);
    case 'parallel':
      return node.branches.flatMap(sinksOf);
    case 'cluster':
      return sinksOf(node.body);
    default:
      return assertNever(node, 'series-parallel node');
  }
}

/** Tasks the block starts with (nothing in the block runs before them). */
export function sourcesOf(node: SpNode): string[] {
  switch (node.kind) {
    case 'task':
      return [node.id];
    case 'series':
      return sourcesOf(node.items[0]!);
    case 'parallel':
      return node.branches.flatMap(sourcesOf);
    case 'cluster':
      return sourcesOf(node.body);
    default:
      return assertNever(node, 'series-parallel node');
  }
}

/**
 * The covering pairs of the tree's order: for each series, every task that ends one item before
 * every task that starts the next. Every other "a before b" of the tree follows from these, and
 * none of them follows from the others, so (minus the pairs the DAG already orders) they are the
 * smallest list of added waits.
 */
export function coveringPairs(node: SpNode, visit: (before: string, after: string) => void): void {
  switch (node.kind) {
    case 'task':
      return;
    case 'series':
      node.items.forEach((item, i) => {
        coveringPairs(item, visit);
        const next = node.items[i + 1];
        if (!next) return;
        const starts = sourcesOf(next);
        for (const before of sinksOf(item)) for (const after of starts) visit(before, after);
      });
      return;
    case 'parallel':
      node.branches.forEach((branch) => coveringPairs(branch, visit));
      return;
    case 'cluster':
      coveringPairs(node.body, visit);
      return;
    default:
      assertNever(node, 'series-parallel node');
  }
}

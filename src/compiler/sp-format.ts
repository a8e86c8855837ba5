/**
 * @module compiler/sp-format
 * A one-line text form of a series-parallel tree, for `updraft explain` and for tests:
 * `a > (b | (c > d)) > e`. `>` runs one after the other, `|` at once; every nested block is in
 * parentheses, so nothing depends on precedence; a task group kept as one block is `group[…]`.
 */
import { assertNever } from '../ir/types.ts';
import type { SpNode } from './sp-tree.ts';

export function formatTree(node: SpNode): string {
  const nested = (n: SpNode): string =>
    n.kind === 'series' || n.kind === 'parallel' ? `(${formatTree(n)})` : formatTree(n);
  switch (node.kind) {
    case 'task':
      return node.id;
    case 'series':
      return node.items.map(nested).join(' > ');
    case 'parallel':
      return node.branches.map(nested).join(' | ');
    case 'cluster':
      return `${node.id}[${formatTree(node.body)}]`;
    default:
      return assertNever(node);
  }
}

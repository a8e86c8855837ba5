/**
 * @module compiler/parts
 * Where a DAG too large for one state machine is cut into child state machines ("parts"). Step
 * Functions caps one machine's definition at 1 MiB, one execution's history at 25,000 events and
 * its state document at 256 KiB; a part is started from its parent with
 * `states:startExecution.sync:2` and has all three of its own.
 *
 * Cuts follow the series-parallel tree: consecutive items of a series, or branches of a parallel,
 * whose tasks together fit the budget become one part; an item over the budget is cut inside
 * itself the same way. Parts never nest: the parent holds the part Tasks and what it cut inside.
 * A retried group is never cut (its retry re-runs its states in one execution): it is a part of
 * its own when it is over the budget.
 *
 * What crosses a cut is only the records read outside the part (exports): those of its tasks
 * with downstream tasks outside it, and of the run's leaves (the run's result reads them). The
 * parent's document holds exports; each part's document holds what it was handed and its own.
 */
import type { CompileContext } from './context.ts';
import { effectiveLeaves } from './states/final.ts';
import { tasksOf, type SpNode } from './sp-tree.ts';

export interface PartPlan {
  /** The tree as the machines are made: grouped items and branches are nodes of their own. */
  readonly tree: SpNode;
  /** Nodes of `tree` each made as one part, inner parts before the parts around them. */
  readonly parts: readonly SpNode[];
}

/**
 * Cuts `tree` so that no machine holds more than `maxTasks` tasks of its own (a part's Task
 * counts one; a retried group may be larger). Bottom up: where a node's children hold more,
 * consecutive children are grouped, up to `maxTasks` together, and each group becomes a part.
 * Parts nest where the tree does: the fork/join tree of a tangled DAG is deep, each level
 * holding a few tasks around the next, and a part around a part keeps every machine small.
 */
export function planParts(tree: SpNode, maxTasks: number): PartPlan {
  const parts: SpNode[] = [];
  const isPart = new Set<SpNode>();
  /** Tasks each planned node holds in its own machine. */
  const own = new Map<SpNode, number>();
  const ownOf = (n: SpNode) => own.get(n) ?? tasksOf(n).length;
  const plan = (node: SpNode): SpNode => {
    if (node.kind === 'task' || node.kind === 'cluster') return node;
    const children = (node.kind === 'series' ? node.items : node.branches).map(plan);
    let total = children.reduce((n, c) => n + ownOf(c), 0);
    let out = children;
    if (total > maxTasks) {
      out = [];
      let group: SpNode[] = [];
      let size = 0;
      const flush = () => {
        if (group.length === 0) return;
        const g = group.length === 1 ? group[0]! : regroup(node, group);
        if (size > 1) {
          parts.push(g);
          isPart.add(g);
          own.set(g, size);
        }
        out.push(g);
        group = [];
        size = 0;
      };
      for (const c of children) {
        if (size + ownOf(c) > maxTasks) flush();
        group.push(c);
        size += ownOf(c);
      }
      flush();
      // A part's Task is one state of this machine.
      total = out.reduce((n, c) => n + (isPart.has(c) ? 1 : ownOf(c)), 0);
    }
    const made =
      node.kind === 'series'
        ? { kind: 'series' as const, items: out }
        : { kind: 'parallel' as const, branches: out };
    own.set(made, total);
    return made;
  };
  return { tree: plan(tree), parts };
}

/** Children of a series or parallel as a node of the same kind. */
function regroup(node: SpNode, children: SpNode[]): SpNode {
  return node.kind === 'series'
    ? { kind: 'series', items: children }
    : { kind: 'parallel', branches: children };
}

/** The tasks of a part whose records leave it: read by a task outside it, or a leaf of the run. */
export function partExports(ctx: CompileContext, part: SpNode): string[] {
  const inside = new Set(tasksOf(part));
  const leaves = new Set(effectiveLeaves(ctx));
  const read = new Set<string>();
  for (const t of ctx.dag.tasks) {
    if (inside.has(t.id)) continue;
    for (const u of ctx.upstream.get(t.id) ?? []) if (inside.has(u)) read.add(u);
    for (const f of ctx.forced.get(t.id) ?? []) if (inside.has(f.by)) read.add(f.by);
    if (t.role?.kind === 'teardown') for (const s of t.role.setups) if (inside.has(s)) read.add(s);
  }
  return tasksOf(part).filter((id) => read.has(id) || leaves.has(id));
}

/**
 * @module compiler/sp-clusters
 * Task groups for the series-parallel decomposition: the nesting tree of the groups given, and
 * the error for a group that cannot run as one block because a task outside it both depends on
 * the group and feeds it (the group contracted to one node would sit on a cycle).
 */
import { DagDefinitionError, InternalError } from '../errors.ts';

export interface ClusterTree {
  readonly id: string;
  /** Task indices directly or indirectly in the group, ascending. */
  readonly members: readonly number[];
  readonly children: readonly ClusterTree[];
}

export interface ClusterInput {
  readonly id: string;
  /** The enclosing group. When absent or not in the list, the smallest listed group holding all of this one's tasks. */
  readonly parent?: string;
  /** Task ids directly or indirectly in the group. */
  readonly members: readonly string[];
}

/**
 * The groups as a tree (roots first, children in input order). A group's members are its own
 * plus its subgroups'; groups without tasks are dropped (they have no states to keep together).
 *
 * A parent that is not in the list (the caller may pass only the groups that must stay whole,
 * e.g. those with a group-level retry) is inferred from the members: the smallest listed group
 * holding all of them (between groups with the same tasks, the one listed first is outside).
 */
export function clusterForest(
  clusters: readonly ClusterInput[],
  taskIndex: ReadonlyMap<string, number>,
): ClusterTree[] {
  const byId = new Map<string, ClusterInput>();
  for (const c of clusters) {
    if (byId.has(c.id)) throw new InternalError(`task group "${c.id}" is given twice`);
    for (const m of c.members)
      if (!taskIndex.has(m))
        throw new InternalError(`task group "${c.id}" lists unknown task "${m}"`);
    byId.set(c.id, c);
  }
  const sets = clusters.map((c) => new Set(c.members));
  const parentOf = new Map<string, string | undefined>();
  clusters.forEach((c, i) => {
    if (c.parent !== undefined && byId.has(c.parent)) return parentOf.set(c.id, c.parent);
    const own = sets[i]!;
    let best: number | undefined;
    sets.forEach((other, j) => {
      if (j === i || own.size === 0 || other.size < own.size || (other.size === own.size && j > i))
        return;
      if (![...own].every((t) => other.has(t))) return;
      const size = best === undefined ? Infinity : sets[best]!.size;
      if (other.size < size || (other.size === size && j > best!)) best = j;
    });
    parentOf.set(c.id, best === undefined ? undefined : clusters[best]!.id);
  });
  for (const c of clusters) {
    const chain = new Set<string>();
    for (let at: string | undefined = c.id; at !== undefined; at = parentOf.get(at)) {
      if (chain.has(at)) throw new InternalError(`task group "${at}" is nested in itself`);
      chain.add(at);
    }
  }
  const childIds = new Map<string | undefined, string[]>();
  for (const c of clusters)
    childIds.set(parentOf.get(c.id), [...(childIds.get(parentOf.get(c.id)) ?? []), c.id]);
  const build = (id: string): ClusterTree => {
    const children = (childIds.get(id) ?? []).map(build).filter((c) => c.members.length > 0);
    const members = new Set([
      ...byId.get(id)!.members.map((m) => taskIndex.get(m)!),
      ...children.flatMap((c) => c.members),
    ]);
    return { id, members: [...members].sort((a, b) => a - b), children };
  };
  return (childIds.get(undefined) ?? []).map(build).filter((r) => r.members.length > 0);
}

/** Thrown when keeping task groups as blocks would make them wait for themselves. */
export class SpGroupCycleError extends DagDefinitionError {
  readonly code = 'group-cycle';
  /** The groups on the cycle. */
  readonly groups: readonly string[];
  /** Tasks outside those groups on the cycle. */
  readonly tasks: readonly string[];
  /** The dependencies that close the cycle, in order. */
  readonly path: readonly { readonly from: string; readonly to: string }[];
  constructor(
    message: string,
    groups: readonly string[],
    tasks: readonly string[],
    path: readonly { readonly from: string; readonly to: string }[],
  ) {
    super(message, { problems: [{ code: 'group-cycle', severity: 'error', message }] });
    this.groups = groups;
    this.tasks = tasks;
    this.path = path;
  }
}

const q = (s: string): string => `"${s}"`;

function list(items: readonly string[]): string {
  const quoted = items.map(q);
  return quoted.length <= 1
    ? (quoted[0] ?? '')
    : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

/**
 * The error for a cycle through contracted groups. `path` is the cycle as real dependencies,
 * starting with one that leaves a group.
 */
export function groupCycleError(
  groups: readonly string[],
  outside: readonly string[],
  path: readonly { from: string; to: string }[],
): SpGroupCycleError {
  // "a" → "b" → "c", restarting the chain where a group is entered by one task and left by another.
  const chains: string[][] = [];
  for (const { from, to } of path) {
    const last = chains[chains.length - 1];
    if (last && last[last.length - 1] === from) last.push(to);
    else chains.push([from, to]);
  }
  const route = chains.map((c) => c.map(q).join(' → ')).join(', ');
  let message: string;
  if (groups.length === 1) {
    const g = q(groups[0]!);
    message =
      `Task group ${g} cannot run as one block: ${list(outside)} ${outside.length === 1 ? 'is' : 'are'} outside the group but between its tasks (${route}), ` +
      `so the group would have to wait for itself. Move ${list(outside)} into ${g}, or remove one of these dependencies.`;
  } else {
    message =
      `Task groups ${list(groups)} cannot each run as one block: their dependencies form a circle (${route}), ` +
      `so each group would have to wait for itself. Regroup these tasks, or remove one of these dependencies.`;
  }
  return new SpGroupCycleError(message, groups, outside, path);
}

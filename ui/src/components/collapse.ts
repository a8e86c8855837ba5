/**
 * A graph with some task groups collapsed: each collapsed group (the outermost one a task is in)
 * becomes one box at its first task's place, edges into and out of it kept once, the critical
 * path and added waits drawn through it. Its state is its tasks' worst.
 */
import type { DagDetail, GraphNode } from '../api.ts';

type Graph = DagDetail['graph'];

/** Task states, worst first: a collapsed group (box or grid row) shows its tasks' worst. */
export const SEVERITY = [
  'failed',
  'upstream_failed',
  'running',
  'up_for_retry',
  'queued',
  'skipped',
  'success',
  'none',
];

export const groupNodeId = (group: string) => `group:${group}`;

export function collapseGroups(
  graph: Graph,
  collapsed: ReadonlySet<string>,
  states: Readonly<Record<string, string>>,
): { readonly graph: Graph; readonly states: Readonly<Record<string, string>> } {
  if (collapsed.size === 0) return { graph, states };
  const boxOf = new Map<string, string>();
  const members = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) {
    const at = n.groups.findIndex((g) => collapsed.has(g));
    if (at < 0) continue;
    const group = n.groups[at]!;
    boxOf.set(n.id, groupNodeId(group));
    members.set(group, [...(members.get(group) ?? []), n]);
  }
  const box = (id: string) => boxOf.get(id) ?? id;
  const nodes: GraphNode[] = graph.nodes.filter((n) => !boxOf.has(n.id));
  const boxStates: Record<string, string> = { ...states };
  for (const [group, inside] of members) {
    nodes.push({
      id: groupNodeId(group),
      label: `▸ ${group.split('.').at(-1)} (${inside.length} task${inside.length === 1 ? '' : 's'})`,
      groups: inside[0]!.groups.slice(0, inside[0]!.groups.indexOf(group)),
      kind: 'group',
      notes: ['group: click to expand'],
      column: Math.min(...inside.map((n) => n.column)),
      row: Math.min(...inside.map((n) => n.row)),
      mapped: false,
    });
    const seen = inside.map((n) => states[n.id] ?? 'none');
    boxStates[groupNodeId(group)] = SEVERITY.find((s) => seen.includes(s)) ?? 'none';
  }
  const pairs = <T extends { readonly from: string; readonly to: string }>(list: readonly T[]) => {
    const kept = new Map<string, { from: string; to: string }>();
    for (const e of list) {
      const from = box(e.from);
      const to = box(e.to);
      if (from !== to) kept.set(`${from}->${to}`, { from, to });
    }
    return [...kept.values()];
  };
  const path = graph.criticalPath.map(box).filter((id, i, all) => id !== all[i - 1]);
  return {
    graph: {
      ...graph,
      nodes,
      edges: pairs(graph.edges),
      criticalPath: path,
      addedWaits: pairs(graph.addedWaits.map((w) => ({ from: w.before, to: w.after }))).map(
        (w) => ({ before: w.from, after: w.to }),
      ),
    },
    states: boxStates,
  };
}

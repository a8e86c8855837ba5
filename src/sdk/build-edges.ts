/**
 * @module sdk/build-edges
 * Edges → `EdgeIR` between concrete tasks: data edges from referenced outputs, explicit edges
 * from `then`/`chain` (task ids written as strings resolved, with a suggestion when unknown),
 * edges to a group reach its first tasks and edges from it leave its last tasks, and every
 * teardown runs after its setups.
 */
import type { EdgeIR, TaskIR } from '../ir/types.ts';
import { didYouMean, type ProblemCollector } from '../ir/problems.ts';
import type { DagBuilder, EdgeEnd, RawEdge } from './builder.ts';

type Resolved = { kind: 'task'; id: string } | { kind: 'group'; id: string };

export function resolveEdges(
  builder: DagBuilder,
  tasks: readonly TaskIR[],
  dataRefs: ReadonlyMap<string, ReadonlySet<string>>,
  out: ProblemCollector,
): EdgeIR[] {
  const taskIds = new Set(tasks.map((t) => t.id));
  const groupIds = new Set(builder.groups.map((g) => g.id));
  const edges = new Map<string, EdgeIR>();
  const add = (from: string, to: string, kind: EdgeIR['kind']) => {
    const key = `${from}\u0000${to}`;
    const existing = edges.get(key);
    if (!existing || (existing.kind === 'explicit' && kind === 'data'))
      edges.set(key, { from, to, kind });
  };

  for (const [to, refs] of dataRefs)
    for (const from of refs) if (taskIds.has(from)) add(from, to, 'data');

  const resolve = (end: EdgeEnd, other: EdgeEnd, edge: RawEdge): Resolved | undefined => {
    if (end.kind !== 'name') return end;
    if (taskIds.has(end.name)) return { kind: 'task', id: end.name };
    if (groupIds.has(end.name)) return { kind: 'group', id: end.name };
    const otherName = other.kind === 'name' ? other.name : other.id;
    const isTarget = end === edge.to;
    const candidates = [...taskIds, ...groupIds].filter((id) => id !== otherName);
    out.error(
      'unknown-task',
      `${isTarget ? `"${otherName}" is followed by` : `"${otherName}" depends on`} unknown task "${end.name}"${didYouMean(end.name, candidates)}`,
      {
        ...(other.kind === 'task' && { taskId: other.id }),
        ...(edge.source && { file: edge.source }),
        hint: 'use the id of a task (or group) declared in this DAG, with its group prefix (group.task)',
      },
    );
    return undefined;
  };

  const groupEdges: [Resolved, Resolved][] = [];
  for (const edge of builder.edges) {
    const from = resolve(edge.from, edge.to, edge);
    const to = resolve(edge.to, edge.from, edge);
    if (!from || !to) continue;
    if (from.id === to.id && from.kind === to.kind) {
      out.error('self-dependency', `${from.kind} "${from.id}" is set to run after itself`, {
        ...(from.kind === 'task' && { taskId: from.id }),
        ...(edge.source && { file: edge.source }),
        hint: 'remove this then()/chain() link',
      });
      continue;
    }
    if (from.kind === 'task' && to.kind === 'task') add(from.id, to.id, 'explicit');
    else groupEdges.push([from, to]);
  }

  for (const t of tasks) {
    if (t.role?.kind !== 'teardown') continue;
    for (const s of t.role.setups) if (taskIds.has(s)) add(s, t.id, 'explicit');
  }

  // Group ends are taken from the task-to-task edges inside each group.
  const taskEdges = [...edges.values()];
  const members = (g: string) =>
    tasks.filter((t) => t.group === g || t.group?.startsWith(`${g}.`)).map((t) => t.id);
  const ends = (g: string, side: 'first' | 'last'): string[] => {
    const inside = new Set(members(g));
    return [...inside].filter(
      (id) =>
        !taskEdges.some((e) =>
          side === 'first' ? e.to === id && inside.has(e.from) : e.from === id && inside.has(e.to),
        ),
    );
  };
  for (const [from, to] of groupEdges) {
    for (const g of [from, to]) {
      if (g.kind === 'group' && members(g.id).length === 0) {
        out.error(
          'empty-group',
          `group "${g.id}" has no tasks, so edges to or from it connect nothing`,
          { hint: 'add tasks to the group or remove it' },
        );
      }
    }
    const ups = from.kind === 'task' ? [from.id] : ends(from.id, 'last');
    const downs = to.kind === 'task' ? [to.id] : ends(to.id, 'first');
    for (const u of ups) for (const d of downs) if (u !== d) add(u, d, 'explicit');
  }

  return [...edges.values()];
}

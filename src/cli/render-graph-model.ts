/**
 * @module cli/render-graph-model
 * What the three `updraft graph` renderers share: a `DagIR` reshaped for drawing (tasks in
 * declaration order, upstream/downstream lists without duplicate edges, the group tree) and
 * the words shown beside a task (short name, mapped marker, kind, role, trigger rule).
 */
import { assertNever } from '../ir/types.ts';
import type { DagIR, GroupIR, TaskIR } from '../ir/types.ts';
import { InternalError } from '../errors.ts';

export interface GraphNode {
  readonly task: TaskIR;
  /** Position in `dag.tasks`: every renderer breaks ties by it, so output is deterministic. */
  readonly index: number;
  /** Groups enclosing the task, outermost first. */
  readonly groups: readonly string[];
  /** The id without its group's prefix (`clean` for `transform.clean`), plus ` [ ]` when mapped. */
  readonly label: string;
  readonly upstream: readonly number[];
  readonly downstream: readonly number[];
}

export interface GraphModel {
  readonly dag: DagIR;
  readonly nodes: readonly GraphNode[];
  readonly groups: ReadonlyMap<string, GroupIR>;
  /** Unique `[from, to]` node indexes, sorted by `from` then `to`. */
  readonly edges: readonly (readonly [number, number])[];
}

/** Indexes the DAG; an edge to a task that does not exist is our bug: validation rejects it first. */
export function graphModel(dag: DagIR): GraphModel {
  const groups = new Map(dag.groups.map((group) => [group.id, group]));
  const indexOf = new Map(dag.tasks.map((task, index) => [task.id, index]));
  const pairs = new Set<string>();
  const edges: [number, number][] = [];
  for (const edge of dag.edges) {
    const from = indexOf.get(edge.from);
    const to = indexOf.get(edge.to);
    if (from === undefined || to === undefined) {
      const missing = from === undefined ? edge.from : edge.to;
      throw new InternalError(
        `Cannot draw DAG "${dag.id}": edge ${edge.from} → ${edge.to} names unknown task "${missing}".`,
      );
    }
    // A data edge and an explicit edge between the same two tasks are one line in a drawing.
    if (pairs.has(`${from},${to}`)) continue;
    pairs.add(`${from},${to}`);
    edges.push([from, to]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const upstream = dag.tasks.map((): number[] => []);
  const downstream = dag.tasks.map((): number[] => []);
  for (const [from, to] of edges) {
    downstream[from]?.push(to);
    upstream[to]?.push(from);
  }
  const nodes = dag.tasks.map((task, index) => ({
    task,
    index,
    groups: groupChain(task.group, groups),
    label: `${shortName(task.id, task.group)}${task.mapping ? ' [ ]' : ''}`,
    upstream: upstream[index] ?? [],
    downstream: downstream[index] ?? [],
  }));
  return { dag, nodes, groups, edges };
}

export type GraphItem =
  | { readonly kind: 'task'; readonly node: GraphNode }
  | { readonly kind: 'group'; readonly group: GroupIR; readonly items: GraphItem[] };

/**
 * Tasks nested in their groups, for renderers that declare clusters (mermaid `subgraph`, dot
 * `cluster_`). Each level keeps declaration order, a group standing where its first task is;
 * groups without tasks come last in their parent.
 */
export function nestedItems(model: GraphModel): GraphItem[] {
  const top: GraphItem[] = [];
  const made = new Map<string, GraphItem[]>();
  const groupItems = (chain: readonly string[]): GraphItem[] => {
    let items = top;
    for (const id of chain) {
      let inner = made.get(id);
      if (!inner) {
        inner = [];
        made.set(id, inner);
        items.push({ kind: 'group', group: model.groups.get(id) ?? { id }, items: inner });
      }
      items = inner;
    }
    return items;
  };
  for (const node of model.nodes) groupItems(node.groups).push({ kind: 'task', node });
  for (const group of model.groups.values()) groupItems(groupChain(group.id, model.groups));
  return top;
}

/** A group's name inside its parent (`inner` for `transform.inner`). */
export function groupName(group: GroupIR): string {
  return shortName(group.id, group.parent);
}

/**
 * Words shown beside a task, in this order: its kind unless it is plain code (or unless the
 * node's shape already says it: `shapeShowsKind` for mermaid and dot), its setup/teardown role,
 * and its trigger rule unless it is the default `all_success`.
 */
export function taskNotes(task: TaskIR, shapeShowsKind: boolean): string[] {
  const notes: string[] = [];
  const body = task.body;
  switch (body.kind) {
    case 'function':
      break;
    case 'branch':
      if (!shapeShowsKind) notes.push('branch');
      break;
    case 'short_circuit':
      if (!shapeShowsKind) notes.push('short-circuit');
      break;
    case 'sensor':
      if (body.sensor.check.kind !== 'function') notes.push(`${body.sensor.check.kind} sensor`);
      else if (!shapeShowsKind) notes.push('sensor');
      break;
    case 'operator':
      notes.push(body.operator.kind);
      break;
    default:
      assertNever(body, 'task body kind');
  }
  if (task.role) notes.push(task.role.kind);
  if (task.triggerRule !== 'all_success') notes.push(`trigger: ${task.triggerRule}`);
  return notes;
}

function shortName(id: string, parent: string | undefined): string {
  return parent !== undefined && id.startsWith(`${parent}.`) ? id.slice(parent.length + 1) : id;
}

function groupChain(innermost: string | undefined, groups: ReadonlyMap<string, GroupIR>): string[] {
  const chain: string[] = [];
  // The `chain.includes` guard stops on a parent cycle, which validation reports elsewhere.
  for (let id = innermost; id !== undefined && !chain.includes(id); id = groups.get(id)?.parent)
    chain.unshift(id);
  return chain;
}

/**
 * @module sdk/nodes
 * Handles the DAG author holds: `TaskNode` (a task instance, which is also a reference to its
 * output), `GroupNode`, and the `Target` union that `then(...)` and `chain(...)` accept.
 */
import { DagDefinitionError } from '../errors.ts';
import { brand } from '../util/brand.ts';
import {
  OutputRef,
  callerLocation,
  currentBuilder,
  peekBuilder,
  type DagBuilder,
  type Declaration,
  type EdgeEnd,
} from './builder.ts';

const TASK_NODE = brand('TaskNode');
const GROUP_NODE = brand('GroupNode');

/** A task instance in a DAG. As an `OutputRef` it stands for the task's return value. */
export class TaskNode<T = unknown> extends OutputRef<T> {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return TASK_NODE.has(value);
  }
  readonly [TASK_NODE.key] = true;
  constructor(taskId: string, builder: DagBuilder) {
    super(taskId, [], builder);
  }

  get id(): string {
    return this.taskId;
  }

  /**
   * Run `targets` after this task (Airflow's `>>`). Returns the target, so `a.then(b).then(c)` chains.
   * Not a promise: do not `await` a task inside a DAG's build function.
   */
  then<const Ts extends readonly Target[]>(...targets: Ts): ThenResult<Ts> {
    return connectFrom(this.builder, { kind: 'task', id: this.taskId }, targets) as ThenResult<Ts>;
  }
}

/** A task group: its tasks' ids are prefixed with the group id; edges to it reach its first tasks. */
export class GroupNode<R = void> {
  static [Symbol.hasInstance](value: unknown): boolean {
    return GROUP_NODE.has(value);
  }
  readonly [GROUP_NODE.key] = true;
  readonly id: string;
  /** What the group's build function returned (often the output of its last task). */
  readonly output: R;
  /** @internal */
  readonly builder: DagBuilder;
  constructor(id: string, output: R, builder: DagBuilder) {
    this.id = id;
    this.output = output;
    this.builder = builder;
  }

  /** Run `targets` after every task of this group (after its last tasks, precisely). */
  then<const Ts extends readonly Target[]>(...targets: Ts): ThenResult<Ts> {
    return connectFrom(this.builder, { kind: 'group', id: this.id }, targets) as ThenResult<Ts>;
  }
}

/** A task declaration that can be instantiated without arguments (`then(load)`). */
export interface NullaryTaskFn<R = unknown> extends Declaration {
  (): TaskNode<R>;
  /** @internal */
  readonly instantiate: (builder: DagBuilder) => TaskNode<R>;
}

/** What `then` and `chain` accept: a task, a group, a task declaration taking no input, or a task id. */
export type Target = TaskNode<any> | GroupNode<any> | NullaryTaskFn<any> | string;
export type ChainItem = Target | readonly Target[];

type Resolved<T> = T extends NullaryTaskFn<infer R> ? TaskNode<R> : T extends string ? string : T;
export type ThenResult<Ts extends readonly Target[]> = Ts extends readonly [infer Only]
  ? Resolved<Only>
  : { [K in keyof Ts]: Resolved<Ts[K]> };

export function isTaskFn(value: unknown): value is NullaryTaskFn {
  return (
    typeof value === 'function' &&
    typeof (value as Partial<NullaryTaskFn>).instantiate === 'function'
  );
}

/** Resolve a target to an edge end (instantiating a task declaration if needed). */
export function resolveTarget(builder: DagBuilder, target: unknown): EdgeEnd {
  if (target instanceof TaskNode) return { kind: 'task', id: target.taskId };
  if (target instanceof GroupNode) return { kind: 'group', id: target.id };
  if (typeof target === 'string') return { kind: 'name', name: target };
  if (isTaskFn(target)) {
    const made = builder.instances.get(target) ?? [];
    if (made.length === 0) {
      builder.implicit.add(target);
      return { kind: 'task', id: target.instantiate(builder).taskId };
    }
    if (made.length > 1) {
      throw new DagDefinitionError(
        `Task "${target.taskId}" was called ${made.length} times (${made.join(', ')}), so then(${target.taskId}) is ambiguous: keep the result of the call you mean (const t = ${target.taskId}()) and pass that.`,
      );
    }
    return { kind: 'task', id: made[0]! };
  }
  if (typeof target === 'function') {
    throw new DagDefinitionError(
      'A task was awaited or used as a promise. Tasks are not promises: inside a DAG build function, call tasks without await and connect them with then() or by passing outputs.',
    );
  }
  throw new DagDefinitionError(
    `then()/chain() got ${target === null ? 'null' : typeof target} where a task, a group, a task declaration or a task id was expected.`,
  );
}

function targetHandle(builder: DagBuilder, target: unknown, end: EdgeEnd): unknown {
  if (isTaskFn(target) && end.kind === 'task') return new TaskNode(end.id, builder);
  return target;
}

/** The DAG a target belongs to: its own for a task or group handle, else the one it is resolved in. */
function ownerOf(builder: DagBuilder, target: unknown): DagBuilder {
  return target instanceof TaskNode || target instanceof GroupNode ? target.builder : builder;
}

const describeEnd = (end: EdgeEnd) =>
  end.kind === 'name' ? `"${end.name}"` : `${end.kind} "${end.id}"`;

/**
 * Records `from → to`, unless the two ends belong to different DAGs (a handle kept in a variable
 * and used in another DAG's build function): a state machine cannot wait for a state of another
 * one, so that is a problem of the DAG being built, with the cross-DAG way to say it.
 */
function link(
  from: { end: EdgeEnd; dag: DagBuilder },
  to: { end: EdgeEnd; dag: DagBuilder },
  source: string | undefined,
): void {
  if (from.dag === to.dag) {
    from.dag.addEdge(from.end, to.end, 'explicit', source);
    return;
  }
  const home = peekBuilder();
  const report = home && (home === to.dag || home === from.dag) ? home : to.dag;
  const own = report === to.dag ? to.end : from.end;
  const upstreamTask = from.end.kind === 'task' ? `, taskId: '${from.end.id}'` : '';
  report.problems.push({
    code: 'cross-dag-edge',
    severity: 'error',
    message: `${describeEnd(from.end)} of DAG "${from.dag.dagId}" is set to run before ${describeEnd(to.end)} of DAG "${to.dag.dagId}", but then() and chain() only connect tasks of the same DAG`,
    hint: `to make DAG "${to.dag.dagId}" wait for DAG "${from.dag.dagId}", put externalDagSensor('wait_for_${from.dag.dagId}', { dagId: '${from.dag.dagId}'${upstreamTask}, pokeInterval: '5m', timeout: '6h' }) in "${to.dag.dagId}" before ${describeEnd(to.end)}; or start "${to.dag.dagId}" from "${from.dag.dagId}" with triggerDag()`,
    dagId: report.dagId,
    ...(own.kind === 'task' && { taskId: own.id }),
    ...(source && { file: source }),
  });
}

function connectFrom(builder: DagBuilder, from: EdgeEnd, targets: readonly unknown[]): unknown {
  if (targets.length === 0)
    throw new DagDefinitionError('then() needs at least one task to run next.');
  const source = callerLocation();
  const out = targets.map((target) => {
    const dag = ownerOf(builder, target);
    const to = resolveTarget(dag, target);
    link({ end: from, dag: builder }, { end: to, dag }, source);
    return targetHandle(dag, target, to);
  });
  return out.length === 1 ? out[0] : out;
}

/**
 * Airflow's `chain(a, [b, c], d)`: each item runs after the previous one; a list next to a
 * single task fans out or in; two adjacent lists must have the same length and connect pairwise.
 */
export function chain(...items: readonly ChainItem[]): void {
  const builder = currentBuilder('chain()');
  const source = callerLocation();
  const end = (t: unknown) => ({
    end: resolveTarget(ownerOf(builder, t), t),
    dag: ownerOf(builder, t),
  });
  const ends = items.map((item) => (Array.isArray(item) ? item.map(end) : end(item)));
  for (let i = 1; i < ends.length; i++) {
    const up = ends[i - 1]!;
    const down = ends[i]!;
    if (Array.isArray(up) && Array.isArray(down)) {
      if (up.length !== down.length) {
        throw new DagDefinitionError(
          `chain(): adjacent lists must have the same length to connect pairwise, got ${up.length} and ${down.length} (items ${i} and ${i + 1}). Use crossDownstream(from, to) to connect every task of one list to every task of the other.`,
        );
      }
      up.forEach((from, k) => link(from, down[k]!, source));
    } else {
      for (const from of [up].flat()) for (const to of [down].flat()) link(from, to, source);
    }
  }
}

/** Airflow's `cross_downstream`: every task of `from` runs before every task of `to`. */
export function crossDownstream(from: readonly Target[], to: readonly Target[]): void {
  const builder = currentBuilder('crossDownstream()');
  const source = callerLocation();
  const end = (t: unknown) => ({
    end: resolveTarget(ownerOf(builder, t), t),
    dag: ownerOf(builder, t),
  });
  const ups = from.map(end);
  const downs = to.map(end);
  for (const up of ups) for (const down of downs) link(up, down, source);
}

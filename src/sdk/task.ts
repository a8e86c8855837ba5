/**
 * @module sdk/task
 * TaskFlow-style task declarations: `task`, `branch`, `shortCircuit`, `sensor`, `setup`,
 * `teardown`. A declaration is a function; calling it inside a DAG's build function creates a
 * task instance whose arguments (upstream outputs) become data edges, with the TypeScript types
 * of outputs flowing into inputs. `fn.map(list)` maps it dynamically over a runtime list.
 */
import type { TaskContext } from './context.ts';
import type { Duration } from './duration.ts';
import type { TaskOptions } from './options.ts';
import type { ContextRef, FormatRef, OutputRef } from './builder.ts';
import {
  callerLocation,
  currentBuilder,
  peekBuilder,
  type DagBuilder,
  type Declaration,
  type RawBody,
  type RawTask,
} from './builder.ts';
import { TaskNode, type Target } from './nodes.ts';

/** A value or a reference to one produced upstream (nested references allowed in objects and arrays). */
export type Input<T> =
  | T
  | OutputRef<T>
  | ContextRef<T>
  | (T extends string ? FormatRef : never)
  | (T extends readonly unknown[]
      ? { [K in keyof T]: Input<T[K]> }
      : T extends (...args: any[]) => any
        ? never
        : T extends object
          ? { [K in keyof T]: Input<T[K]> }
          : never);
export type Inputs<A extends readonly unknown[]> = { [K in keyof A]: Input<A[K]> };

/** Task code: the context first, then the task's inputs. */
export type TaskCode<A extends unknown[], R> = (
  ctx: TaskContext<any>,
  ...args: A
) => R | Promise<R>;

/** A task declaration. Call it to add a task instance to the DAG being built. */
export interface TaskFn<A extends unknown[], R> extends Declaration {
  (...args: Inputs<A>): TaskNode<R>;
  /**
   * Dynamic task mapping (Airflow's `expand`): one instance per element of `over`, known only at
   * run time; the remaining arguments are passed to every instance. Downstream tasks receive
   * the list of results. An empty list skips the task.
   */
  map<E, Rest extends unknown[]>(
    this: TaskFn<[E, ...Rest], R>,
    over: Input<readonly E[]>,
    ...rest: Inputs<Rest>
  ): TaskNode<R[]>;
  readonly taskId: string;
  /** @internal */
  readonly instantiate: (builder: DagBuilder) => TaskNode<R>;
}

interface DeclareSpec {
  id: string;
  options: Record<string, unknown>;
  body: RawBody;
  fn: ((...args: any[]) => unknown) | undefined;
  role?: RawTask['role'];
  kindName: string;
  ownKeys?: readonly string[];
}

function declare<A extends unknown[], R>(spec: DeclareSpec): TaskFn<A, R> {
  const source = callerLocation();
  const make = (
    builder: DagBuilder,
    args: unknown[],
    mapping?: RawTask['mapping'],
    explicit = true,
  ): TaskNode<R> => {
    const made = builder.instances.get(decl) ?? [];
    const localId = made.length === 0 ? spec.id : `${spec.id}__${made.length}`;
    const id = builder.fullId(localId);
    if (explicit && made.length > 0 && builder.implicit.has(decl)) {
      builder.problems.push({
        code: 'task-called-again',
        severity: 'warning',
        message: `task "${spec.id}" was already added by then()/chain() as "${made[0]}", so this call adds a second instance "${id}"`,
        hint: `call it once and pass the handle around: const t = ${spec.id}(); chain(..., t)`,
        dagId: builder.dagId,
        taskId: id,
        ...(callerLocation() && { file: callerLocation() }),
      });
    }
    made.push(id);
    builder.instances.set(decl, made);
    builder.addTask({
      id,
      localId,
      group: builder.currentGroup,
      body: spec.body,
      options: spec.options,
      args,
      mapping,
      role: spec.role,
      fn: spec.fn,
      ownKeys: spec.ownKeys,
      // Options are written where the task is declared: point messages there.
      source: source ?? callerLocation(),
    });
    return new TaskNode<R>(id, builder);
  };
  const decl = Object.assign(
    (...args: unknown[]) => make(currentBuilder(`${spec.kindName} "${spec.id}"`), args),
    {
      taskId: spec.id,
      instantiate: (builder: DagBuilder) => make(builder, [], undefined, false),
      map(over: unknown, ...rest: unknown[]) {
        const builder = currentBuilder(`${spec.kindName} "${spec.id}".map()`);
        return make(builder, [over, ...rest], { over, argIndex: 0 });
      },
    },
  ) as unknown as TaskFn<A, R>;
  peekBuilder()?.declared.push({ decl, source });
  return decl;
}

function split<O>(
  a: O | TaskCode<any, any>,
  b: TaskCode<any, any> | undefined,
): [Record<string, unknown>, TaskCode<any, any> | undefined] {
  if (typeof a === 'function') return [{}, a as TaskCode<any, any>];
  return [(a ?? {}) as Record<string, unknown>, b];
}

/**
 * A task running TypeScript code (a Lambda function on AWS). Its return value is its output,
 * passed to downstream tasks that take it as input.
 *
 * ```ts
 * const extract = task('extract', { connections: ['warehouse'] }, async (ctx) => ({ rows: 42 }));
 * const check = task('check', async (ctx, e: { rows: number }) => e.rows > 0);
 * check(extract());
 * ```
 */
export function task<A extends unknown[], R>(id: string, fn: TaskCode<A, R>): TaskFn<A, Awaited<R>>;
export function task<A extends unknown[], R>(
  id: string,
  options: TaskOptions,
  fn: TaskCode<A, R>,
): TaskFn<A, Awaited<R>>;
export function task(
  id: string,
  a: TaskOptions | TaskCode<any, any>,
  b?: TaskCode<any, any>,
): TaskFn<any, any> {
  const [options, fn] = split(a, b);
  return declare({ id, options, fn, body: { kind: 'function' }, kindName: 'task' });
}

/** A setup task (Airflow `@setup`): prepares a resource; teardowns that name it run even after failures. */
export function setup<A extends unknown[], R>(
  id: string,
  fn: TaskCode<A, R>,
): TaskFn<A, Awaited<R>>;
export function setup<A extends unknown[], R>(
  id: string,
  options: TaskOptions,
  fn: TaskCode<A, R>,
): TaskFn<A, Awaited<R>>;
export function setup(
  id: string,
  a: TaskOptions | TaskCode<any, any>,
  b?: TaskCode<any, any>,
): TaskFn<any, any> {
  const [options, fn] = split(a, b);
  return declare({
    id,
    options,
    fn,
    body: { kind: 'function' },
    role: { kind: 'setup' },
    kindName: 'setup',
  });
}

export interface TeardownOptions extends Omit<TaskOptions, 'triggerRule'> {
  /** The setup tasks whose resources this teardown releases; it runs once they and the work between are done. */
  readonly setups: Target | readonly Target[];
  /** A failing teardown fails the run. @default false (Airflow's default) */
  readonly onFailureFailDagrun?: boolean;
}

/** A teardown task (Airflow `@teardown`): runs when its setups succeeded, whatever happened in between. */
export function teardown<A extends unknown[], R>(
  id: string,
  options: TeardownOptions,
  fn: TaskCode<A, R>,
): TaskFn<A, Awaited<R>> {
  const { setups, onFailureFailDagrun, ...rest } = options ?? ({} as TeardownOptions);
  return declare({
    id,
    options: rest,
    fn,
    body: { kind: 'function' },
    role: {
      kind: 'teardown',
      setups: [setups ?? []].flat() as unknown[],
      onFailureFailDagrun: onFailureFailDagrun ?? false,
    },
    kindName: 'teardown',
    ownKeys: ['setups', 'onFailureFailDagrun'],
  });
}

export interface BranchOptions<C extends string> extends TaskOptions {
  /**
   * The task ids this branch may return (direct downstream tasks). Declaring them lets
   * `updraft validate` check them and types the function's return value.
   */
  readonly choices?: readonly C[];
}

/**
 * A branch (Airflow `@task.branch`): returns the id(s) of the direct downstream tasks to run;
 * the other direct downstream tasks are skipped, and the skip propagates by trigger rules.
 * Return `null` (or `[]`) to skip them all.
 */
export function branch<const C extends string, A extends unknown[]>(
  id: string,
  options: BranchOptions<C>,
  fn: TaskCode<A, NoInfer<C> | readonly NoInfer<C>[] | null>,
): TaskFn<A, C | readonly C[] | null>;
export function branch<A extends unknown[]>(
  id: string,
  fn: TaskCode<A, string | readonly string[] | null>,
): TaskFn<A, string | readonly string[] | null>;
export function branch(
  id: string,
  a: BranchOptions<string> | TaskCode<any, any>,
  b?: TaskCode<any, any>,
): TaskFn<any, any> {
  const [options, fn] = split(a, b);
  const { choices, ...rest } = options;
  return declare({
    id,
    options: rest,
    fn,
    body: { kind: 'branch', choices: choices ?? [] },
    kindName: 'branch',
    ownKeys: ['choices'],
  });
}

export interface ShortCircuitOptions extends TaskOptions {
  /**
   * `true`: a false result skips every task downstream, whatever its trigger rule. `false`:
   * only the direct downstream tasks are skipped and trigger rules decide the rest.
   * @default true (Airflow's default)
   */
  readonly ignoreDownstreamTriggerRules?: boolean;
}

/** A short-circuit (Airflow `@task.short_circuit`): a falsy result skips what follows. */
export function shortCircuit<A extends unknown[]>(
  id: string,
  fn: TaskCode<A, boolean>,
): TaskFn<A, boolean>;
export function shortCircuit<A extends unknown[]>(
  id: string,
  options: ShortCircuitOptions,
  fn: TaskCode<A, boolean>,
): TaskFn<A, boolean>;
export function shortCircuit(
  id: string,
  a: ShortCircuitOptions | TaskCode<any, any>,
  b?: TaskCode<any, any>,
): TaskFn<any, any> {
  const [options, fn] = split(a, b);
  const { ignoreDownstreamTriggerRules, ...rest } = options;
  return declare({
    id,
    options: rest,
    fn,
    body: {
      kind: 'short_circuit',
      ignoreDownstreamTriggerRules: ignoreDownstreamTriggerRules ?? true,
    },
    kindName: 'shortCircuit',
    ownKeys: ['ignoreDownstreamTriggerRules'],
  });
}

/** When and how long a sensor pokes. */
export interface SensorTiming {
  /** Wait between pokes. */
  readonly pokeInterval: Duration;
  /** Give up after this long: the sensor fails (or is skipped with `softFail`). Required. */
  readonly timeout: Duration;
  /** Grow each wait by this factor (Airflow's exponential backoff). @default 1 (constant) */
  readonly backoff?: number;
  /** Cap on the grown wait. @default - no cap */
  readonly maxPokeInterval?: Duration;
  /** On timeout, end `skipped` instead of `failed`. @default false */
  readonly softFail?: boolean;
}
export const SENSOR_TIMING_KEYS = [
  'pokeInterval',
  'timeout',
  'backoff',
  'maxPokeInterval',
  'softFail',
] as const satisfies readonly (keyof SensorTiming)[];

/** What a sensor's poke returns: done or not, and optionally an output for downstream tasks. */
export interface PokeResult<T> {
  readonly done: boolean;
  readonly output?: T;
}
type SensorOutput<R> = R extends PokeResult<infer T> ? T : boolean;

/**
 * A sensor with a poke function (Airflow `@task.sensor`): poked until it returns true (or
 * `{ done: true, output }`); between pokes the state machine waits at no compute cost.
 */
export function sensor<A extends unknown[], R extends boolean | PokeResult<unknown>>(
  id: string,
  options: TaskOptions & SensorTiming,
  fn: TaskCode<A, R>,
): TaskFn<A, SensorOutput<R>> {
  const raw = (options ?? {}) as unknown as Record<string, unknown>;
  const timing: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    ((SENSOR_TIMING_KEYS as readonly string[]).includes(key) ? timing : rest)[key] = value;
  return declare({
    id,
    options: rest,
    fn,
    body: { kind: 'sensor', check: { kind: 'function' }, timing },
    kindName: 'sensor',
  });
}

/**
 * @module sdk/builder
 * The DAG under construction. `dag(...)` runs its build function synchronously with a
 * `DagBuilder` as the current context; task factories register raw declarations here. Nothing
 * is checked here beyond what is needed to record it: `build-ir.ts` turns the raw declarations
 * into IR and collects every problem at once.
 */
import type { Problem } from '../ir/types.ts';
import { brand } from '../util/brand.ts';
import { DagDefinitionError } from '../errors.ts';

const OUTPUT_REF = brand('OutputRef');
const CONTEXT_REF = brand('ContextRef');
const FORMAT_REF = brand('FormatRef');

/** A reference to (part of) an upstream task's output. Passing it to a task creates a data edge. */
export class OutputRef<T = unknown> {
  static [Symbol.hasInstance](value: unknown): boolean {
    return OUTPUT_REF.has(value);
  }
  readonly [OUTPUT_REF.key] = true;
  /** Phantom: carries the output type for TypeScript, never set at run time. */
  declare readonly __type?: T;
  readonly taskId: string;
  readonly path: readonly (string | number)[];
  /** @internal the DAG this reference belongs to */
  readonly builder: DagBuilder;
  constructor(taskId: string, path: readonly (string | number)[], builder: DagBuilder) {
    this.taskId = taskId;
    this.path = path;
    this.builder = builder;
  }

  /** A field of the output (`extract().get('rows')`), typed. */
  get<K extends keyof NonNullable<T> & (string | number)>(key: K): OutputRef<NonNullable<T>[K]> {
    return new OutputRef<NonNullable<T>[K]>(this.taskId, [...this.path, key], this.builder);
  }

  toJSON(): string {
    return `<output of ${this.taskId}${this.path.map((p) => `.${p}`).join('')}>`;
  }
}

/** A value of the run (logical date, params …) usable in operator parameters; see `runValues`. */
export class ContextRef<T = string> {
  static [Symbol.hasInstance](value: unknown): boolean {
    return CONTEXT_REF.has(value);
  }
  readonly [CONTEXT_REF.key] = true;
  declare readonly __type?: T;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

/** A string template with run values or upstream outputs in it; see `format`. */
export class FormatRef {
  static [Symbol.hasInstance](value: unknown): boolean {
    return FORMAT_REF.has(value);
  }
  readonly [FORMAT_REF.key] = true;
  declare readonly __type?: string;
  readonly template: string;
  readonly args: readonly unknown[];
  constructor(template: string, args: readonly unknown[]) {
    this.template = template;
    this.args = args;
  }
}

/** Where something points: a task, a group, or an id written as a string (resolved later). */
export type EdgeEnd =
  | { kind: 'task'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'name'; name: string };

export interface RawEdge {
  from: EdgeEnd;
  to: EdgeEnd;
  kind: 'data' | 'explicit';
  source?: string;
}

export type RawBody =
  | { kind: 'function' }
  | { kind: 'branch'; choices: unknown }
  | { kind: 'short_circuit'; ignoreDownstreamTriggerRules: unknown }
  | { kind: 'sensor'; check: RawSensorCheck; timing: Record<string, unknown> }
  | { kind: 'operator'; operator: { kind: string } & Record<string, unknown> };

export type RawSensorCheck =
  | { kind: 'function' }
  | { kind: 's3_key'; bucket: unknown; key: unknown }
  | { kind: 'external_dag'; dagId: unknown; taskId?: unknown; offset?: unknown }
  | { kind: 'time'; after: unknown };

export interface RawTask {
  /** Full id, group prefix included. */
  id: string;
  localId: string;
  group?: string;
  body: RawBody;
  options: Record<string, unknown>;
  args: unknown[];
  mapping?: { over: unknown; argIndex: number };
  role?: { kind: 'setup' } | { kind: 'teardown'; setups: unknown[]; onFailureFailDagrun: unknown };
  fn?: (...args: any[]) => unknown;
  /** Operators and built-in sensors: what runs in place of the AWS service on the embedded engine. */
  local?: LocalOverride;
  source?: string;
  /** Options the factory itself takes (`choices`, `functionName` …), for suggestions on typos. */
  ownKeys?: readonly string[];
}

/**
 * A local stand-in for a native operator or built-in sensor on the embedded engine: receives the
 * service request the state machine would send (`Parameters` with values filled in) and returns
 * what the service integration returns (for sensors: true when the condition holds).
 */
export type LocalOverride = (request: Record<string, unknown>) => unknown;

export interface RawGroup {
  id: string;
  localId: string;
  parent?: string;
  options: Record<string, unknown>;
  source?: string;
}

/** Anything with a stable identity for the per-DAG instance counter (a TaskFn). */
export type Declaration = object & { readonly taskId: string };

export class DagBuilder {
  readonly tasks: RawTask[] = [];
  readonly groups: RawGroup[] = [];
  readonly edges: RawEdge[] = [];
  readonly problems: Problem[] = [];
  /** Instances created from each declaration, in call order. */
  readonly instances = new Map<Declaration, string[]>();
  /** Declarations made while this DAG was building, to warn about ones never used. */
  readonly declared: { decl: Declaration; source?: string }[] = [];
  readonly groupStack: string[] = [];
  /** Declarations instantiated implicitly by then()/chain() (not by a call), to catch a later call adding a second instance. */
  readonly implicit = new Set<Declaration>();

  readonly dagId: string;
  constructor(dagId: string) {
    this.dagId = dagId;
  }

  get currentGroup(): string | undefined {
    return this.groupStack.at(-1);
  }

  fullId(localId: string): string {
    const group = this.currentGroup;
    return group ? `${group}.${localId}` : localId;
  }

  addTask(task: RawTask): void {
    this.tasks.push(task);
  }

  addEdge(from: EdgeEnd, to: EdgeEnd, kind: RawEdge['kind'], source?: string): void {
    this.edges.push({ from, to, kind, source });
  }
}

let current: DagBuilder | undefined;

/** The DAG being built; throws when called outside a `dag(...)` build function. */
export function currentBuilder(what: string): DagBuilder {
  if (!current) {
    throw new DagDefinitionError(
      `${what} was used outside a dag(...) build function. Create tasks inside the function passed to dag(id, options, () => { ... }).`,
    );
  }
  return current;
}

export function peekBuilder(): DagBuilder | undefined {
  return current;
}

export function withBuilder<R>(builder: DagBuilder, build: () => R): R {
  const outer = current;
  current = builder;
  try {
    return build();
  } finally {
    current = outer;
  }
}

/**
 * The file and line of the DAG author's code that called into the SDK, from the stack.
 * Used in messages (`→ dags/daily.ts:12`); absolute here, made relative by the loader.
 */
export function callerLocation(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (!m) continue;
    // `?updraft-gen=N`: a module `updraft dev` loaded again after its file changed.
    const file = m[1]!.replace(/^file:\/\//, '').replace(/\?updraft-gen=\d+$/, '');
    if (isSdkFrame(file)) continue;
    return `${file}:${m[2]}`;
  }
  return undefined;
}

/** The folder of the built SDK (`dist/`) when this runs from the build; undefined from the sources. */
const BUILT_DIR = import.meta.url.endsWith('.ts')
  ? undefined
  : decodeURIComponent(new URL('./', import.meta.url).pathname);

/** A stack frame of the SDK itself (sources or build) or of a dependency, not of the DAG's author. */
export function isSdkFrame(file: string): boolean {
  return (
    /\/src\/sdk\//.test(file) ||
    file.includes('/node_modules/') ||
    (BUILT_DIR !== undefined && file.startsWith(BUILT_DIR))
  );
}

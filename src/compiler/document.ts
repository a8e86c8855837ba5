/**
 * @module compiler/document
 * The state document every state of a compiled machine reads and writes:
 *
 *   { "run":  { dagId, runId, logicalDate, ds, dataIntervalStart, dataIntervalEnd, params, triggeredBy, timers },
 *     "t":    { "<key>": { "s": <state>, "o": <output or null>, … }, … },
 *     "done": { "<key>": <given>, … },
 *     "err":  <the last caught error, transient> }
 *
 * A failed record is `{ "s": "failed", "o": null, "e": { "Error", "Cause" } }`, or, for a task
 * that fails in place (compiler/context failsInPlace), `{ "s": { "Error", "Cause" } }`: the
 * Catch of its Task state writes the error as its state, and nothing but the task runner reads
 * its output (runtime/resume stateOfRecord and errorOfRecord read both forms).
 *
 * `done` is how a run resumes (retry, clear) on both targets: a new execution of the same machine
 * whose input hands back what tasks that must not run again answered before, per task key —
 * `{ "r": <response> }` (what the Task state received: the task runner's payload), `{ "o": <output> }`
 * (an operator's recorded output), `{ "e": { "Error", "Cause" } }` (a failure that stays, for
 * clear), or for a mapped task `{ "g": [<given or null> per instance] }`. Tasks the task runner
 * runs get all of `done` and answer from their own entry without running their code; an
 * operator's Choice routes around its service call when its key is present. The execution input
 * is `{ run, t: {}, done: {…} }`, `done: {}` on a first execution (so a first run carries nothing).
 */
import { assertNever, type DagIR, type TaskIR } from '../ir/types.ts';
import { intrinsicString } from './intrinsics.ts';

export type Keys = ReadonlyMap<string, string>;

/** An error as Step Functions' Catch writes it: `{ Error, Cause }`. */
export interface ErrorOutput {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * The error a value is, when it is one: a record's `e`, or the state of a task that failed in
 * place (its Catch wrote the error as `s`). Undefined for a state name or anything else.
 */
export function errorOutput(value: unknown): ErrorOutput | undefined {
  return typeof value === 'object' &&
    value !== null &&
    typeof (value as { Error?: unknown }).Error === 'string'
    ? (value as ErrorOutput)
    : undefined;
}

/** A JSONPath-safe, unique key per task, deterministic (declaration order breaks collisions). */
export function recordKeys(dag: Pick<DagIR, 'tasks'>): Keys {
  const keys = new Map<string, string>();
  const used = new Set<string>();
  for (const t of dag.tasks) {
    const base = t.id.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
    used.add(key);
    keys.set(t.id, key);
  }
  return keys;
}

// Every path into the document is written here: renderers never spell `$.t.<key>` themselves.
export const RUN = '$.run';
export const ERR = '$.err';
export const DONE = '$.done';
/** Every record, as one object. */
export const RECORDS = '$.t';
export const given = (key: string) => `$.done.${key}`;
export const record = (key: string) => `$.t.${key}`;
export const field = (key: string, name: string) => `$.t.${key}.${name}`;
/** A run value (`dagId`, `ds`, `params` …). */
export const runValue = (name: string) => `$.run.${name}`;
/** The timestamp a time sensor waits for (the launcher computes it). */
export const timer = (key: string) => `$.run.timers.${key}`;

/** A JSONPath suffix for a path into a value: `.files[0]`. */
export function subPath(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

/** A task's output, or a part of it. */
export const output = (key: string, path: readonly (string | number)[] = []) =>
  `${field(key, 'o')}${subPath(path)}`;

/**
 * `t` with the given records merged in, as an intrinsic expression: `json` is their JSON text,
 * escaped for States.Format (which resolves the `\{ \}` escapes; AWS and aws-local-stepfunctions alike).
 */
export function recordsMergedWith(json: string): string {
  return `States.JsonMerge(${RECORDS}, States.StringToJson(States.Format(${intrinsicString(json)})), false)`;
}

/**
 * The record of a mapped task that failed as a whole (its list is not a list, its Map Run
 * failed): counted as one failed instance, so every trigger rule reads it as failed.
 */
export const MAPPED_FAILED_WHOLE = { s: 'mapped', o: null, n: 1, f: true, a: false } as const;

/**
 * Fields every record of this task has whatever its state, so rules can read them safely:
 * short-circuits carry `o` (true unless it returned false), branches `c` (chosen downstream keys),
 * mapped tasks `n`/`f`/`a` (instances, any failed, any succeeded).
 */
export function recordDefaults(
  task: TaskIR,
  downstreamKeys: readonly string[],
): Record<string, unknown> {
  if (task.mapping) return { o: null, n: 0, f: false, a: false };
  switch (task.body.kind) {
    case 'short_circuit':
      return { o: true };
    case 'branch':
      return { o: null, c: Object.fromEntries(downstreamKeys.map((k) => [k, false])) };
    case 'function':
    case 'sensor':
    case 'operator':
      return { o: null };
    default:
      return assertNever(task.body, 'task body');
  }
}

/**
 * @module runtime/resume
 * How a run resumes (retry, clear) on both targets: a new execution of the same state machine
 * whose input carries, per task key, what the tasks that must not run again answered before
 * (compiler/document: `done`). The engine and `updraft retry --target aws` build that input here,
 * from the same records (the run's tries); the task runner answers a given request here.
 */
import type { DagIR } from '../ir/types.ts';
import {
  ERROR_NAMES,
  errorOutput,
  INLINE_MAP_ITEMS_MAX,
  instanceKey,
  recordKeys,
  type ErrorOutput,
} from '../compiler/contract.ts';
import type { ErrorInfo, TaskState, TryRecord } from '../store/types.ts';
import { withSetupsAndTeardowns } from './resume-scope.ts';
import { valueAt } from './args.ts';
import { isObjectRef, type ObjectRef, type ObjectStore } from './objects.ts';

/**
 * A task instance's earlier answer: a function task's response (what the task runner returned),
 * an operator's recorded output (its service is not called again), or a failure that stays (clear).
 */
export type Given =
  | { readonly r: unknown }
  | { readonly o: unknown }
  | { readonly e: { readonly Error: string; readonly Cause: string } };
/**
 * Per task key: a task's answer, or a mapped task's per instance (null: run that instance) — in
 * the payload bucket when they are many (`doneToBucket`), read back by `givenEntry`.
 */
export type GivenEntry =
  | Given
  | {
      readonly g: readonly (Given | null)[] | ObjectRef;
      /**
       * A Distributed Map's instances still to run, as `[{ i, v }]` (index, item) in the payload
       * bucket: the resumed Map runs only those (compiler/states/mapped `[pending]`).
       */
      readonly p?: {
        readonly key: string;
        readonly items: number;
        /**
         * A tolerated percentage of failed instances, over these instances: the task's
         * percentage of the whole list, scaled (at most 100), so a retry tolerates as many
         * failed instances as the whole list would.
         */
        readonly tp?: number;
      };
    };
export type Done = Readonly<Record<string, GivenEntry>>;

/** What a resumed instance hands back: a function task's response, an operator's recorded output, or a failure kept. */
export type Reuse =
  | { readonly response: unknown }
  | { readonly output: unknown }
  | { readonly error: ErrorInfo };

/** The resume error a kept failure raises again: permanent, so the task's retries do not run it. */
export const KEPT_FAILURE = ERROR_NAMES.permanent;

/**
 * `done` for a resume: for each task, `decide` says what each of its instances hands back
 * (undefined: run it). Instances are the ones the tries know of (a mapped task's indexes).
 */
export function buildDone(
  tasks: readonly { readonly id: string; readonly key: string; readonly mapped: boolean }[],
  tries: readonly TryRecord[],
  decide: (taskId: string, mapIndex: number) => Reuse | undefined,
): Done {
  const instances = new Map<string, number>();
  for (const t of tries)
    if (t.mapIndex >= 0)
      instances.set(t.taskId, Math.max(instances.get(t.taskId) ?? 0, t.mapIndex + 1));
  const done: Record<string, GivenEntry> = {};
  const given = (r: Reuse | undefined): Given | null => {
    if (r === undefined) return null;
    if ('error' in r) return { e: { Error: KEPT_FAILURE, Cause: r.error.cause } };
    return 'output' in r ? { o: r.output ?? null } : { r: r.response ?? null };
  };
  for (const task of tasks) {
    if (task.mapped) {
      const g = Array.from({ length: instances.get(task.id) ?? 0 }, (_, i) =>
        given(decide(task.id, i)),
      );
      if (g.some((x) => x !== null)) done[task.key] = { g };
    } else {
      const one = given(decide(task.id, -1));
      if (one) done[task.key] = one;
    }
  }
  return done;
}

/**
 * `done` with each long list of a mapped task's earlier answers in the payload bucket: a resumed
 * Distributed Map of thousands of instances would hand back more than an execution's 256 KiB
 * input (and every child execution's input carries `done`).
 */
export async function doneToBucket(
  done: Done,
  objects: ObjectStore,
  keyOf: (name: string) => string,
  ir?: DagIR,
): Promise<Done> {
  const pending = ir ? await pendingLists(ir, done, objects, keyOf) : new Map();
  const out: Record<string, GivenEntry> = {};
  for (const [key, entry] of Object.entries(done)) {
    const list = 'g' in entry && Array.isArray(entry.g) ? entry.g : undefined;
    const text = list && JSON.stringify(list);
    const p = pending.get(key);
    if (list && text && (list.length > INLINE_MAP_ITEMS_MAX || text.length > GIVEN_INLINE_BYTES)) {
      const g = { $ref: await objects.put(keyOf(key), text), bytes: Buffer.byteLength(text) };
      out[key] = p ? { g, p } : { g };
    } else out[key] = p && list ? { g: list, p } : entry;
  }
  return out;
}

/**
 * For each task mapped over a list in the payload bucket (a ListRef its upstream task handed back
 * as it was) with instances that succeeded before: the instances still to run, as `[{ i, v }]` in
 * the bucket, so the resumed Distributed Map starts a child execution for those only; its collect
 * state takes the others' answers from `done`.
 */
async function pendingLists(
  ir: DagIR,
  done: Done,
  objects: ObjectStore,
  keyOf: (name: string) => string,
): Promise<Map<string, { key: string; items: number; tp?: number }>> {
  const keys = recordKeys(ir);
  const out = new Map<string, { key: string; items: number; tp?: number }>();
  for (const task of ir.tasks) {
    const over = task.mapping?.over;
    if (over?.kind !== 'output') continue;
    const key = keys.get(task.id)!;
    const entry = done[key];
    const given = entry && 'g' in entry && Array.isArray(entry.g) ? entry.g : undefined;
    const producer = done[keys.get(over.task)!];
    if (!given || !producer || !('r' in producer)) continue;
    const ref = valueAt(producer.r, over.path);
    if (!isObjectRef(ref) || ref.key === undefined) continue;
    const items = JSON.parse(await objects.get(ref.$ref)) as unknown[];
    const rest = items.flatMap((v, i) => (given[i] ? [] : [{ i, v }]));
    if (rest.length === 0 || rest.length === items.length) continue;
    const listKey = keyOf(`${key}-pending`);
    await objects.put(listKey, JSON.stringify(rest));
    const tolerated = task.mapping?.toleratedFailures;
    const tp =
      tolerated && 'percent' in tolerated
        ? Math.min(100, (tolerated.percent * items.length) / rest.length)
        : undefined;
    out.set(key, { key: listKey, items: rest.length, ...(tp !== undefined && { tp }) });
  }
  return out;
}

/** A mapped task's earlier answers kept in the execution's input up to this size. */
const GIVEN_INLINE_BYTES = 16 * 1024;

/** Lists read back from the bucket, by reference (immutable objects: a container reads each once). */
const givenLists = new Map<string, Promise<readonly (Given | null)[]>>();
const GIVEN_LISTS_KEPT = 8;

/** A task's `done` entry with its list read back from the bucket when it is there. */
export async function givenEntry(
  entry: GivenEntry | null | undefined,
  objects: ObjectStore,
): Promise<GivenEntry | null | undefined> {
  if (!entry || !('g' in entry) || !isObjectRef(entry.g)) return entry;
  const ref = entry.g.$ref;
  let list = givenLists.get(ref);
  if (!list) {
    list = objects.get(ref).then((text) => JSON.parse(text) as (Given | null)[]);
    givenLists.set(ref, list);
    if (givenLists.size > GIVEN_LISTS_KEPT) givenLists.delete(givenLists.keys().next().value!);
    list.catch(() => givenLists.delete(ref));
  }
  return { g: await list };
}

/** The given answer of one request (a mapped instance picks its own by index), or undefined to run it. */
export function givenFor(
  entry: GivenEntry | null | undefined,
  mapIndex: number,
): Given | undefined {
  if (entry === null || entry === undefined) return undefined;
  if ('g' in entry) {
    if (!Array.isArray(entry.g))
      throw new Error("a mapped task's earlier answers must be read back first (givenEntry)");
    return mapIndex >= 0
      ? ((entry.g as readonly (Given | null)[])[mapIndex] ?? undefined)
      : undefined;
  }
  return entry;
}

/** What the run's earlier executions left: the same facts on the engine and on AWS. */
export interface Earlier {
  /** Each task's state after the last execution (task records locally; the failed execution's document on AWS). */
  readonly states: ReadonlyMap<string, TaskState>;
  /** The tries of tasks the task runner runs (function tasks, sensors, mapped instances), with their responses. */
  readonly tries: readonly TryRecord[];
  /** Operators' recorded outputs and errors (they have no tries on AWS: the service ran them). */
  readonly operators: ReadonlyMap<
    string,
    { readonly output?: unknown; readonly error?: ErrorInfo }
  >;
}

/** retry: failed tasks and what they stopped run again; clear: the chosen tasks (and their downstream). */
export type Resume =
  | { readonly kind: 'retry' }
  | { readonly kind: 'clear'; readonly tasks: readonly string[]; readonly downstream: boolean };

/**
 * The `done` of a resumed execution. Retry: what did not finish (not success, not skipped) runs
 * again; clear: the chosen tasks run again and every other task keeps its outcome (a failure
 * too). Either way the setups and teardowns around what runs again run again (Airflow), and a
 * mapped task that runs again still hands back the instances that succeeded.
 */
export function resumeDone(ir: DagIR, earlier: Earlier, resume: Resume): Done {
  const keys = recordKeys(ir);
  const operators = new Set(ir.tasks.filter((t) => t.body.kind === 'operator').map((t) => t.id));
  const last = new Map<string, TryRecord>();
  for (const t of earlier.tries) {
    const k = instanceKey(t.taskId, t.mapIndex);
    const prev = last.get(k);
    if (!prev || t.tryNumber > prev.tryNumber) last.set(k, t);
  }
  const keep = resume.kind === 'clear';
  const chosen =
    resume.kind === 'retry'
      ? new Set(
          ir.tasks
            .map((t) => t.id)
            .filter(
              (id) => earlier.states.get(id) !== 'success' && earlier.states.get(id) !== 'skipped',
            ),
        )
      : clearTargets(ir, resume.tasks, resume.downstream);
  const again = withSetupsAndTeardowns(ir, chosen);
  return buildDone(
    ir.tasks.map((t) => ({ id: t.id, key: keys.get(t.id)!, mapped: t.mapping !== undefined })),
    earlier.tries,
    (taskId, mapIndex): Reuse | undefined => {
      // Retry hands back the succeeded instances of a task that runs again (a mapped task's).
      if (again.has(taskId) && (keep || !chosen.has(taskId))) return undefined;
      if (operators.has(taskId)) {
        const op = earlier.operators.get(taskId);
        const state = earlier.states.get(taskId);
        if (state === 'success') return { output: op?.output ?? null };
        return keep && state === 'failed' && op?.error ? { error: op.error } : undefined;
      }
      const t = last.get(instanceKey(taskId, mapIndex));
      if (t?.state === 'success') return { response: t.response ?? null };
      return keep && t?.state === 'failed' && t.error ? { error: t.error } : undefined;
    },
  );
}

/** The tasks a clear runs again: the chosen ones and, with `downstream`, everything after them. */
export function clearTargets(
  ir: DagIR,
  taskIds: readonly string[],
  downstream: boolean,
): Set<string> {
  const cleared = new Set(taskIds);
  if (!downstream) return cleared;
  const stack = [...taskIds];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of ir.edges) {
      if (e.from === id && !cleared.has(e.to)) {
        cleared.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return cleared;
}

/**
 * A task's state from its record in the run document (compiler/document); mapped tasks summarise
 * their instances, and a task that failed in place has its error as its state.
 */
export function stateOfRecord(rec: Readonly<Record<string, unknown>>): TaskState | undefined {
  if (errorOutput(rec.s)) return 'failed';
  if (rec.s === 'mapped')
    return rec.f ? 'failed' : Number(rec.n ?? 0) === 0 ? 'skipped' : 'success';
  if (rec.s === 'poking') return 'running';
  if (rec.s === 'timeout') return undefined;
  return rec.s as TaskState | undefined;
}

/** A failed task's error in its record: `e`, or its state itself when it failed in place. */
export function errorOfRecord(rec: Readonly<Record<string, unknown>>): ErrorOutput | undefined {
  return errorOutput(rec.s) ?? errorOutput(rec.e);
}

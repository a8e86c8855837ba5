/**
 * @module runtime/resume
 * How a run resumes (retry, clear) on both targets: a new execution of the same state machine
 * whose input carries, per task key, what the tasks that must not run again answered before
 * (compiler/document: `done`). The engine and `updraft retry --target aws` build that input here,
 * from the same records (the run's tries); the task runner answers a given request here.
 */
import type { ErrorInfo, TryRecord } from '../store/types.ts';

/**
 * A task instance's earlier answer: a function task's response (what the task runner returned),
 * an operator's recorded output (its service is not called again), or a failure that stays (clear).
 */
export type Given = { readonly r: unknown } | { readonly o: unknown } | { readonly e: { readonly Error: string; readonly Cause: string } };
/** Per task key: a task's answer, or a mapped task's per instance (null: run that instance). */
export type GivenEntry = Given | { readonly g: readonly (Given | null)[] };
export type Done = Readonly<Record<string, GivenEntry>>;

/** What a resumed instance hands back: a function task's response, an operator's recorded output, or a failure kept. */
export type Reuse = { readonly response: unknown } | { readonly output: unknown } | { readonly error: ErrorInfo };

/** The resume error a kept failure raises again: permanent, so the task's retries do not run it. */
export const KEPT_FAILURE = 'Updraft.PermanentError';

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
  for (const t of tries) if (t.mapIndex >= 0) instances.set(t.taskId, Math.max(instances.get(t.taskId) ?? 0, t.mapIndex + 1));
  const done: Record<string, GivenEntry> = {};
  const given = (r: Reuse | undefined): Given | null => {
    if (r === undefined) return null;
    if ('error' in r) return { e: { Error: KEPT_FAILURE, Cause: r.error.cause } };
    return 'output' in r ? { o: r.output ?? null } : { r: r.response ?? null };
  };
  for (const task of tasks) {
    if (task.mapped) {
      const g = Array.from({ length: instances.get(task.id) ?? 0 }, (_, i) => given(decide(task.id, i)));
      if (g.some((x) => x !== null)) done[task.key] = { g };
    } else {
      const one = given(decide(task.id, -1));
      if (one) done[task.key] = one;
    }
  }
  return done;
}

/** The given answer of one request (a mapped instance picks its own by index), or undefined to run it. */
export function givenFor(entry: GivenEntry | null | undefined, mapIndex: number): Given | undefined {
  if (entry === null || entry === undefined) return undefined;
  if ('g' in entry) return mapIndex >= 0 ? (entry.g[mapIndex] ?? undefined) : undefined;
  return entry;
}

/**
 * @module engine/outcome
 * What a run's tasks ended as, read from the run's final document (each task's record) and this
 * execution's tally of tries and times: their state, output or error, tries, and for mapped tasks
 * how their instances ended.
 */
import type { TaskState } from '../ir/types.ts';
import type { ErrorInfo } from '../store/types.ts';
import type { Manifest } from '../compiler/contract.ts';
import { errorOfRecord, stateOfRecord } from '../runtime/resume.ts';
import type { TaskTally } from './task-tally.ts';

/** How one task ended: the one shape every runner reports (updraft/testing's `Outcome` too). */
export interface TaskOutcome {
  readonly state: TaskState;
  /** Tries in this execution (mapped: the most any instance took); 0 when its code never ran. */
  readonly attempts: number;
  /** The output as recorded: inline, or a reference to the payload store (`{ $ref, bytes }`). */
  readonly output?: unknown;
  /** Why it failed: the Step Functions error name (`Updraft.PermanentError`, `States.Timeout`…) and its cause. */
  readonly error?: ErrorInfo;
  /** Mapped tasks: how many instances ran and how many of them failed. */
  readonly mapped?: { readonly count: number; readonly failed: number };
  /** A resumed run handed back its earlier result instead of running it again. */
  readonly reused?: boolean;
}

/** When a task ran, on the run's clock. */
export interface TaskDetail {
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Its states' transitions (TaskRecord.transitions). */
  readonly transitions?: number;
}

/**
 * The transitions a run took per task: each state's count goes to the tasks it belongs to (in
 * equal parts when it is shared, as a group's retry state is), and a pool wait's retries, counted
 * by task id, to that task. The run's own states count for none: its start, and its end (the
 * Choice that reads the leaves' records to decide the run's result, the Succeed or Fail state).
 */
export function transitionsByTask(
  manifest: Pick<Manifest, 'states' | 'tasks'>,
  counts: ReadonlyMap<string, number>,
): Map<string, number> {
  const taskIds = new Set(manifest.tasks.map((t) => t.id));
  const byTask = new Map<string, number>();
  const add = (taskId: string, n: number) => byTask.set(taskId, (byTask.get(taskId) ?? 0) + n);
  for (const [name, n] of counts) {
    if (manifest.states[name]?.role === 'final') continue;
    const tasks = manifest.states[name]?.tasks;
    if (tasks && tasks.length > 0) for (const t of tasks) add(t, n / tasks.length);
    else if (!tasks && taskIds.has(name)) add(name, n);
  }
  return byTask;
}

/** Each task with a record in the document: its outcome and details. */
export function taskOutcomes(
  manifest: Manifest,
  document: { t?: Record<string, Record<string, unknown>> } | undefined,
  tally: TaskTally,
): { tasks: Record<string, TaskOutcome>; details: Record<string, TaskDetail> } {
  const tasks: Record<string, TaskOutcome> = {};
  const details: Record<string, TaskDetail> = {};
  const mostAttempts = tally.mostAttempts();
  for (const t of manifest.tasks) {
    const rec = document?.t?.[t.key];
    const count = mostAttempts.get(t.id) ?? 0;
    const time = tally.timesOf(t.id);
    if (!rec) continue;
    const state = stateOfRecord(rec) as TaskState;
    const error = errorOfRecord(rec);
    tasks[t.id] = {
      state,
      attempts: count,
      ...(rec.o !== undefined && rec.o !== null && { output: rec.o }),
      ...(error !== undefined && { error: { error: error.Error, cause: error.Cause ?? '' } }),
      // A failed Map Run's record does not know how many instances ran: its error says why.
      ...(rec.s === 'mapped' &&
        error === undefined && {
          mapped: { count: Number(rec.n ?? 0), failed: mappedFailures(rec) },
        }),
      ...(tally.wasReused(t.id) && count === 0 && { reused: true }),
    };
    details[t.id] = {
      ...(time && { startedAt: time.start, ...(time.end !== undefined && { endedAt: time.end }) }),
    };
  }
  return { tasks, details };
}

/** Failed instances of a mapped task's record: counted from its array, else its failure flag. */
function mappedFailures(rec: Record<string, unknown>): number {
  // A Distributed Map's collected record counts them (runtime/map-run).
  if (typeof rec.nf === 'number') return rec.nf;
  if (Array.isArray(rec.a))
    return (rec.a as { s?: string }[]).filter((x) => x?.s === 'failed').length;
  return rec.f ? 1 : 0;
}

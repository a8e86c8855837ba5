/**
 * @module cli/interrupt
 * Ctrl-C (SIGINT) while `run`, `retry`, `clear` or `backfill` executes runs: the runs this
 * process drives are marked failed (`Updraft.Interrupted`, so `retry` can resume them at once,
 * without waiting for the dead-process check), and the user is told which run stopped, which of
 * its tasks had finished, which were stopped or never started, and how to resume. Exit 130, the
 * shell's code for a SIGINT. A second Ctrl-C exits at once.
 */
import type { ErrorInfo, RunRecord, Store, TaskRecord } from '../store/types.ts';
import { EXIT_INTERRUPTED } from './errors.ts';
import { ERROR_NAMES } from '../compiler/contract.ts';
import type { Io } from './io.ts';

export const INTERRUPTED = ERROR_NAMES.interrupted;

const FINISHED = new Set(['success', 'failed', 'skipped', 'upstream_failed']);

export interface InterruptWatch {
  /** Stops listening for SIGINT (the command ended normally). */
  readonly dispose: () => void;
}

export interface InterruptOptions {
  readonly io: Io;
  readonly store: Store;
  /** Runs this command drives (seen in its events), reported even before they have an owner. */
  readonly tracked?: ReadonlySet<string>;
  /** Task ids of a DAG in graph order, for the report. */
  readonly orderOf: (dagId: string) => readonly string[];
  /** Printed after the runs' reports (backfill: how to start the intervals not reached). */
  readonly footer?: readonly string[];
  /** Called first: stop redrawing progress, write pending log lines. */
  readonly beforeReport?: () => void;
  /** @default process.exit */
  readonly exit?: (code: number) => void;
}

/** Listens for SIGINT until `dispose`. */
export function watchInterrupt(options: InterruptOptions): InterruptWatch {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = () => {
    if (stopping) return exit(EXIT_INTERRUPTED);
    stopping = true;
    options.beforeReport?.();
    void reportInterrupt(options)
      .catch((error: unknown) =>
        options.io.err(`  (could not read the runs' records: ${(error as Error).message})`),
      )
      .finally(() => exit(EXIT_INTERRUPTED));
  };
  process.on('SIGINT', handler);
  return { dispose: () => void process.off('SIGINT', handler) };
}

/** Marks this process's active runs failed and says what happened to each. */
export async function reportInterrupt(options: InterruptOptions): Promise<void> {
  const { io, store } = options;
  const active = (await store.activeRuns()).filter(
    (r) => options.tracked?.has(r.runId) || r.owner?.pid === process.pid,
  );
  if (active.length === 0) {
    io.err('✖ Interrupted (Ctrl-C) before a run started: nothing to resume.');
    return;
  }
  for (const run of active.sort((a, b) => a.runId.localeCompare(b.runId))) {
    const tasks = await stop(store, run);
    for (const line of interruptLines(run, tasks, options.orderOf(run.dagId))) io.err(line);
  }
  for (const line of options.footer ?? []) io.err(line);
}

async function stop(store: Store, run: RunRecord): Promise<TaskRecord[]> {
  const error: ErrorInfo = {
    error: INTERRUPTED,
    cause: `interrupted (Ctrl-C) while it ran; resume it with: updraft retry ${run.runId}`,
  };
  await store.updateRun(
    run.runId,
    { status: 'failed', endedAt: new Date().toISOString(), error, owner: undefined },
    { ifStatus: ['queued', 'running'] },
  );
  // The report keeps the states the tasks were in; the store gets them failed, as retry expects.
  const tasks = await store.listTasks(run.runId);
  for (const t of tasks)
    if (!FINISHED.has(t.state)) await store.putTask({ ...t, state: 'failed', error });
  return tasks;
}

/** The report for one run: its tasks by what became of them, in graph order, and the way on. */
export function interruptLines(
  run: RunRecord,
  tasks: readonly TaskRecord[],
  order: readonly string[],
): string[] {
  const index = new Map(order.map((id, i) => [id, i]));
  const sorted = [...tasks].sort(
    (a, b) =>
      (index.get(a.taskId) ?? 1e9) - (index.get(b.taskId) ?? 1e9) ||
      a.taskId.localeCompare(b.taskId),
  );
  const finished = sorted.filter((t) => FINISHED.has(t.state));
  const stopped = sorted.filter((t) => t.state === 'running' || t.state === 'up_for_retry');
  const started = new Set([...finished, ...stopped].map((t) => t.taskId));
  const notStarted = [...new Set([...order, ...sorted.map((t) => t.taskId)])].filter(
    (id) => !started.has(id),
  );
  const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');
  return [
    `✖ Interrupted (Ctrl-C): run ${run.runId} stopped${run.attempt > 1 ? ` (execution ${run.attempt})` : ''} and marked failed.`,
    `  finished: ${list(finished.map((t) => `${t.taskId} (${t.state})`))}`,
    `  stopped: ${list(stopped.map((t) => `${t.taskId} (was ${t.state})`))}`,
    ...(notStarted.length > 0 ? [`  not started: ${list(notStarted)}`] : []),
    `  ↳ resume it: updraft retry ${run.runId} (tasks that succeeded are not run again)`,
  ];
}

/**
 * @module cli/render-run
 * How a run looks in the terminal and in `--json`: one line per task state change while it
 * runs (or a redrawn list on a TTY), then a summary table (task, state, tries, duration) in
 * graph order — every task of the DAG, started or not — and the run id; the same data as JSON.
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { RunRecord, TaskRecord, TaskState, TryRecord } from '../store/types.ts';
import { formatDuration } from '../sdk/duration.ts';

/** `none`: a task of a run that ended (failed, interrupted) before the task was started. */
export type RowState = TaskState | 'none';

const ICON: Record<RowState, string> = {
  none: '–',
  queued: '·',
  running: '▸',
  up_for_retry: '↻',
  success: '✔',
  failed: '✖',
  skipped: '⤼',
  upstream_failed: '⊘',
};

export function paint(state: string, text: string, color: boolean): string {
  if (!color) return text;
  switch (state) {
    case 'success':
      return pc.green(text);
    case 'failed':
    case 'upstream_failed':
      return pc.red(text);
    case 'running':
    case 'queued':
      return pc.cyan(text);
    case 'up_for_retry':
      return pc.yellow(text);
    default:
      return pc.dim(text);
  }
}

export function stateLabel(state: string, color: boolean): string {
  return paint(state, `${ICON[state as RowState] ?? '?'} ${state}`, color);
}

export function durationOf(start?: string, end?: string): string {
  if (!start || !end) return '';
  const ms = Date.parse(end) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : formatDuration(Math.round(ms / 1000));
}

/** One task of a run as tables and `--json` show it. */
export interface TaskRow extends Omit<TaskRecord, 'state'> {
  readonly state: RowState;
  /** Tries across every execution of the run (try numbers continue when retry/clear resume it). */
  readonly tries: number;
}

/**
 * A run's tasks in graph order (`order`: as `updraft graph` draws the DAG), each task of the DAG
 * whether it started or not — `queued` while the run is active, `none` once it ended without
 * the task — then any recorded task the DAG no longer has. `tries` is the highest try number of
 * the task's tries (of any mapped instance); the records' `attempts` count the latest execution's.
 */
export function taskRows(
  run: RunRecord,
  records: readonly TaskRecord[],
  tries: readonly TryRecord[],
  order: readonly string[],
): TaskRow[] {
  const byId = new Map(records.map((r) => [r.taskId, r]));
  const most = new Map<string, number>();
  for (const t of tries) most.set(t.taskId, Math.max(most.get(t.taskId) ?? 0, t.tryNumber));
  const known = new Set(order);
  const ids = [
    ...order,
    ...records
      .map((r) => r.taskId)
      .filter((id) => !known.has(id))
      .sort(),
  ];
  const pending: RowState = run.status === 'queued' || run.status === 'running' ? 'queued' : 'none';
  return ids.map((taskId) => {
    const record = byId.get(taskId);
    const base = record ?? {
      runId: run.runId,
      dagId: run.dagId,
      taskId,
      state: pending,
      attempts: 0,
    };
    return { ...base, tries: Math.max(most.get(taskId) ?? 0, record?.attempts ?? 0) };
  });
}

export function taskTable(tasks: readonly TaskRow[], color: boolean): string {
  const table = new Table({
    head: ['task', 'state', 'tries', 'duration'],
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] },
  });
  for (const t of tasks) {
    const note = t.reused
      ? ' (reused)'
      : t.mapped
        ? ` (${t.mapped.count} mapped${t.mapped.failed ? `, ${t.mapped.failed} failed` : ''})`
        : '';
    table.push([
      t.taskId,
      `${stateLabel(t.state, color)}${note}`,
      t.tries ? String(t.tries) : '',
      durationOf(t.startedAt, t.endedAt),
    ]);
  }
  return table.toString();
}

export function runHeadline(run: RunRecord, color: boolean): string {
  const took = durationOf(run.startedAt, run.endedAt);
  return `${stateLabel(run.status, color)}  ${run.runId}  (logical date ${run.logicalDate}${took ? `, took ${took}` : ''}${run.attempt > 1 ? `, execution ${run.attempt}` : ''})`;
}

/** `run --json` and friends. */
export function runJson(run: RunRecord, tasks: readonly TaskRow[]) {
  return {
    runId: run.runId,
    dagId: run.dagId,
    status: run.status,
    logicalDate: run.logicalDate,
    dataInterval: { start: run.dataIntervalStart, end: run.dataIntervalEnd },
    attempt: run.attempt,
    startedAt: run.startedAt ?? null,
    endedAt: run.endedAt ?? null,
    ...(run.error && { error: run.error }),
    tasks: Object.fromEntries(
      tasks.map((t) => [
        t.taskId,
        {
          state: t.state,
          attempts: t.attempts,
          tries: t.tries,
          startedAt: t.startedAt ?? null,
          endedAt: t.endedAt ?? null,
          ...(t.error && { error: t.error }),
          ...(t.mapped && { mapped: t.mapped }),
          ...(t.reused && { reused: true }),
        },
      ]),
    ),
  };
}

/**
 * @module cli/render-run
 * How a run looks in the terminal and in `--json`: one line per task state change while it
 * runs (or a redrawn list on a TTY), then a summary table (task, state, tries, duration) and
 * the run id; the same data as JSON for scripts.
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { RunRecord, TaskRecord, TaskState } from '../store/types.ts';
import { formatDuration } from '../sdk/duration.ts';

const ICON: Record<TaskState, string> = {
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
  return paint(state, `${ICON[state as TaskState] ?? '?'} ${state}`, color);
}

export function durationOf(start?: string, end?: string): string {
  if (!start || !end) return '';
  const ms = Date.parse(end) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : formatDuration(Math.round(ms / 1000));
}

/** Task records in DAG order (the order given), unknown ones last. */
export function ordered(tasks: readonly TaskRecord[], order: readonly string[]): TaskRecord[] {
  const index = new Map(order.map((id, i) => [id, i]));
  return [...tasks].sort((a, b) => (index.get(a.taskId) ?? 1e9) - (index.get(b.taskId) ?? 1e9) || a.taskId.localeCompare(b.taskId));
}

export function taskTable(tasks: readonly TaskRecord[], color: boolean): string {
  const table = new Table({ head: ['task', 'state', 'tries', 'duration'], style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] } });
  for (const t of tasks) {
    const note = t.reused ? ' (reused)' : t.mapped ? ` (${t.mapped.count} mapped${t.mapped.failed ? `, ${t.mapped.failed} failed` : ''})` : '';
    table.push([t.taskId, `${stateLabel(t.state, color)}${note}`, t.attempts ? String(t.attempts) : '', durationOf(t.startedAt, t.endedAt)]);
  }
  return table.toString();
}

export function runHeadline(run: RunRecord, color: boolean): string {
  const took = durationOf(run.startedAt, run.endedAt);
  return `${stateLabel(run.status, color)}  ${run.runId}  (logical date ${run.logicalDate}${took ? `, took ${took}` : ''}${run.attempt > 1 ? `, execution ${run.attempt}` : ''})`;
}

/** `run --json` and friends. */
export function runJson(run: RunRecord, tasks: readonly TaskRecord[]) {
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

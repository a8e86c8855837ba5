/**
 * @module cli/commands/logs
 * `updraft logs <runId> [task | --task T] [--json]`: what a run's tasks logged (`ctx.log`, plus the
 * engine's line for each failed try), one line each — time, level, task, try, message, extra
 * fields as key=value — by execution (a heading per execution once retry/clear resumed the run),
 * then oldest first. Times the embedded engine's virtual clock simulated (after it skipped a
 * retry delay, Wait or sensor poke interval) are marked `~`: they are the times AWS would log,
 * ahead of the wall clock. Secrets were masked when the lines were written. With
 * `--target aws|localstack`, the lines come from CloudWatch Logs (the DAG's task log group,
 * filtered by run and task).
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { join } from 'node:path';
import { didYouMean } from '../../ir/problems.ts';
import { executionOf, readRunLogs } from '../../engine/logs.ts';
import type { LogLine } from '../../runtime/task-logger.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { withSession } from '../session.ts';
import { requireRun } from './show.ts';
import { addTargetOptions, onCloud, targetOf, type Target } from '../target.ts';
import type { RunRecord, Store } from '../../store/types.ts';

/** Fields every line has; the rest are the task's own, printed as key=value. */
const STANDARD = new Set([
  'time',
  'level',
  'dag',
  'run',
  'task',
  'try',
  'mapIndex',
  'message',
  'execution',
  'simulated',
]);

/** Marks a time the virtual clock simulated. */
export const SIMULATED_MARK = '~';
export const SIMULATED_NOTE = `${SIMULATED_MARK} simulated time: the embedded engine skipped waits (retry delays, Wait states, sensor poke intervals) on its virtual clock; AWS would log these times. --real-time waits instead.`;

/** `rows=3`, `table="a b"`, `connection={"host":"h"}`: bare when unambiguous, else JSON. */
export function field(key: string, value: unknown): string {
  const text =
    typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return `${key}=${text}`;
}

function paintLevel(level: string, color: boolean): string {
  const text = level.toUpperCase().padEnd(5);
  if (!color) return text;
  switch (level) {
    case 'error':
      return pc.red(text);
    case 'warn':
      return pc.yellow(text);
    case 'debug':
      return pc.dim(text);
    default:
      return text;
  }
}

/** `marks`: some line of the output has a simulated time, so every time gets a mark column. */
export function formatLine(
  line: LogLine,
  taskWidth: number,
  color: boolean,
  marks = false,
): string {
  const task = `${line.task}${line.mapIndex !== undefined && line.mapIndex >= 0 ? `[${line.mapIndex}]` : ''}`;
  const extra = Object.entries(line)
    .filter(([k]) => !STANDARD.has(k) && k !== 'stack')
    .map(([k, v]) => field(k, v));
  // A failed try's stack trace (task runner), printed under its line as written.
  const stack = typeof line.stack === 'string' ? `\n${line.stack}` : '';
  const time = marks ? `${line.time}${line.simulated === true ? SIMULATED_MARK : ' '}` : line.time;
  return (
    [
      time,
      paintLevel(line.level, color),
      task.padEnd(taskWidth),
      `try ${line.try}`,
      line.message,
      ...extra,
    ].join('  ') + stack
  );
}

/** A usage error unless the run has (or had) a task with this id. */
async function requireTask(store: Store, runId: string, taskId: string): Promise<void> {
  const ids = (await store.listTasks(runId)).map((t) => t.taskId).sort();
  if (ids.includes(taskId)) return;
  throw new UsageError(`task "${taskId}" is not in run ${runId}${didYouMean(taskId, ids)}`, {
    hint: ids.length
      ? `its tasks: ${ids.join(', ')}; or leave the task out for every task's lines`
      : 'no task of this run has started yet',
  });
}

function print(
  io: Io,
  lines: readonly LogLine[],
  runId: string,
  taskId: string | undefined,
  json: boolean,
): void {
  if (json) {
    io.out(JSON.stringify(lines, null, 2));
    return;
  }
  if (lines.length === 0) {
    io.out(
      taskId === undefined
        ? `No log lines for run ${runId}: its tasks logged nothing (task code logs with ctx.log.info(message, fields)).`
        : `No log lines for task "${taskId}" of run ${runId}: it logged nothing (task code logs with ctx.log.info(message, fields)).`,
    );
    return;
  }
  const width = Math.max(
    ...lines.map(
      (l) =>
        l.task.length +
        (l.mapIndex !== undefined && l.mapIndex >= 0 ? String(l.mapIndex).length + 2 : 0),
    ),
  );
  const marks = lines.some((l) => l.simulated === true);
  const headings = new Set(lines.map(executionOf)).size > 1;
  let execution: number | undefined;
  for (const line of lines) {
    if (headings && executionOf(line) !== execution) {
      execution = executionOf(line);
      const heading = `── execution ${execution}${execution > 1 ? ' (resumed by retry or clear)' : ''} ──`;
      io.out(io.color ? pc.bold(heading) : heading);
    }
    io.out(formatLine(line, width, io.color, marks));
  }
  if (marks) io.out(io.color ? pc.dim(SIMULATED_NOTE) : SIMULATED_NOTE);
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('logs')
    .description("print a run's task logs, oldest first (time, level, task, try, message, fields)")
    .argument('<runId>', 'run id (updraft runs lists them)')
    .argument('[task]', 'only this task')
    .option('--task <task>', 'only this task (the same as the [task] argument)')
    .option(
      '--json',
      'print the log lines: [{ time, level, dag, run, task, try, execution, simulated?, mapIndex?, message, ...fields }]',
    );
  addTargetOptions(command).action(
    async (
      runId: string,
      taskArg: string | undefined,
      opts: { task?: string; json?: boolean; target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      if (taskArg !== undefined && opts.task !== undefined && taskArg !== opts.task) {
        throw new UsageError(`two different tasks given: "${taskArg}" and --task "${opts.task}"`, {
          hint: 'name one task, either way',
        });
      }
      const taskId = taskArg ?? opts.task;
      const target: Target = targetOf(opts);
      const json = Boolean(opts.json || options.json);
      if (target.kind !== 'local') {
        const { fetchRunLogs } = await import('../../cloud/logs.ts');
        await onCloud(target, async (cloud) => {
          const run: RunRecord = await requireRun(cloud.store, runId, target);
          if (taskId !== undefined) await requireTask(cloud.store, runId, taskId);
          print(io, await fetchRunLogs(cloud, run, taskId), runId, taskId, json);
        });
        setExit(EXIT_OK);
        return;
      }
      await withSession(io, options, { loadDags: false }, async (session) => {
        await requireRun(session.store, runId);
        if (taskId !== undefined) await requireTask(session.store, runId, taskId);
        print(io, readRunLogs(join(session.dir, 'logs'), runId, taskId), runId, taskId, json);
      });
      setExit(EXIT_OK);
    },
  );
}

/**
 * @module cloud/logs
 * A run's task logs from CloudWatch Logs: FilterLogEvents on the DAG's task log group with a JSON
 * filter on the run (and task), from the time the run was queued. The task runner writes one
 * JSON line per `ctx.log` call (`time, level, dag, run, task, try, message, …fields`); lines are
 * read back into the same shape the local logs have, without the keys Powertools and Lambda add
 * to every line (service, cold_start, function_*, xray_trace_id …).
 */
import {
  FilterLogEventsCommand,
  ResourceNotFoundException,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { names } from '../runtime/env.ts';
import type { LogLevel, LogLine } from '../runtime/task-logger.ts';
import type { RunRecord } from '../store/types.ts';
import type { Cloud } from './context.ts';
import { CloudError } from './errors.ts';

/** Keys every Lambda/Powertools JSON line carries that say nothing about the task. */
const PLATFORM_KEYS = new Set([
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_name',
  'function_memory_size',
  'function_arn',
  'function_request_id',
  'requestId',
  'logger',
]);
/** Task logs start after the run was queued; a minute of margin covers clock skew between machines. */
const SKEW_MS = 60_000;
const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);

/** The FilterLogEvents pattern for a run's lines (and one task's): a JSON filter on the fields. */
export function logFilterPattern(runId: string, taskId?: string): string {
  return taskId === undefined
    ? `{ $.run = "${runId}" }`
    : `{ ($.run = "${runId}") && ($.task = "${taskId}") }`;
}

/** One log event as a LogLine, or undefined when it is not a task's JSON line. */
export function parseLogEvent(event: FilteredLogEvent): LogLine | undefined {
  const text = event.message ?? '';
  const start = text.indexOf('{'); // Lambda's text format prefixes "<time>\t<request id>\t<LEVEL>\t"
  if (start < 0) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof json.run !== 'string' ||
    typeof json.task !== 'string'
  )
    return undefined;
  const rest = Object.fromEntries(Object.entries(json).filter(([k]) => !PLATFORM_KEYS.has(k)));
  const level = String(json.level ?? 'info').toLowerCase();
  const time =
    typeof json.time === 'string'
      ? json.time
      : typeof json.timestamp === 'string'
        ? json.timestamp
        : new Date(event.timestamp ?? 0).toISOString();
  return {
    ...rest,
    time,
    level: (LEVELS.has(level) ? level : 'info') as LogLevel,
    dag: String(json.dag ?? ''),
    run: json.run,
    task: json.task,
    try: Number(json.try ?? 1),
    message: String(json.message ?? ''),
  };
}

/** Every task log line of the run (one task's with `taskId`), oldest first. */
export async function fetchRunLogs(
  cloud: Cloud,
  run: RunRecord,
  taskId?: string,
): Promise<LogLine[]> {
  const logGroupName = names.taskLogGroup(cloud.target.env, run.dagId);
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await cloud.clients.logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          filterPattern: logFilterPattern(run.runId, taskId),
          startTime: Date.parse(run.queuedAt) - SKEW_MS,
          ...(nextToken && { nextToken }),
        }),
      );
      events.push(...(out.events ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new CloudError(
        `the log group ${logGroupName} does not exist in ${cloud.where}: no task of DAG "${run.dagId}" has run there yet, or the DAG is not deployed to ${cloud.target.env}`,
        {
          hint: `see what the run recorded: updraft show ${run.runId} ${cloud.target.flags}`,
          cause: error,
        },
      );
    }
    throw error;
  }
  return events
    .map((e, i) => ({ line: parseLogEvent(e), at: e.timestamp ?? 0, i }))
    .filter((x): x is { line: LogLine; at: number; i: number } => x.line !== undefined)
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.line);
}

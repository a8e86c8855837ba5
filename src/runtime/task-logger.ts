/**
 * @module runtime/task-logger
 * The `ctx.log` task code writes to: one JSON line per call (time on the run's clock, level, DAG,
 * run, task, try, message, fields), with every secret the task has seen masked out. Where lines
 * go is the caller's sink: a file per task locally, stdout (CloudWatch) in Lambda.
 */
import type { TaskLogger } from '../sdk/context.ts';
import type { SecretMasker } from './mask.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  readonly time: string;
  readonly level: LogLevel;
  readonly dag: string;
  readonly run: string;
  readonly task: string;
  readonly try: number;
  readonly mapIndex?: number;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** Receives finished (already masked) log lines. */
export type LogSink = (line: LogLine) => void;

export interface TaskLoggerOptions {
  readonly sink: LogSink;
  readonly masker: SecretMasker;
  readonly now: () => number;
  readonly fields: {
    readonly dag: string;
    readonly run: string;
    readonly task: string;
    readonly try: number;
    readonly mapIndex?: number;
  };
}

const RESERVED = new Set(['time', 'level', 'dag', 'run', 'task', 'try', 'mapIndex', 'message']);

export function createTaskLogger(options: TaskLoggerOptions): TaskLogger {
  const write = (level: LogLevel) => (message: string, extra?: Record<string, unknown>) => {
    const masked =
      extra === undefined ? {} : (options.masker.maskValue(extra) as Record<string, unknown>);
    // A field named like a standard one (time, level, task …) is kept under `field_<name>`.
    const fields = Object.fromEntries(
      Object.entries(masked).map(([k, v]) => [RESERVED.has(k) ? `field_${k}` : k, v]),
    );
    options.sink({
      ...fields,
      time: new Date(options.now()).toISOString(),
      level,
      ...options.fields,
      message: options.masker.mask(String(message)),
    });
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

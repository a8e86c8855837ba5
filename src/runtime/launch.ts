/**
 * @module runtime/launch
 * How a run starts, the same everywhere: the run values every task sees (logical date, `ds`,
 * data interval, params, time-sensor deadlines), the execution input `{ run, t: {}, done: {} }`, the
 * deterministic execution name `<dag>-<logical date>` and the queued run record. The embedded
 * engine, the launcher Lambda (schedule ticks, catchup) and `updraft trigger --target aws` all
 * build runs through here, so a run looks the same on a laptop and on AWS.
 */
import type { DagIR, Schedule } from '../ir/types.ts';
import type { Manifest } from '../compiler/contract.ts';
import type { DatasetEvent, TriggerKind } from '../sdk/context.ts';
import { logicalDateKey, type RunInterval } from '../schedule/index.ts';
import type { RunValues } from './args.ts';

import type { Done } from './resume.ts';

import { queuedRunRecord } from './run-record.ts';
import type { RunRecord } from '../store/types.ts';

export { queuedRunRecord };

/**
 * What the launcher needs to know about a DAG (the schedule's target input carries it, so the
 * launcher needs no DAG code): schedule, bounds, catchup, concurrency, default params, timers.
 */
export interface LaunchSpec {
  readonly dagId: string;
  readonly timezone: string;
  readonly schedule: Schedule;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  /** Params of a scheduled run: the declared defaults. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly timers: Manifest['timers'];
}

export function launchSpecOf(ir: DagIR, manifest: Manifest): LaunchSpec {
  const params = Object.fromEntries(
    Object.entries(ir.params).flatMap(([name, p]) =>
      p.default === undefined ? [] : [[name, p.default]],
    ),
  );
  return {
    dagId: ir.id,
    timezone: ir.timezone,
    schedule: ir.schedule,
    ...(ir.startDate && { startDate: ir.startDate }),
    ...(ir.endDate && { endDate: ir.endDate }),
    catchup: ir.catchup,
    maxActiveRuns: ir.maxActiveRuns,
    params,
    timers: manifest.timers,
  };
}

/** The run's `ds`: its logical date as YYYY-MM-DD in the DAG's timezone (Airflow's `ds`). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function dsOf(logicalDate: string, timezone: string): string {
  // In UTC the ISO date is the day, without Intl's time zone data (≈ 25 ms to load, once).
  if (timezone === 'UTC') return new Date(logicalDate).toISOString().slice(0, 10);
  // One formatter per timezone: making one costs ≈ 0.3 ms, more than a no-op task's whole run.
  let format = dayFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    if (dayFormats.size < 1000) dayFormats.set(timezone, format);
  }
  return format.format(new Date(logicalDate));
}

/** The deterministic run id, which is also the Step Functions execution name (≤ 80 characters, no ':'). */
export function runIdOf(dagId: string, logicalDate: Date): string {
  return `${dagId}-${logicalDateKey(logicalDate)}`;
}

/**
 * A run's execution names: the run id for its first execution, `<run id>-r<n>` for the n-th (a
 * retry or clear starts a new execution of the same machine, runtime/resume). A run id ends with
 * its logical date key (`…Z`), `-t` or a dataset run's `-d<n in base 36>`, never with
 * `-r<digits>`; ≤ 48 + 21 + 5 characters (a dataset run's ≤ 48 + 21 + 7 up to 60 million runs),
 * under Step Functions' 80.
 */
export function executionName(runId: string, attempt: number): string {
  return attempt <= 1 ? runId : `${runId}-r${attempt}`;
}

/** The run and its execution number from an execution name (attempt undefined: a first execution, or one Updraft did not name). */
export function runOfExecutionName(name: string): {
  readonly runId: string;
  readonly attempt?: number;
} {
  const m = /^(.+)-r(\d+)$/.exec(name);
  return m ? { runId: m[1]!, attempt: Number(m[2]) } : { runId: name };
}

export interface RunStart {
  readonly dagId: string;
  readonly timezone: string;
  readonly timers: Manifest['timers'];
  readonly interval: Pick<RunInterval, 'logicalDate' | 'dataIntervalStart' | 'dataIntervalEnd'>;
  readonly params: Readonly<Record<string, unknown>>;
  readonly triggeredBy: TriggerKind;
  /** @default `<dag>-<logical date key>` */
  readonly runId?: string;
  /** Dataset-triggered runs: the events that made the condition hold. */
  readonly triggeringEvents?: readonly DatasetEvent[];
}

/**
 * The queued record of a run of one of the DAG's intervals, for a scheduler that starts it later
 * (`updraft dev`'s loop; the UI's trigger and backfill): params are resolved from `conf` and the
 * timers set when it starts.
 */
export function queuedIntervalRun(
  ir: Pick<DagIR, 'id' | 'timezone'>,
  interval: RunStart['interval'],
  triggeredBy: TriggerKind,
  conf: Readonly<Record<string, unknown>>,
  now: Date,
): RunRecord {
  const values = runValuesOf({
    dagId: ir.id,
    timezone: ir.timezone,
    timers: [],
    interval,
    params: {},
    triggeredBy,
  });
  return queuedRunRecord(values, conf, now);
}

/** What every task of the run sees as `$.run`. */
export function runValuesOf(start: RunStart): RunValues {
  const key = logicalDateKey(start.interval.logicalDate);
  const logicalDate = start.interval.logicalDate.toISOString();
  const dataIntervalEnd = start.interval.dataIntervalEnd.getTime();
  return {
    dagId: start.dagId,
    runId: start.runId ?? `${start.dagId}-${key}`,
    key,
    logicalDate,
    ds: dsOf(logicalDate, start.timezone),
    dataIntervalStart: start.interval.dataIntervalStart.toISOString(),
    dataIntervalEnd: start.interval.dataIntervalEnd.toISOString(),
    params: start.params,
    triggeredBy: start.triggeredBy,
    timers: Object.fromEntries(
      start.timers.map((t) => [
        t.key,
        new Date(dataIntervalEnd + t.afterIntervalEndSeconds * 1000).toISOString(),
      ]),
    ),
    ...(start.triggeringEvents?.length && {
      triggeringEvents: start.triggeringEvents.map(
        ({ dataset, at, dagId, runId, taskId, extra }) => ({
          dataset,
          at,
          dagId,
          runId,
          taskId,
          ...(extra && { extra }),
        }),
      ),
    }),
  };
}

/** The state machine's execution input; a resumed execution hands back earlier answers in `done` (runtime/resume). */
export function executionInput(
  run: RunValues,
  done: Done = {},
): { readonly run: RunValues; readonly t: Record<string, never>; readonly done: Done } {
  return { run, t: {}, done };
}

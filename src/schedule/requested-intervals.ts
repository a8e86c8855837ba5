/**
 * @module schedule/requested-intervals
 * The intervals a command asks for. `--date` names a logical date (a fire time of the schedule,
 * or a day, meaning that day's first fire time in the DAG's timezone); without it, the latest
 * complete interval — what the scheduler would run now. Manual and dataset DAGs run for the
 * instant given (or now), with an empty interval. A backfill covers every interval of a range.
 * The caller gives "now" (its clock): nothing here reads the wall clock.
 */
import { timeScheduleOf, type DagIR } from '../ir/types.ts';
import { ConfigError } from '../errors.ts';
import {
  latestCompleteRun,
  nextRuns,
  runForLogicalDate,
  runsBetween,
  type RunInterval,
  type ScheduledDag,
} from './run-intervals.ts';
import { parseDateInZone } from './timezone.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The DAG's schedule with its start and end date, as the schedule model reads it. */
export function scheduledDag(ir: DagIR): ScheduledDag {
  return {
    schedule: ir.schedule,
    ...(ir.startDate && { startDate: ir.startDate }),
    ...(ir.endDate && { endDate: ir.endDate }),
  };
}

/** A date the user gave (`option` names it in messages), read in the DAG's timezone. */
export function parseDate(ir: DagIR, text: string, option = '--date'): Date {
  if (text.trim() === '') {
    throw new ConfigError(
      `${option} is empty: give a logical date such as 2026-11-20 or 2026-11-20T02:00 (read in the DAG's timezone, ${ir.timezone})${option === '--date' ? ', or leave --date out for the latest complete interval' : ''}`,
    );
  }
  const date = parseDateInZone(text, ir.timezone);
  if (!date)
    throw new ConfigError(
      `${option} "${text}" is not a date: use YYYY-MM-DD or an ISO-8601 date-time such as 2026-11-20T02:00 (read in the DAG's timezone, ${ir.timezone})`,
    );
  return date;
}

/** The interval of a run for `--date` (or, without one, for `now`). */
export function intervalFor(ir: DagIR, date: string | undefined, now: Date): RunInterval {
  const timeBased = timeScheduleOf(ir.schedule) !== undefined;
  if (date === undefined) {
    if (!timeBased)
      return { logicalDate: now, dataIntervalStart: now, dataIntervalEnd: now, runAfter: now };
    const latest = latestCompleteRun(scheduledDag(ir), now);
    if (!latest)
      throw new ConfigError(
        `DAG "${ir.id}" has no complete interval yet (its start date is ${ir.startDate ?? 'not set'}); pass --date with a logical date`,
      );
    return latest;
  }
  const at = parseDate(ir, date);
  if (!timeBased)
    return notBeforeStart(ir, date, {
      logicalDate: at,
      dataIntervalStart: at,
      dataIntervalEnd: at,
      runAfter: at,
    });
  const exact = runForLogicalDate(scheduledDag(ir), at);
  if (exact) return notBeforeStart(ir, date, exact);
  if (DAY.test(date.trim())) {
    const nextDay = parseDateInZone(nextDayOf(date.trim()), ir.timezone)!;
    const first = runsBetween(
      { schedule: ir.schedule },
      at,
      new Date(nextDay.getTime() - 1),
      1000,
    )[0];
    if (first) return notBeforeStart(ir, date, first);
  }
  const near = nextRuns({ schedule: ir.schedule }, new Date(at.getTime() - 1), 2).map((r) =>
    r.logicalDate.toISOString(),
  );
  throw new ConfigError(
    `--date ${date} is not a logical date of DAG "${ir.id}" (its schedule fires at other times); use one of its fire times, e.g. ${near.join(' or ')}`,
  );
}

/** Every interval of `--from` … `--to` (inclusive) of a time-based schedule, for a backfill. */
export function backfillIntervals(ir: DagIR, from: string, to: string): RunInterval[] {
  if (!timeScheduleOf(ir.schedule)) {
    throw new ConfigError(
      `DAG "${ir.id}" has no time-based schedule (${ir.schedule.kind}); backfill runs the intervals of a cron or rate schedule. Use updraft run ${ir.id} --date D for single runs.`,
    );
  }
  const start = parseDate(ir, from, '--from');
  const end = parseDate(ir, to, '--to');
  if (end < start) throw new ConfigError(`--to ${to} is before --from ${from}`);
  return runsBetween(scheduledDag(ir), start, end);
}

/** As Airflow refuses a logical date before the DAG's start_date: no run of the DAG can have it. */
function notBeforeStart(ir: DagIR, date: string, interval: RunInterval): RunInterval {
  if (!ir.startDate || interval.logicalDate >= new Date(ir.startDate)) return interval;
  const first =
    nextRuns(scheduledDag(ir), new Date(new Date(ir.startDate).getTime() - 1), 1)[0]?.logicalDate ??
    new Date(ir.startDate);
  throw new ConfigError(
    `--date ${date} is before the startDate of DAG "${ir.id}" (${ir.startDate}), so no run of it has that logical date; use ${first.toISOString()} or later, or move startDate earlier in ${ir.source ?? ir.file}`,
  );
}

function nextDayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

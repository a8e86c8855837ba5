/**
 * @module schedule/run-intervals
 * Airflow's data-interval timetables (CronDataIntervalTimetable, DeltaDataIntervalTimetable):
 * each scheduled run covers `[start, end)` between two consecutive fire times, its logical date
 * is the start, and it may run once the interval has ended. The first interval starts at the
 * first fire time at or after the DAG's start date; none starts after its end date.
 */
import { assertNever, type Schedule } from '../ir/types.ts';
import { cronFireTimes, rateFireTimes, type FireTimes } from './fire-times.ts';
import { parseDateInZone } from './timezone.ts';

export interface RunInterval {
  /** = dataIntervalStart. */
  logicalDate: Date;
  dataIntervalStart: Date;
  /** Exclusive. */
  dataIntervalEnd: Date;
  /** The run may start at this instant (= dataIntervalEnd). */
  runAfter: Date;
}

export interface ScheduledDag {
  schedule: Schedule;
  /** ISO-8601; a date without a time is local midnight in the schedule's timezone. */
  startDate?: string;
  /** The last allowed logical date, inclusive. */
  endDate?: string;
}

/** A time-based schedule's fire times, with the DAG's start and end date as instants. */
interface Timeline {
  readonly fires: FireTimes;
  readonly start?: Date;
  readonly end?: Date;
}

const ONE_MS = 1;

/** The next `count` runs whose runAfter is strictly after `now` (so the currently open interval comes first). */
export function nextRuns(dag: ScheduledDag, now: Date, count: number): RunInterval[] {
  const timeline = timelineOf(dag);
  if (!timeline || count <= 0) return [];
  // The open interval starts at the last fire time at or before `now`, unless that is before
  // the start date; then the first interval comes first.
  const first = firstStart(timeline);
  let start = timeline.fires.before(plus(now, ONE_MS));
  if (!start || (first && start < first)) start = first ?? timeline.fires.after(now);
  return collect(timeline, start, (runs) => runs.length < count);
}

/**
 * Every run whose logical date is within [from, to] (inclusive), respecting start/end date; for
 * catchup and backfill. Throws a RangeError if there are more than `limit`.
 */
export function runsBetween(
  dag: ScheduledDag,
  from: Date,
  to: Date,
  limit = 10_000,
): RunInterval[] {
  const timeline = timelineOf(dag);
  if (!timeline) return [];
  const lower = timeline.start && timeline.start > from ? timeline.start : from;
  const upper = timeline.end && timeline.end < to ? timeline.end : to;
  const start = timeline.fires.after(plus(lower, -ONE_MS));
  return collect(timeline, start, (runs, next) => {
    if (next > upper) return false;
    if (runs.length === limit) {
      throw new RangeError(
        `More than ${limit} runs have a logical date between ${from.toISOString()} and ${to.toISOString()}; narrow the date range or raise the limit`,
      );
    }
    return true;
  });
}

/** The most recent run whose interval has ended at `now` (runAfter <= now), or undefined. This is what a schedule tick at `now` starts. */
export function latestCompleteRun(dag: ScheduledDag, now: Date): RunInterval | undefined {
  const timeline = timelineOf(dag);
  if (!timeline) return undefined;
  const end = timeline.fires.before(plus(now, ONE_MS));
  let start = end && timeline.fires.before(end);
  // Past the end date, the last run is the last one that starts by then (and ended long ago).
  if (start && timeline.end && start > timeline.end)
    start = timeline.fires.before(plus(timeline.end, ONE_MS));
  if (!start || (timeline.start && start < timeline.start)) return undefined;
  return intervalFrom(timeline, start);
}

/**
 * The run with this logical date; undefined if the date is not a fire time of the schedule (the
 * DAG's start and end date are not applied: a manual run may use any fire time). For manual and
 * dataset schedules: a zero-length interval [logicalDate, logicalDate).
 */
export function runForLogicalDate(dag: ScheduledDag, logicalDate: Date): RunInterval | undefined {
  const timeline = timelineOf(dag);
  if (!timeline) return interval(logicalDate, logicalDate);
  const fire = timeline.fires.after(plus(logicalDate, -ONE_MS));
  if (fire?.getTime() !== logicalDate.getTime()) return undefined;
  return intervalFrom(timeline, fire);
}

function timelineOf(dag: ScheduledDag): Timeline | undefined {
  const { schedule } = dag;
  switch (schedule.kind) {
    case 'manual':
      return undefined;
    case 'datasets':
      return schedule.time && timelineOf({ ...dag, schedule: schedule.time });
    case 'cron':
    case 'rate': {
      const start = dagDate(dag, 'startDate', schedule.timezone);
      const end = dagDate(dag, 'endDate', schedule.timezone);
      const fires =
        schedule.kind === 'cron'
          ? cronFireTimes(schedule)
          : rateFireTimes(schedule, start ?? new Date(0));
      return { fires, start, end };
    }
    default:
      return assertNever(schedule, 'schedule kind');
  }
}

function dagDate(
  dag: ScheduledDag,
  key: 'startDate' | 'endDate',
  timezone: string,
): Date | undefined {
  const text = dag[key];
  if (text === undefined) return undefined;
  const date = parseDateInZone(text, timezone);
  if (!date)
    throw new TypeError(
      `${key} "${text}" is not a date such as "2026-01-01" or "2026-01-01T02:00:00Z"`,
    );
  return date;
}

/** The first logical date the start date allows, or undefined when there is no start date. */
function firstStart(timeline: Timeline): Date | undefined {
  return timeline.start && timeline.fires.after(plus(timeline.start, -ONE_MS));
}

/** Consecutive runs from `start` while `more(runs, nextStart)` holds and the end date allows. */
function collect(
  timeline: Timeline,
  start: Date | undefined,
  more: (runs: RunInterval[], next: Date) => boolean,
): RunInterval[] {
  const runs: RunInterval[] = [];
  let next = start;
  while (next && !(timeline.end && next > timeline.end) && more(runs, next)) {
    const run = intervalFrom(timeline, next);
    if (!run) break;
    runs.push(run);
    next = run.dataIntervalEnd;
  }
  return runs;
}

function intervalFrom(timeline: Timeline, start: Date): RunInterval | undefined {
  const end = timeline.fires.after(start);
  return end && interval(start, end);
}

function interval(start: Date, end: Date): RunInterval {
  return {
    logicalDate: new Date(start),
    dataIntervalStart: new Date(start),
    dataIntervalEnd: new Date(end),
    runAfter: new Date(end),
  };
}

function plus(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}

/**
 * @module schedule/catchup
 * Which intervals a schedule tick starts: the interval that just ended, and with `catchup` the
 * intervals missed since the newest scheduled run, a bounded number per tick, never older than
 * the data window. The launcher (runtime/launcher) creates the runs; this only chooses them.
 */
import {
  nextRuns,
  latestCompleteRun,
  runsBetween,
  type RunInterval,
  type ScheduledDag,
} from './run-intervals.ts';
import { parseDateInZone } from './timezone.ts';
import { timeScheduleOf } from '../ir/types.ts';

export interface CatchupDag extends ScheduledDag {
  readonly catchup: boolean;
}

export interface CatchupSettings {
  /** Most intervals one tick creates when catching up. */
  readonly catchupLimit: number;
  /** Never start intervals whose data interval ended more than this many days before the tick. @default - no bound */
  readonly dataWindowDays?: number;
}

export interface LaunchPlan {
  /** Intervals to create runs for, oldest first. */
  readonly intervals: readonly RunInterval[];
  /** Missed intervals past the catchup limit (a lower bound past 100,000). */
  readonly deferred: number;
  /** Set when the data window cut the catchup short: the first logical date it allows. */
  readonly windowFrom?: Date;
}

const DAY_MS = 86_400_000;
/** The deferred count stops here (an hourly DAG with a start date decades ago). */
export const DEFERRED_COUNT_CAP = 100_000;

/**
 * The intervals a tick at `tick` is due: the latest complete one; with catchup, every interval
 * from `after` (the end of the newest scheduled run's interval; without one, the start date) up
 * to it, the oldest `catchupLimit` of them. Never an interval whose data interval ended more than
 * `dataWindowDays` before the tick. Oldest first, so that the intervals left over are the newer
 * ones and the next tick, continuing after the newest run, picks them up: nothing is lost.
 */
export function planLaunch(
  spec: CatchupDag,
  tick: Date,
  after: Date | undefined,
  settings: CatchupSettings,
): LaunchPlan {
  const latest = latestCompleteRun(spec, tick);
  if (!latest) return { intervals: [], deferred: 0 };
  const windowStart =
    settings.dataWindowDays === undefined
      ? undefined
      : new Date(tick.getTime() - settings.dataWindowDays * DAY_MS);
  if (windowStart && latest.dataIntervalEnd < windowStart) return { intervals: [], deferred: 0 }; // an end date long past
  if (!spec.catchup) return { intervals: [latest], deferred: 0 };

  // The first interval whose data interval ends inside the window (nextRuns' open interval there).
  const windowFrom =
    windowStart && nextRuns(spec, new Date(windowStart.getTime() - 1), 1)[0]?.logicalDate;
  // No newest run: from the start date, or from nowhere without one (only the window then).
  const base = after ?? startOf(spec);
  const from = [base, windowFrom]
    .filter((d): d is Date => d !== undefined)
    .reduce<Date | undefined>((a, b) => (a && a > b ? a : b), undefined);
  const clipped = windowFrom && (!base || windowFrom > base) ? { windowFrom } : {};
  if (!from || from > latest.logicalDate) return { intervals: [latest], deferred: 0, ...clipped };

  const limit = settings.catchupLimit;
  // nextRuns starts with the interval open just before `from`: one more than needed, dropped here.
  const due = nextRuns(spec, new Date(from.getTime() - 1), limit + 2).filter(
    (r) => r.logicalDate >= from && r.logicalDate <= latest.logicalDate,
  );
  if (due.length <= limit)
    return { intervals: due.length > 0 ? due : [latest], deferred: 0, ...clipped };
  let deferred: number;
  try {
    deferred = runsBetween(
      spec,
      due[limit]!.logicalDate,
      latest.logicalDate,
      DEFERRED_COUNT_CAP,
    ).length;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    deferred = DEFERRED_COUNT_CAP;
  }
  return { intervals: due.slice(0, limit), deferred, ...clipped };
}

/** The start date as an instant (a date alone is midnight in the schedule's timezone), if any. */
function startOf(spec: ScheduledDag): Date | undefined {
  const time = timeScheduleOf(spec.schedule);
  if (spec.startDate === undefined || !time) return undefined;
  return parseDateInZone(spec.startDate, time.timezone);
}

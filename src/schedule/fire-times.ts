/**
 * @module schedule/fire-times
 * The instants at which a time-based schedule fires: croner for cron, arithmetic for rate.
 * Data intervals (run-intervals.ts) are the spans between consecutive fire times.
 *
 * DST, as croner 11 does it (its Vixie-cron rules) and as checked in test/schedule/dst.test.ts:
 * - a fixed time of day (`30 2 * * *`) that falls in a spring-forward gap fires at the first
 *   valid time after the gap (03:00), and one that occurs twice fires once, at its first
 *   occurrence; so a daily schedule has exactly one run per local day;
 * - a wildcard or step in minute or hour (`0 * * * *`) moves in absolute time: the gap's hour
 *   does not exist and the repeated hour fires twice, so an hourly schedule has 23 and 25
 *   intervals of exactly one hour on those days.
 */
import { Cron } from 'croner';
import type { CronSchedule, RateSchedule } from '../ir/types.ts';
import { CRONER_OPTIONS, cronProblem } from './cron-problem.ts';
import { expandPreset } from './presets.ts';
import { isValidTimezone } from './timezone.ts';

export interface FireTimes {
  /** The first fire time strictly after `t`, or undefined if there is none. */
  after(t: Date): Date | undefined;
  /** The last fire time strictly before `t`, or undefined if there is none. */
  before(t: Date): Date | undefined;
}

export function cronFireTimes(schedule: CronSchedule): FireTimes {
  const problem = cronProblem(schedule.expression);
  if (problem) throw new TypeError(`Cron expression "${schedule.expression}" ${problem}`);
  if (!isValidTimezone(schedule.timezone)) {
    throw new TypeError(
      `Timezone "${schedule.timezone}" is not an IANA timezone name such as "Europe/Berlin" or "UTC"`,
    );
  }
  // UTC as a fixed offset: the same instants, without loading Intl's time zone data (≈ 25 ms).
  const zone = schedule.timezone === 'UTC' ? { utcOffset: 0 } : { timezone: schedule.timezone };
  const cron = new Cron(expandPreset(schedule.expression).trim(), { ...CRONER_OPTIONS, ...zone });
  return {
    after: (t) => cron.nextRun(t) ?? undefined,
    // croner's `previousRuns` excludes the reference itself, so this is strictly before `t`.
    // (Not `cron.match`: it says false for 03:00 on a spring-forward day, where `30 2 * * *` fires.)
    before: (t) => cron.previousRuns(1, t)[0],
  };
}

/** Every `everySeconds`, on a grid through `anchor` (the DAG's start date, or the Unix epoch). */
export function rateFireTimes(schedule: RateSchedule, anchor: Date): FireTimes {
  if (!Number.isInteger(schedule.everySeconds) || schedule.everySeconds <= 0) {
    throw new TypeError(
      `Rate "${schedule.expression}" must be a whole number of seconds above 0, got ${schedule.everySeconds}`,
    );
  }
  const period = schedule.everySeconds * 1000;
  const origin = anchor.getTime();
  return {
    after: (t) => new Date(origin + (Math.floor((t.getTime() - origin) / period) + 1) * period),
    before: (t) => new Date(origin + (Math.ceil((t.getTime() - origin) / period) - 1) * period),
  };
}

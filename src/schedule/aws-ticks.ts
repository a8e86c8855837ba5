/**
 * @module schedule/aws-ticks
 * When EventBridge Scheduler ticks a schedule the app deploys (schedule/aws-schedule): the local
 * scheduler fires exactly these instants, so what starts locally is what will start on AWS. The
 * expression is evaluated in its timezone as Scheduler does: a local time that does not exist
 * (clocks spring forward) is skipped, and one that occurs twice (clocks fall back) ticks once, at
 * its first occurrence (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).
 */
import { InternalError } from '../errors.ts';
import type { AwsSchedule } from './aws-schedule.ts';
import { offsetReader } from './timezone.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const NAMES: Readonly<Record<string, number>> = {
  SUN: 1,
  MON: 2,
  TUE: 3,
  WED: 4,
  THU: 5,
  FRI: 6,
  SAT: 7,
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

interface Fields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 1 = Sunday, as AWS numbers them. */
  readonly weekdays: ReadonlySet<number>;
}

/** The ticks `schedule` makes after `after`, up to and including `until`, oldest first. */
export function awsTicks(schedule: AwsSchedule, after: Date, until: Date): Date[] {
  const fields = parseExpression(schedule.expression);
  const zone = zoneOf(schedule.timezone);
  const ticks: Date[] = [];
  // Wall-clock days (as UTC dates) from the one `after` falls on to the one `until` falls on.
  const firstDay = Math.floor(zone.wall(after.getTime()) / DAY) * DAY;
  const lastDay = Math.floor(zone.wall(until.getTime()) / DAY) * DAY;
  for (let day = firstDay; day <= lastDay; day += DAY) {
    const date = new Date(day);
    if (!fields.months.has(date.getUTCMonth() + 1)) continue;
    if (!fields.days.has(date.getUTCDate()) || !fields.weekdays.has(date.getUTCDay() + 1)) continue;
    for (const hour of fields.hours) {
      for (const minute of fields.minutes) {
        const t = zone.firstInstant(day + hour * 3_600_000 + minute * MINUTE);
        if (t !== undefined && t > after.getTime() && t <= until.getTime()) ticks.push(new Date(t));
      }
    }
  }
  return ticks;
}

/** The next tick after `after`, looking up to `horizonDays` ahead. */
export function nextAwsTick(
  schedule: AwsSchedule,
  after: Date,
  horizonDays = 400,
): Date | undefined {
  for (let from = after.getTime(); from < after.getTime() + horizonDays * DAY; from += 7 * DAY) {
    const [first] = awsTicks(schedule, new Date(from), new Date(from + 7 * DAY));
    if (first) return first;
  }
  return undefined;
}

/** `cron(m h dom mon dow year)` as schedule/aws-schedule writes it (no `L`, `W` or `#`). */
function parseExpression(expression: string): Fields {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.split(' ');
  if (fields?.length !== 6)
    throw new InternalError(`not an EventBridge cron expression: ${expression}`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  return {
    minutes: [...field(minute, 0, 59, expression)].sort((a, b) => a - b),
    hours: [...field(hour, 0, 23, expression)].sort((a, b) => a - b),
    days: field(dom, 1, 31, expression),
    months: field(month, 1, 12, expression),
    weekdays: field(dow, 1, 7, expression),
  };
}

/** A field's values: `*` and `?` all, lists of values, `a-b` ranges and `a/n` or `a-b/n` steps. */
function field(text: string, min: number, max: number, expression: string): Set<number> {
  const values = new Set<number>();
  const value = (token: string) => {
    const v = NAMES[token] ?? Number(token);
    if (!Number.isInteger(v) || v < min || v > max)
      throw new InternalError(`"${token}" in ${expression} is not a value from ${min} to ${max}`);
    return v;
  };
  for (const item of text.split(',')) {
    const [range = '', step] = item.split('/');
    const all = range === '*' || range === '?';
    const [a = '', b] = range.split('-');
    const from = all ? min : value(a);
    const to = all ? max : b !== undefined ? value(b) : step !== undefined ? max : from;
    const by = step === undefined ? 1 : Number(step);
    if (!Number.isInteger(by) || by < 1)
      throw new InternalError(`step "${step}" in ${expression} is not a whole number of 1 or more`);
    for (let v = from; v <= to; v += by) values.add(v);
  }
  return values;
}

interface Zone {
  /** The wall-clock time at instant `t`, as milliseconds of a UTC date with those fields. */
  wall(t: number): number;
  /** The first instant the wall clock reads `wall`, or undefined when it never does (a DST gap). */
  firstInstant(wall: number): number | undefined;
}

function zoneOf(timezone: string): Zone {
  const offsetAt = offsetReader(timezone);
  const zone: Zone = {
    wall: (t) => t + offsetAt(t) * MINUTE,
    firstInstant: (wall) => {
      // Offsets in use within a day either side: each gives one candidate; a candidate is real
      // when the zone has that offset at it. None: a gap; two: a repeated time, the first wins.
      const offsets = new Set([offsetAt(wall - DAY), offsetAt(wall), offsetAt(wall + DAY)]);
      const instants = [...offsets]
        .map((offset) => wall - offset * MINUTE)
        .filter((t) => zone.wall(t) === wall);
      return instants.length === 0 ? undefined : Math.min(...instants);
    },
  };
  return zone;
}

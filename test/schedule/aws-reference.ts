/**
 * EventBridge Scheduler's ticks, worked out the slow, obvious way to check the code against: the
 * zone's wall clock at every minute (Intl), a tick at each wall time the expression matches, a
 * wall time that repeats (clocks falling back) ticking at its first occurrence only, one that
 * never occurs (clocks springing forward) not at all.
 */
import type { AwsSchedule } from '../../src/schedule/index.ts';

const NAMES: Record<string, number> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };

/** The values an AWS cron field allows, read as the AWS reference says (`s/n` = s, s+n, … up to max; SUN = 1). */
function awsField(text: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  const value = (token: string) => NAMES[token] ?? Number(token);
  for (const item of text.split(',')) {
    const [range = '', step] = item.split('/');
    const [a = '', b] = range.split('-');
    const from = range === '*' || range === '?' ? min : value(a);
    const to =
      range === '*' || range === '?' ? max : b !== undefined ? value(b) : step ? max : from;
    for (let v = from; v <= to; v += Number(step ?? 1)) values.add(v);
  }
  return values;
}

interface Wall {
  t: number;
  fields: [number, number, number, number, number]; // minute, hour, day-of-month, month, day-of-week (SUN = 1)
  /** This wall time already occurred (the second pass of a repeated hour). */
  repeat: boolean;
}

const walls = new Map<string, Wall[]>();

/** The UTC offset in `format`'s zone at instant `t`, in milliseconds (Intl, independent of the code under test). */
function offsetAt(format: Intl.DateTimeFormat, t: number): number {
  const p = Object.fromEntries(format.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute) - Math.floor(t / 60_000) * 60_000;
}

/**
 * The wall clock in `timezone` at every minute of [from, to]. UTC offsets change only on a
 * quarter hour (Lord Howe's 30-minute DST included), so Intl is asked once per quarter hour and
 * the minutes between are that offset's wall time.
 */
function wallClock(timezone: string, from: Date, to: Date): Wall[] {
  const key = `${timezone} ${from.getTime()} ${to.getTime()}`;
  const cached = walls.get(key);
  if (cached) return cached;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const seen = new Set<number>();
  const result: Wall[] = [];
  const start = from.getTime() - 3 * 3600_000;
  let offset = offsetAt(format, start);
  for (let t = start; t <= to.getTime(); t += 60_000) {
    if (t % (15 * 60_000) === 0) offset = offsetAt(format, t);
    const local = t + offset;
    const d = new Date(local);
    const wall: Wall = {
      t,
      fields: [
        d.getUTCMinutes(),
        d.getUTCHours(),
        d.getUTCDate(),
        d.getUTCMonth() + 1,
        d.getUTCDay() + 1,
      ],
      repeat: seen.has(local),
    };
    seen.add(local);
    if (t >= from.getTime()) result.push(wall);
  }
  walls.set(key, result);
  return result;
}

/** The instants EventBridge Scheduler ticks at in [from, to]: matching wall times, a repeated wall time once. */
export function referenceTicks(schedule: AwsSchedule, from: Date, to: Date): Date[] {
  const fields = /^cron\((.*)\)$/.exec(schedule.expression)![1]!.split(' ');
  const bounds: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [1, 7],
  ];
  const sets = bounds.map(([min, max], i) => awsField(fields[i]!, min, max));
  return wallClock(schedule.timezone, from, to)
    .filter((wall) => !wall.repeat && wall.fields.every((v, i) => sets[i]!.has(v)))
    .map((wall) => new Date(wall.t));
}

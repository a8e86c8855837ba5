/**
 * @module schedule/aws-schedule
 * The EventBridge Scheduler expression that ticks the launcher at (at least) every fire time of
 * a DAG's schedule. An extra tick is harmless (the launcher finds the run already started), a
 * missing one delays or, without catchup, loses a run; so where AWS cannot say what croner
 * means, this ticks more often and says why in `note`.
 *
 * AWS facts this relies on:
 * - cron has 6 fields `cron(minutes hours day-of-month month day-of-week year)`; minutes, hours,
 *   day-of-month and month accept `, - * /`, day-of-week `, - * ? L #` (no `/`) with 1-7 or
 *   SUN-SAT (1 = Sunday); one of day-of-month and day-of-week must be `?`
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html, the
 *   syntax of Scheduler's cron-based schedules);
 * - Scheduler evaluates cron in `ScheduleExpressionTimezone` and invokes within the minute of a
 *   tick (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html); on DST
 *   days it skips a time that does not exist and ticks once at a time that occurs twice
 *   (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst);
 * - `rate()` counts from the schedule's StartDate or creation, not from our start date, so rates
 *   become a cron in UTC aligned to the DAG's anchor.
 */
import { assertNever, type CronSchedule, type RateSchedule, type Schedule } from '../ir/types.ts';
import { cronProblem } from './cron-problem.ts';
import { expandPreset } from './presets.ts';
import { isValidTimezone, offsetReader, parseDateInZone } from './timezone.ts';

export interface AwsSchedule {
  /** `ScheduleExpression`, e.g. `cron(0 2 * * ? *)`. */
  readonly expression: string;
  /** `ScheduleExpressionTimezone`: the schedule's IANA zone for cron, `UTC` for rate. */
  readonly timezone: string;
  /** False when it ticks more often than the DAG fires (the launcher no-ops on the extra ticks). */
  readonly exact: boolean;
  /** Why it is not exact, or why a cron in a DST zone ticks in UTC. */
  readonly note?: string;
}

const MONTHS = [
  '',
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MINUTE = 60_000;
const DAY_MS = 86_400_000;

/** undefined for manual and dataset schedules, which no schedule starts. */
export function awsScheduleOf(dag: {
  schedule: Schedule;
  startDate?: string;
}): AwsSchedule | undefined {
  const { schedule } = dag;
  switch (schedule.kind) {
    case 'manual':
      return undefined;
    case 'datasets':
      // On datasets or a time schedule: its time schedule is deployed as a cron DAG's.
      return schedule.time && awsScheduleOf({ ...dag, schedule: schedule.time });
    case 'cron':
      return cronSchedule(schedule);
    case 'rate':
      return rateSchedule(schedule, dag.startDate);
    default:
      return assertNever(schedule, 'schedule kind');
  }
}

// ─── cron ──────────────────────────────────────────────────────────────────────

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the cron-to-EventBridge translation, field by field, with the DST notes that belong beside each
function cronSchedule(schedule: CronSchedule): AwsSchedule {
  const problem = cronProblem(schedule.expression);
  if (problem) throw new TypeError(`Cron expression "${schedule.expression}" ${problem}`);
  if (!isValidTimezone(schedule.timezone))
    throw new TypeError(
      `Timezone "${schedule.timezone}" is not an IANA timezone name such as "Europe/Berlin" or "UTC"`,
    );
  const [minuteText = '', hourText = '', domText = '', monthText = '', dowText = ''] = expandPreset(
    schedule.expression,
  )
    .trim()
    .split(/\s+/);
  const minutes = valuesOf(minuteText, 0, 59)!;
  const hours = valuesOf(hourText, 0, 23)!;
  const months = valuesOf(monthText, 1, 12, MONTHS)!;
  const dom = valuesOf(domText, 1, 31);
  const dow = valuesOf(dowText, 0, 7, DAYS)?.map((d) => d % 7); // Unix 7 is Sunday too
  // croner (like Vixie cron) reads `*` and `?` as "unrestricted", and ORs the two day fields
  // when both are restricted; AWS cannot OR them.
  const domStar = domText === '*' || domText === '?';
  const dowStar = dowText === '*' || dowText === '?';
  const notes = new Set<string>();

  let days: { dom: string; dow: string; on: (wall: Date) => boolean };
  const everyDay = { dom: '*', dow: '?', on: () => true };
  if (!dom || !dow) {
    notes.add(
      `cron '${schedule.expression}' uses L, W or # in a day field, which is not translated; ticking every day`,
    );
    days = everyDay;
  } else if (domStar && dowStar) {
    days = everyDay;
  } else if (dowStar) {
    days = {
      dom: render(dom, 1, 31, true),
      dow: '?',
      on: (wall) => dom.includes(wall.getUTCDate()),
    };
  } else if (domStar) {
    days = { dom: '?', dow: renderDow(dow), on: (wall) => dow.includes(wall.getUTCDay()) };
  } else if (dom.length === 31 || new Set(dow).size === 7) {
    days = everyDay; // either may match, and one always does
  } else {
    notes.add(
      `cron '${schedule.expression}' restricts both day-of-month and day-of-week (either may match), which EventBridge Scheduler cannot express; ticking every day`,
    );
    days = {
      ...everyDay,
      on: (wall) => dom.includes(wall.getUTCDate()) || dow.includes(wall.getUTCDay()),
    };
  }
  const firesOn = (wall: Date): boolean => months.includes(wall.getUTCMonth() + 1) && days.on(wall);

  // DST: croner moves a fixed time (no `*` or `/` in minute and hour) out of a spring-forward
  // gap to the gap's end, where AWS has no tick; and fires a wildcard time twice in a repeated
  // hour, where AWS ticks once (fire-times.ts and the re:Post article above).
  const fixedTime = !/[*/]/.test(minuteText + hourText);
  const zone = zoneShifts(schedule.timezone);
  const tickMinutes = new Set(minutes);
  const tickHours = new Set(hours);
  let repeated: string | undefined;
  for (const shift of zone.shifts) {
    for (let wall = shift.start; wall < shift.end; wall += MINUTE) {
      const at = new Date(wall);
      if (
        !minutes.includes(at.getUTCMinutes()) ||
        !hours.includes(at.getUTCHours()) ||
        !firesOn(at)
      )
        continue;
      if (shift.gap && fixedTime) {
        const end = new Date(shift.end);
        const [endHour, endMinute] = [end.getUTCHours(), end.getUTCMinutes()];
        // A tick in the gap's end hour starts the moved run unless that hour already has a fire
        // before the tick (then tick at the gap's end exactly).
        if (hours.includes(endHour) || !minutes.some((m) => m >= endMinute))
          tickMinutes.add(endMinute);
        tickHours.add(endHour);
        const extra = Math.min(...[...tickMinutes].filter((m) => m >= endMinute));
        notes.add(
          `${clock(wall)} does not exist on ${schedule.timezone}'s spring-forward day, where EventBridge Scheduler skips the tick while the DAG fires at ${clock(shift.end)}; also ticking at ${pad(endHour)}:${pad(extra)} every day`,
        );
      } else if (!shift.gap && !fixedTime) {
        repeated = `${clock(shift.start)}-${clock(shift.end)}`;
      }
      break;
    }
  }
  if (repeated) {
    // In UTC every instant is a tick of its own; shift the local times by each offset the zone uses.
    const utc = new Set<number>();
    for (const h of hours)
      for (const m of minutes)
        for (const offset of zone.offsets) utc.add((((h * 60 + m - offset) % 1440) + 1440) % 1440);
    const utcMinutes = [...new Set([...utc].map((t) => t % 60))].sort((a, b) => a - b);
    const utcHours = [...new Set([...utc].map((t) => Math.floor(t / 60)))].sort((a, b) => a - b);
    const allDays = domStar && dowStar && months.length === 12;
    const exact =
      allDays &&
      notes.size === 0 &&
      utcMinutes.length * utcHours.length === minutes.length * hours.length;
    notes.add(
      `cron '${schedule.expression}' fires twice in ${schedule.timezone}'s repeated local times ${repeated} when clocks go back, where EventBridge Scheduler ticks once; ticking in UTC instead${allDays ? '' : ', every day'}`,
    );
    const expression = `cron(${render(utcMinutes, 0, 59, true)} ${render(utcHours, 0, 23, true)} * * ? *)`;
    // Exact (every local hour is every UTC hour) only when nothing else was widened.
    return { expression, timezone: 'UTC', exact, note: [...notes].join('; ') };
  }
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
  const expression = `cron(${render(sorted(tickMinutes), 0, 59, true)} ${render(sorted(tickHours), 0, 23, true)} ${days.dom} ${render(months, 1, 12, true)} ${days.dow} *)`;
  return notes.size === 0
    ? { expression, timezone: schedule.timezone, exact: true }
    : {
        expression,
        timezone: schedule.timezone,
        exact: false,
        note: `${[...notes].join('; ')}; the launcher skips ticks without a run`,
      };
}

/**
 * The sorted values a Unix cron field allows (`*`, `?`, `a`, `a-b`, `*\/n`, `a-b/n`, `a/n`, names
 * counted from index 0 of `names`), or undefined for croner's `L`, `W` and `#`.
 */
function valuesOf(
  text: string,
  min: number,
  max: number,
  names?: readonly string[],
): number[] | undefined {
  const values = new Set<number>();
  const value = (token: string) =>
    /^\d+$/.test(token) ? Number(token) : (names?.indexOf(token.toUpperCase()) ?? -1);
  for (const item of text.split(',')) {
    const match = /^(?:([*?])|(\w+)(?:-(\w+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) return undefined;
    const [, star, a = '', b, step] = match;
    const from = star ? min : value(a);
    const to = star ? max : b !== undefined ? value(b) : step ? max : from;
    if (from < 0 || to < 0) return undefined; // `15W`, `5L` … are \w+ but not values
    for (let v = from; v <= to; v += Number(step ?? 1)) values.add(v);
  }
  return [...values].sort((x, y) => x - y);
}

/** An AWS field: `*` when full, `s/n` for a whole progression (if `/` is allowed), else a list with ranges. */
function render(
  values: readonly number[],
  min: number,
  max: number,
  step: boolean,
  label: (v: number) => string = String,
): string {
  if (values.length === max - min + 1) return '*';
  const [first = min, second = min, last = min] = [values[0], values[1], values.at(-1)];
  const n = second - first;
  if (
    step &&
    n > 1 &&
    values.length >= 3 &&
    values.every((v, i) => v === first + i * n) &&
    last + n > max
  )
    return `${first}/${n}`;
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j += 1;
    if (j - i >= 2) parts.push(`${label(values[i]!)}-${label(values[j]!)}`);
    else for (let k = i; k <= j; k += 1) parts.push(label(values[k]!));
    i = j + 1;
  }
  return parts.join(',');
}

/** Day-of-week as SUN-SAT names: no numbering to mix up (Unix 0 = AWS 1 = Sunday) and no `/`. */
function renderDow(days: readonly number[]): string {
  return render(
    [...new Set(days)].sort((a, b) => a - b),
    0,
    6,
    false,
    (d) => DAYS[d] ?? String(d),
  );
}

// ─── DST ───────────────────────────────────────────────────────────────────────

interface Shift {
  /** True for a spring-forward gap (local times that do not exist), false for a repeat. */
  readonly gap: boolean;
  /** Local wall-clock times [start, end), as milliseconds of a UTC date with those fields. */
  readonly start: number;
  readonly end: number;
}

// Fixed, so the output does not depend on the clock; zones rarely change their DST wall times,
// and a zone that drops DST only leaves harmless extra ticks.
const SCAN_FROM = Date.UTC(2025, 0, 1);
const SCAN_TO = Date.UTC(2045, 0, 1);
const zones = new Map<string, { shifts: Shift[]; offsets: number[] }>();

/** The zone's DST gaps and repeats in SCAN_FROM..SCAN_TO and the UTC offsets (minutes) it uses. */
function zoneShifts(timezone: string): { shifts: Shift[]; offsets: number[] } {
  const cached = zones.get(timezone);
  if (cached) return cached;
  const offsetAt = offsetReader(timezone);
  const shifts: Shift[] = [];
  const offsets = new Set<number>();
  let before = offsetAt(SCAN_FROM);
  offsets.add(before);
  for (let t = SCAN_FROM + DAY_MS; t < SCAN_TO; t += DAY_MS) {
    const after = offsetAt(t);
    if (after === before) continue;
    let [lo, hi] = [t - DAY_MS, t]; // the change is in (lo, hi]: find its minute
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(mid) === before) lo = mid;
      else hi = mid;
    }
    const [from, to] = [hi + before * MINUTE, hi + after * MINUTE];
    shifts.push(
      after > before ? { gap: true, start: from, end: to } : { gap: false, start: to, end: from },
    );
    offsets.add(after);
    before = after;
  }
  const result = { shifts, offsets: [...offsets] };
  zones.set(timezone, result);
  return result;
}

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (wall: number) =>
  `${pad(new Date(wall).getUTCHours())}:${pad(new Date(wall).getUTCMinutes())}`;

// ─── rate ──────────────────────────────────────────────────────────────────────

function rateSchedule(schedule: RateSchedule, startDate: string | undefined): AwsSchedule {
  const every = schedule.everySeconds;
  if (!Number.isInteger(every) || every <= 0)
    throw new TypeError(
      `Rate "${schedule.expression}" must be a whole number of seconds above 0, got ${every}`,
    );
  const anchor =
    startDate === undefined ? new Date(0) : parseDateInZone(startDate, schedule.timezone);
  if (!anchor)
    throw new TypeError(
      `startDate "${startDate}" is not a date such as "2026-01-01" or "2026-01-01T02:00:00Z"`,
    );
  // Ticks have minute resolution: a fire at hh:mm:ss is started by the tick at the next minute.
  const first = new Date(Math.ceil(anchor.getTime() / MINUTE) * MINUTE);
  const [m0, h0] = [first.getUTCMinutes(), first.getUTCHours()];
  // A cron repeats every day, so the best it can do is every gcd(rate, 1 day), on the anchor's grid.
  const period = gcd(every, 86_400);
  let tick: number;
  let fields: string;
  if (period % 3600 === 0) {
    tick = period;
    fields = `${m0} ${render(progression(h0 % (period / 3600), period / 3600, 23), 0, 23, true)}`;
  } else if (period % 60 === 0) {
    tick = gcd(period, 3600); // divides an hour, so the minutes repeat every hour
    fields = `${render(progression(m0 % (tick / 60), tick / 60, 59), 0, 59, true)} *`;
  } else {
    tick = 60;
    fields = '* *';
  }
  const expression = `cron(${fields} * * ? *)`;
  const anchorText =
    startDate === undefined
      ? 'the Unix epoch'
      : `the start date ${anchor.toISOString().replace(':00.000Z', 'Z')}`;
  if (tick === every) return { expression, timezone: 'UTC', exact: true };
  const note =
    every < 60
      ? `rate '${schedule.expression}' fires more often than once a minute, the most EventBridge Scheduler ticks; each tick starts only the latest run`
      : `rate '${schedule.expression}' fires every ${every}s from ${anchorText}, which a cron (whole minutes, repeating every hour and day) cannot count; ticking every ${duration(tick)} on that grid and the launcher skips ticks without a run`;
  return { expression, timezone: 'UTC', exact: false, note };
}

function progression(start: number, step: number, max: number): number[] {
  const values: number[] = [];
  for (let v = start; v <= max; v += step) values.push(v);
  return values;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function duration(seconds: number): string {
  if (seconds === 86_400) return 'day';
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
}

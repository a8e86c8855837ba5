/**
 * @module schedule/timezone
 * IANA timezone names and the dates a DAG author writes (`'2026-01-01'`, `'2026-01-01T02:00'`),
 * turned into instants in the DAG's timezone.
 */
import { CronDate } from 'croner';

/** True for IANA zone names Intl knows ("Europe/Berlin", "UTC"); false for "Europe/Berln", "CET+1" etc. */
const checked = new Map<string, boolean>();

/** Memoised: `new Intl.DateTimeFormat` costs ≈ 0.1 ms, and every run and schedule asks again. */
export function isValidTimezone(tz: string): boolean {
  let valid = checked.get(tz);
  if (valid === undefined) {
    valid = checkTimezone(tz);
    if (checked.size < 1000) checked.set(tz, valid);
  }
  return valid;
}

function checkTimezone(tz: string): boolean {
  // The default: asking Intl loads the time zone data (≈ 25 ms of a process's start-up).
  if (tz === 'UTC') return true;
  // Intl also accepts offsets ("+01:00") and any letter case; neither is an IANA name, and
  // EventBridge Scheduler, which receives the same name, wants the name as IANA spells it.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // "europe/berlin" resolves to "Europe/Berlin": same letters, wrong case. (Aliases such as
  // "US/Eastern" resolve to another name and are fine.)
  return resolved === tz || resolved.toLowerCase() !== tz.toLowerCase();
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parse a calendar date or instant as written in a DAG ('2026-01-01', '2026-01-01T02:00',
 * '2026-01-01T02:00:00Z') in the given zone into an instant; undefined if unparseable. A date
 * without time means local midnight in `timezone`; a text with `Z` or an offset is that instant.
 *
 * A local time that does not exist (in a spring-forward gap) moves forward by the length of the
 * gap (02:30 → 03:30), and one that occurs twice means its first occurrence; this is croner's
 * conversion, the same as Temporal's default ('compatible').
 */
export function parseDateInZone(text: string, timezone: string): Date | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match || !isValidTimezone(timezone)) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', offset] = match;
  const fields = {
    year: Number(y),
    month: Number(mo) - 1,
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
  };
  const ms = Number(frac.padEnd(3, '0'));

  // Reject what Date.UTC would roll over (2026-02-30 → 2026-03-02, 24:00 → next day).
  const utc = new Date(
    Date.UTC(fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second, ms),
  );
  if (
    utc.getUTCMonth() !== fields.month ||
    utc.getUTCDate() !== fields.day ||
    utc.getUTCHours() !== fields.hour ||
    utc.getUTCMinutes() !== fields.minute ||
    utc.getUTCSeconds() !== fields.second
  ) {
    return undefined;
  }
  if (offset) {
    if (offset.toUpperCase() === 'Z') return utc;
    const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})$/.exec(offset) ?? [];
    if (Number(hours) > 23 || Number(minutes) > 59) return undefined;
    const offsetMs = (Number(hours) * 60 + Number(minutes)) * 60_000;
    return new Date(utc.getTime() - (sign === '-' ? -offsetMs : offsetMs));
  }
  if (timezone === 'UTC') return new Date(utc.getTime());
  // croner's CronDate holds wall-clock fields in a zone and converts them to an instant. It can
  // parse strings too, but does so through the machine's local zone, which breaks in its gaps.
  const local = new CronDate(new Date(0), timezone);
  Object.assign(local, fields, { ms: 0 });
  return new Date(local.getTime() + ms);
}

const offsetReaders = new Map<string, (t: number) => number>();

/**
 * The UTC offset of `timezone` at an instant, in minutes (Berlin in summer: 120), from Intl's
 * `longOffset` name; one formatter per zone (making one costs more than many reads).
 */
export function offsetReader(timezone: string): (t: number) => number {
  let read = offsetReaders.get(timezone);
  if (!read) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      timeZoneName: 'longOffset',
    });
    read = (t) => {
      const [, sign = '+', hh = '0', mm = '0'] =
        /GMT([+-])(\d\d):(\d\d)/.exec(format.format(t)) ?? [];
      return (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
    };
    offsetReaders.set(timezone, read);
  }
  return read;
}

/**
 * @module sdk/duration
 * Durations as written in DAGs: `'90s'`, `'5m'`, `'1h30m'`, `'2d'`, or `{ seconds: 90 }`.
 * Bare numbers are refused on purpose (CONTRIBUTING.md#durations-carry-units): `300` could be seconds or milliseconds.
 */

export type DurationUnit = 'd' | 'h' | 'm' | 's';
/** `'30s'`, `'5m'`, `'1h30m'`, `'2d'`… or an object with explicit units. */
export type Duration =
  | `${number}${DurationUnit}`
  | `${number}${DurationUnit}${number}${DurationUnit}`
  | `${number}${DurationUnit}${number}${DurationUnit}${number}${DurationUnit}`
  | {
      readonly days?: number;
      readonly hours?: number;
      readonly minutes?: number;
      readonly seconds?: number;
    };

const UNIT_SECONDS: Record<DurationUnit, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export type ParsedDuration = { ok: true; seconds: number } | { ok: false; message: string };

const ALLOWED = `a duration such as '30s', '5m', '1h30m' or '2d' (whole units, largest first)`;

/** Parse a duration to whole seconds, or say what is wrong with it. */
export function parseDuration(value: unknown): ParsedDuration {
  if (typeof value === 'string') {
    const text = value.trim();
    const m = PATTERN.exec(text);
    if (!text || !m || m.slice(1).every((part) => part === undefined)) {
      return { ok: false, message: `${JSON.stringify(value)} is not ${ALLOWED}` };
    }
    const [d, h, min, s] = m.slice(1).map((part) => Number(part ?? 0)) as [
      number,
      number,
      number,
      number,
    ];
    return {
      ok: true,
      seconds: d * UNIT_SECONDS.d + h * UNIT_SECONDS.h + min * UNIT_SECONDS.m + s,
    };
  }
  if (typeof value === 'number') {
    return { ok: false, message: `${value} has no unit; write ${ALLOWED}` };
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    let seconds = 0;
    for (const [key, amount] of Object.entries(value)) {
      const unit = ({ days: 'd', hours: 'h', minutes: 'm', seconds: 's' } as const)[key as 'days'];
      if (!unit)
        return {
          ok: false,
          message: `unknown duration field "${key}" (allowed: days, hours, minutes, seconds)`,
        };
      if (typeof amount !== 'number' || !Number.isFinite(amount)) {
        return {
          ok: false,
          message: `duration field "${key}" must be a number, got ${JSON.stringify(amount)}`,
        };
      }
      seconds += amount * UNIT_SECONDS[unit];
    }
    if (!Number.isInteger(seconds))
      return { ok: false, message: `${JSON.stringify(value)} is not a whole number of seconds` };
    return { ok: true, seconds };
  }
  return { ok: false, message: `${JSON.stringify(value) ?? String(value)} is not ${ALLOWED}` };
}

/** Render seconds compactly for messages and tables: 5400 → '1h30m'. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.abs(seconds);
  let out = seconds < 0 ? '-' : '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const n = Math.floor(rest / UNIT_SECONDS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_SECONDS[unit];
  }
  return out;
}

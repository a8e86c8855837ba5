/**
 * Timezone names and the dates a DAG author writes.
 */
import { describe, expect, it } from 'vitest';
import { isValidTimezone, parseDateInZone } from '../../src/schedule/index.ts';

describe('isValidTimezone', () => {
  it.each(['Europe/Berlin', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+1', 'US/Eastern'])(
    'accepts %j',
    (tz) => {
      expect(isValidTimezone(tz)).toBe(true);
    },
  );

  it.each(['Europe/Berln', 'CET+1', '+01:00', '', 'europe/berlin', 'Mars/Olympus_Mons', 'UTC '])(
    'rejects %j',
    (tz) => {
      expect(isValidTimezone(tz)).toBe(false);
    },
  );
});

describe('parseDateInZone', () => {
  it.each([
    ['2026-01-01', 'Europe/Berlin', '2025-12-31T23:00:00.000Z'],
    ['2026-07-01', 'Europe/Berlin', '2026-06-30T22:00:00.000Z'],
    ['2026-01-01', 'UTC', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T02:00', 'America/New_York', '2026-01-01T07:00:00.000Z'],
    ['2026-01-01T02:00:30', 'America/New_York', '2026-01-01T07:00:30.000Z'],
    ['2026-01-01 02:00', 'UTC', '2026-01-01T02:00:00.000Z'],
    ['2026-01-01T02:00:00.5Z', 'Europe/Berlin', '2026-01-01T02:00:00.500Z'],
    ['2026-01-01T02:00:00Z', 'Europe/Berlin', '2026-01-01T02:00:00.000Z'],
    ['2026-01-01T02:00:00+01:00', 'UTC', '2026-01-01T01:00:00.000Z'],
    ['2026-01-01T02:00:00-0530', 'UTC', '2026-01-01T07:30:00.000Z'],
    // In the spring-forward gap: moved forward by the gap (02:30 → 03:30 CEST).
    ['2026-03-29T02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    // Occurs twice: the first occurrence (CEST).
    ['2026-10-25T02:30', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
  ])('%j in %s is %s', (text, tz, expected) => {
    expect(parseDateInZone(text, tz)?.toISOString()).toBe(expected);
  });

  it.each([
    ['2026-02-30', 'UTC'],
    ['2026-13-01', 'UTC'],
    ['2026-01-01T24:00', 'UTC'],
    ['2026-01-01T12:60', 'UTC'],
    ['next tuesday', 'UTC'],
    ['2026-1-1', 'UTC'],
    ['', 'UTC'],
    ['2026-01-01', 'Europe/Berln'],
  ])('%j in %s is unparseable', (text, tz) => {
    expect(parseDateInZone(text, tz)).toBeUndefined();
  });
});

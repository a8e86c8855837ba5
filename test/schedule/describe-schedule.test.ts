/**
 * Schedules in one line of English, and the logical-date part of execution names.
 */
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/ir/types.ts';
import { describeSchedule, logicalDateKey } from '../../src/schedule/index.ts';
import { all, any, ds, onDatasetsIR } from './factories.ts';

const cron = (expression: string, timezone = 'UTC'): Schedule => ({
  kind: 'cron',
  expression,
  timezone,
});
const rate = (everySeconds: number): Schedule => ({
  kind: 'rate',
  everySeconds,
  expression: `${everySeconds}s`,
  timezone: 'UTC',
});

describe('describeSchedule', () => {
  it.each([
    [cron('0 2 * * *', 'Europe/Berlin'), 'At 02:00 every day (Europe/Berlin)'],
    [cron('30 2,14 * * *'), 'At 02:30 and 14:30 every day (UTC)'],
    [cron('@hourly'), 'Every hour (UTC)'],
    [cron('@weekly', 'America/New_York'), 'At 00:00, only on Sunday (America/New_York)'],
    [cron('0 6 * * MON-FRI'), 'At 06:00, Monday through Friday (UTC)'],
    [cron('*/15 * * * *'), 'Every 15 minutes (UTC)'],
    [rate(6 * 3600), 'Every 6 hours'],
    [rate(3600), 'Every hour'],
    [rate(2 * 86_400), 'Every 2 days'],
    [rate(90), 'Every 90 seconds'],
    [rate(300), 'Every 5 minutes'],
    [{ kind: 'manual' }, 'Manual only'],
    [onDatasetsIR(all(ds('s3://a'), ds('s3://b'))), 'When s3://a and s3://b are updated'],
    [
      onDatasetsIR(all(ds('s3://a'), ds('s3://b'), ds('s3://c'))),
      'When s3://a, s3://b and s3://c are updated',
    ],
    [onDatasetsIR(any(ds('s3://a'), ds('s3://b'))), 'When s3://a or s3://b is updated'],
    [onDatasetsIR(ds('s3://a')), 'When s3://a is updated'],
    [
      onDatasetsIR(any(ds('s3://a'), all(ds('s3://b'), ds('s3://c')))),
      'When datasets are updated: s3://a | (s3://b & s3://c)',
    ],
  ] satisfies [Schedule, string][])('%j → %s', (schedule, text) => {
    expect(describeSchedule(schedule)).toBe(text);
  });
});

describe('logicalDateKey', () => {
  it('is the UTC instant without ":"', () => {
    expect(logicalDateKey(new Date('2026-11-20T02:00:00Z'))).toBe('2026-11-20T02-00-00Z');
    expect(logicalDateKey(new Date('2026-11-20T03:00:00+01:00'))).toBe('2026-11-20T02-00-00Z');
  });

  it('keeps milliseconds only when there are some', () => {
    expect(logicalDateKey(new Date('2026-11-20T02:00:00.123Z'))).toBe('2026-11-20T02-00-00.123Z');
  });
});

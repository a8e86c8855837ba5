/**
 * The local scheduler's ticks (schedule/aws-ticks) are EventBridge Scheduler's: checked against
 * a minute-by-minute reading of the zone's wall clock (./aws-reference) for every kind of
 * expression the app deploys, over the 2026 DST changes of Berlin, New York and Lord Howe (whose
 * clocks move by 30 minutes), and on the days themselves.
 */
import { describe, expect, it } from 'vitest';
import { awsScheduleOf, awsTicks, nextAwsTick } from '../../src/schedule/index.ts';
import { referenceTicks } from './aws-reference.ts';
import { at, cronDag, rateDag } from './factories.ts';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const LORD_HOWE = 'Australia/Lord_Howe';
const WINDOWS: Record<string, [string, string][]> = {
  UTC: [['2026-01-25T00:00:00Z', '2026-02-04T00:00:00Z']],
  [BERLIN]: [
    ['2026-03-26T00:00:00Z', '2026-04-01T00:00:00Z'],
    ['2026-10-22T00:00:00Z', '2026-10-28T00:00:00Z'],
  ],
  [NEW_YORK]: [
    ['2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z'],
    ['2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'],
  ],
  [LORD_HOWE]: [
    ['2026-04-03T00:00:00Z', '2026-04-07T00:00:00Z'],
    ['2026-10-02T00:00:00Z', '2026-10-06T00:00:00Z'],
  ],
};

const SCHEDULES = [
  ...[
    '0 2 * * *',
    '30 2 * * *',
    '15 2,3 * * *',
    '*/20 1-3 * * *',
    '0 2 * * 1-5',
    '0 0 1 * *',
  ].flatMap((expression) => [BERLIN, NEW_YORK, LORD_HOWE].map((tz) => cronDag(expression, tz))),
  cronDag('@hourly', BERLIN),
  cronDag('*/15 9-17 * * 1-5'),
  rateDag(90 * 60, { startDate: '2026-01-01T00:10:00Z' }, BERLIN),
].map((dag) => awsScheduleOf(dag)!);

describe('awsTicks: EventBridge Scheduler\u2019s ticks, DST included', () => {
  it.each(SCHEDULES.map((s) => [`${s.expression} in ${s.timezone}`, s] as const))(
    '%s',
    (_, schedule) => {
      for (const [from, to] of WINDOWS[schedule.timezone] ?? WINDOWS.UTC!) {
        const expected = referenceTicks(schedule, at(from), at(to)).filter(
          (t) => t.getTime() > at(from).getTime(),
        );
        expect(awsTicks(schedule, at(from), at(to)).map((t) => t.toISOString())).toEqual(
          expected.map((t) => t.toISOString()),
        );
      }
    },
  );

  it('skips a local time that does not exist and ticks once at one that occurs twice', () => {
    const twoThirty = { expression: 'cron(30 2 * * ? *)', timezone: BERLIN, exact: true };
    // 29 March 2026: 02:00 → 03:00 in Berlin, no 02:30; 25 October: 02:30 happens twice.
    expect(
      awsTicks(twoThirty, at('2026-03-27T12:00:00Z'), at('2026-03-31T12:00:00Z')).map((t) =>
        t.toISOString(),
      ),
    ).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    expect(
      awsTicks(twoThirty, at('2026-10-24T12:00:00Z'), at('2026-10-26T12:00:00Z')).map((t) =>
        t.toISOString(),
      ),
    ).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('finds the next tick, weeks ahead if need be', () => {
    const monthly = { expression: 'cron(0 0 1 * ? *)', timezone: 'UTC', exact: true };
    expect(nextAwsTick(monthly, at('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-02-01T00:00:00.000Z',
    );
  });
});

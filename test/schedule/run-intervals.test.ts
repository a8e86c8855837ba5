/**
 * Data intervals in UTC: cron schedules and presets, start-date alignment, the end-date cut-off,
 * rate schedules, and the four ways of asking for runs.
 */
import { describe, expect, it } from 'vitest';
import {
  latestCompleteRun,
  nextRuns,
  runForLogicalDate,
  runsBetween,
} from '../../src/schedule/index.ts';
import { at, cronDag, datasets, iso, manual, rateDag, span, spans } from './factories.ts';

const daily2am = cronDag('0 2 * * *', 'UTC', { startDate: '2026-01-01' });

describe('cron schedules in UTC', () => {
  it('daily: each interval runs from one 02:00 to the next, logical date = start, runAfter = end', () => {
    const [first] = runsBetween(daily2am, at('2026-01-01T00:00:00Z'), at('2026-01-01T23:59:59Z'));
    expect(
      first && Object.fromEntries(Object.entries(first).map(([key, value]) => [key, iso(value)])),
    ).toEqual({
      logicalDate: '2026-01-01T02:00:00Z',
      dataIntervalStart: '2026-01-01T02:00:00Z',
      dataIntervalEnd: '2026-01-02T02:00:00Z',
      runAfter: '2026-01-02T02:00:00Z',
    });
  });

  it('hourly preset', () => {
    expect(spans(nextRuns(cronDag('@hourly'), at('2026-01-01T10:30:00Z'), 3))).toEqual([
      '2026-01-01T10:00:00Z → 2026-01-01T11:00:00Z',
      '2026-01-01T11:00:00Z → 2026-01-01T12:00:00Z',
      '2026-01-01T12:00:00Z → 2026-01-01T13:00:00Z',
    ]);
  });

  it('weekly preset: Sunday midnight to Sunday midnight (2026-01-01 is a Thursday)', () => {
    expect(
      spans(
        runsBetween(
          cronDag('@weekly', 'UTC', { startDate: '2026-01-01' }),
          at('2026-01-01T00:00:00Z'),
          at('2026-01-18T00:00:00Z'),
        ),
      ),
    ).toEqual([
      '2026-01-04T00:00:00Z → 2026-01-11T00:00:00Z',
      '2026-01-11T00:00:00Z → 2026-01-18T00:00:00Z',
      '2026-01-18T00:00:00Z → 2026-01-25T00:00:00Z',
    ]);
  });

  it('monthly preset: months of different lengths', () => {
    expect(
      spans(
        runsBetween(cronDag('@monthly'), at('2026-01-01T00:00:00Z'), at('2026-03-01T00:00:00Z')),
      ),
    ).toEqual([
      '2026-01-01T00:00:00Z → 2026-02-01T00:00:00Z',
      '2026-02-01T00:00:00Z → 2026-03-01T00:00:00Z',
      '2026-03-01T00:00:00Z → 2026-04-01T00:00:00Z',
    ]);
  });

  it('@yearly and @annually', () => {
    for (const preset of ['@yearly', '@annually']) {
      expect(spans(nextRuns(cronDag(preset), at('2026-06-01T00:00:00Z'), 2))).toEqual([
        '2026-01-01T00:00:00Z → 2027-01-01T00:00:00Z',
        '2027-01-01T00:00:00Z → 2028-01-01T00:00:00Z',
      ]);
    }
  });

  it("weekdays only: Friday's interval ends on Monday, as in Airflow", () => {
    expect(
      spans(
        runsBetween(
          cronDag('0 6 * * MON-FRI'),
          at('2026-01-02T00:00:00Z'),
          at('2026-01-05T23:00:00Z'),
        ),
      ),
    ).toEqual([
      '2026-01-02T06:00:00Z → 2026-01-05T06:00:00Z',
      '2026-01-05T06:00:00Z → 2026-01-06T06:00:00Z',
    ]);
  });

  it('a schedule in another zone fires at local time', () => {
    expect(
      span(nextRuns(cronDag('0 2 * * *', 'Europe/Berlin'), at('2026-01-10T12:00:00Z'), 1)[0]),
    ).toBe('2026-01-10T01:00:00Z → 2026-01-11T01:00:00Z');
  });
});

describe('start date', () => {
  it('the first interval starts at the first fire time at or after it', () => {
    const dag = cronDag('0 2 * * *', 'UTC', { startDate: '2026-01-01T03:00:00Z' });
    expect(span(nextRuns(dag, at('2025-12-01T00:00:00Z'), 1)[0])).toBe(
      '2026-01-02T02:00:00Z → 2026-01-03T02:00:00Z',
    );
    expect(span(runsBetween(dag, at('2025-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'))[0])).toBe(
      '2026-01-02T02:00:00Z → 2026-01-03T02:00:00Z',
    );
  });

  it('a start date on a fire time is itself the first logical date', () => {
    const dag = cronDag('0 2 * * *', 'UTC', { startDate: '2026-01-01T02:00:00Z' });
    expect(span(nextRuns(dag, at('2025-12-01T00:00:00Z'), 1)[0])).toBe(
      '2026-01-01T02:00:00Z → 2026-01-02T02:00:00Z',
    );
  });

  it("a date-only start date is midnight in the schedule's timezone", () => {
    const dag = cronDag('0 0 * * *', 'Europe/Berlin', { startDate: '2026-01-01' });
    expect(span(nextRuns(dag, at('2025-06-01T00:00:00Z'), 1)[0])).toBe(
      '2025-12-31T23:00:00Z → 2026-01-01T23:00:00Z',
    );
  });

  it('rejects an unparseable start date', () => {
    expect(() =>
      nextRuns(
        cronDag('@daily', 'UTC', { startDate: 'next tuesday' }),
        at('2026-01-01T00:00:00Z'),
        1,
      ),
    ).toThrow(
      'startDate "next tuesday" is not a date such as "2026-01-01" or "2026-01-01T02:00:00Z"',
    );
  });
});

describe('end date (the last allowed logical date, inclusive)', () => {
  it('a run whose logical date is the end date is included, the next is not', () => {
    const dag = cronDag('0 2 * * *', 'UTC', {
      startDate: '2026-01-01',
      endDate: '2026-01-03T02:00:00Z',
    });
    expect(spans(runsBetween(dag, at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z')))).toEqual(
      [
        '2026-01-01T02:00:00Z → 2026-01-02T02:00:00Z',
        '2026-01-02T02:00:00Z → 2026-01-03T02:00:00Z',
        '2026-01-03T02:00:00Z → 2026-01-04T02:00:00Z',
      ],
    );
    expect(spans(nextRuns(dag, at('2026-01-02T12:00:00Z'), 10))).toEqual([
      '2026-01-02T02:00:00Z → 2026-01-03T02:00:00Z',
      '2026-01-03T02:00:00Z → 2026-01-04T02:00:00Z',
    ]);
  });

  it('one second before a fire time excludes it', () => {
    const dag = cronDag('0 2 * * *', 'UTC', {
      startDate: '2026-01-01',
      endDate: '2026-01-03T01:59:59Z',
    });
    expect(
      runsBetween(dag, at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z')).map((run) =>
        iso(run.logicalDate),
      ),
    ).toEqual(['2026-01-01T02:00:00Z', '2026-01-02T02:00:00Z']);
  });

  it('after the end date there are no next runs, and the latest complete run is the last one', () => {
    const dag = cronDag('0 2 * * *', 'UTC', { startDate: '2026-01-01', endDate: '2026-01-03' });
    expect(nextRuns(dag, at('2026-02-01T00:00:00Z'), 5)).toEqual([]);
    expect(span(latestCompleteRun(dag, at('2026-02-01T00:00:00Z')))).toBe(
      '2026-01-02T02:00:00Z → 2026-01-03T02:00:00Z',
    );
  });
});

describe('rate schedules', () => {
  it('intervals of everySeconds anchored at the start date', () => {
    const dag = rateDag(6 * 3600, { startDate: '2026-01-01T01:00:00Z' });
    expect(spans(nextRuns(dag, at('2026-01-01T08:00:00Z'), 3))).toEqual([
      '2026-01-01T07:00:00Z → 2026-01-01T13:00:00Z',
      '2026-01-01T13:00:00Z → 2026-01-01T19:00:00Z',
      '2026-01-01T19:00:00Z → 2026-01-02T01:00:00Z',
    ]);
    expect(span(nextRuns(dag, at('2025-01-01T00:00:00Z'), 1)[0])).toBe(
      '2026-01-01T01:00:00Z → 2026-01-01T07:00:00Z',
    );
  });

  it('without a start date, aligned to the Unix epoch', () => {
    expect(spans(nextRuns(rateDag(6 * 3600), at('2026-01-01T08:00:00Z'), 2))).toEqual([
      '2026-01-01T06:00:00Z → 2026-01-01T12:00:00Z',
      '2026-01-01T12:00:00Z → 2026-01-01T18:00:00Z',
    ]);
  });

  it('a date-only start date anchors at local midnight; rates run in absolute time across DST', () => {
    const dag = rateDag(12 * 3600, { startDate: '2026-03-28' }, 'Europe/Berlin');
    expect(spans(nextRuns(dag, at('2026-03-28T00:00:00Z'), 3))).toEqual([
      '2026-03-27T23:00:00Z → 2026-03-28T11:00:00Z',
      '2026-03-28T11:00:00Z → 2026-03-28T23:00:00Z',
      '2026-03-28T23:00:00Z → 2026-03-29T11:00:00Z',
    ]);
  });

  it('respects the end date and logical-date lookups', () => {
    const dag = rateDag(3600, {
      startDate: '2026-01-01T00:30:00Z',
      endDate: '2026-01-01T02:30:00Z',
    });
    expect(
      runsBetween(dag, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')).map((run) =>
        iso(run.logicalDate),
      ),
    ).toEqual(['2026-01-01T00:30:00Z', '2026-01-01T01:30:00Z', '2026-01-01T02:30:00Z']);
    expect(span(runForLogicalDate(dag, at('2026-01-01T01:30:00Z')))).toBe(
      '2026-01-01T01:30:00Z → 2026-01-01T02:30:00Z',
    );
    expect(runForLogicalDate(dag, at('2026-01-01T01:00:00Z'))).toBeUndefined();
  });

  it('rejects a period that is not a positive whole number of seconds', () => {
    expect(() => nextRuns(rateDag(0), at('2026-01-01T00:00:00Z'), 1)).toThrow(
      'Rate "0s" must be a whole number of seconds above 0, got 0',
    );
  });
});

describe('nextRuns', () => {
  it('starts with the open interval, then follows in order without gaps', () => {
    const now = at('2026-01-05T13:00:00Z');
    const runs = nextRuns(daily2am, now, 5);
    expect(runs.map((run) => iso(run.logicalDate))).toEqual([
      '2026-01-05T02:00:00Z',
      '2026-01-06T02:00:00Z',
      '2026-01-07T02:00:00Z',
      '2026-01-08T02:00:00Z',
      '2026-01-09T02:00:00Z',
    ]);
    expect(runs[0]!.runAfter > now).toBe(true);
    for (const [i, run] of runs.slice(1).entries())
      expect(run.dataIntervalStart).toEqual(runs[i]!.dataIntervalEnd);
  });

  it('at exactly a boundary, the interval that starts there comes first (runAfter strictly after now)', () => {
    expect(span(nextRuns(daily2am, at('2026-01-05T02:00:00Z'), 1)[0])).toBe(
      '2026-01-05T02:00:00Z → 2026-01-06T02:00:00Z',
    );
    expect(span(nextRuns(daily2am, at('2026-01-05T01:59:59.999Z'), 1)[0])).toBe(
      '2026-01-04T02:00:00Z → 2026-01-05T02:00:00Z',
    );
  });

  it('count 0 gives none', () => {
    expect(nextRuns(daily2am, at('2026-01-05T13:00:00Z'), 0)).toEqual([]);
  });
});

describe('latestCompleteRun', () => {
  it('at exactly an interval end, that interval is complete', () => {
    expect(span(latestCompleteRun(daily2am, at('2026-01-03T02:00:00Z')))).toBe(
      '2026-01-02T02:00:00Z → 2026-01-03T02:00:00Z',
    );
  });

  it('one millisecond earlier, the interval before it', () => {
    expect(span(latestCompleteRun(daily2am, at('2026-01-03T01:59:59.999Z')))).toBe(
      '2026-01-01T02:00:00Z → 2026-01-02T02:00:00Z',
    );
  });

  it('undefined until the first interval has ended', () => {
    expect(latestCompleteRun(daily2am, at('2026-01-02T01:59:59Z'))).toBeUndefined();
    expect(span(latestCompleteRun(daily2am, at('2026-01-02T02:00:00Z')))).toBe(
      '2026-01-01T02:00:00Z → 2026-01-02T02:00:00Z',
    );
  });
});

describe('runForLogicalDate', () => {
  it('an aligned date gives its interval', () => {
    expect(span(runForLogicalDate(daily2am, at('2026-11-20T02:00:00Z')))).toBe(
      '2026-11-20T02:00:00Z → 2026-11-21T02:00:00Z',
    );
  });

  it('a misaligned date gives undefined', () => {
    expect(runForLogicalDate(daily2am, at('2026-11-20T00:00:00Z'))).toBeUndefined();
    expect(runForLogicalDate(daily2am, at('2026-11-20T02:00:01Z'))).toBeUndefined();
    expect(runForLogicalDate(daily2am, at('2026-11-20T02:00:00.001Z'))).toBeUndefined();
  });

  it('manual and dataset schedules: a zero-length interval at the date', () => {
    for (const schedule of [manual, datasets]) {
      const run = runForLogicalDate({ schedule }, at('2026-11-20T09:15:00Z'));
      expect(
        run && [run.logicalDate, run.dataIntervalStart, run.dataIntervalEnd, run.runAfter].map(iso),
      ).toEqual([
        '2026-11-20T09:15:00Z',
        '2026-11-20T09:15:00Z',
        '2026-11-20T09:15:00Z',
        '2026-11-20T09:15:00Z',
      ]);
    }
  });
});

describe('runsBetween', () => {
  it('is inclusive at both ends and respects the start date', () => {
    expect(
      runsBetween(daily2am, at('2025-12-30T02:00:00Z'), at('2026-01-03T02:00:00Z')).map((run) =>
        iso(run.logicalDate),
      ),
    ).toEqual(['2026-01-01T02:00:00Z', '2026-01-02T02:00:00Z', '2026-01-03T02:00:00Z']);
  });

  it('an empty or reversed range gives none', () => {
    expect(runsBetween(daily2am, at('2026-01-05T03:00:00Z'), at('2026-01-06T01:00:00Z'))).toEqual(
      [],
    );
    expect(runsBetween(daily2am, at('2026-01-06T00:00:00Z'), at('2026-01-05T00:00:00Z'))).toEqual(
      [],
    );
  });

  it('allows exactly `limit` runs and throws a RangeError past it', () => {
    const hourly = cronDag('@hourly');
    const from = at('2026-01-01T00:00:00Z');
    const to = at('2026-01-01T23:00:00Z');
    expect(runsBetween(hourly, from, to, 24)).toHaveLength(24);
    expect(() => runsBetween(hourly, from, to, 23)).toThrow(
      new RangeError(
        'More than 23 runs have a logical date between 2026-01-01T00:00:00.000Z and 2026-01-01T23:00:00.000Z; narrow the date range or raise the limit',
      ),
    );
  });

  it('the default limit is 10,000', () => {
    const hourly = cronDag('@hourly');
    expect(() =>
      runsBetween(hourly, at('2026-01-01T00:00:00Z'), at('2027-12-31T00:00:00Z')),
    ).toThrow(/^More than 10000 runs/);
    expect(
      runsBetween(hourly, at('2026-01-01T00:00:00Z'), at('2027-02-21T15:00:00Z')),
    ).toHaveLength(10_000);
  });
});

describe('schedules without time-based runs', () => {
  it.each([
    ['manual', manual],
    ['datasets', datasets],
  ])('%s: no next, between or latest runs', (_name, schedule) => {
    const dag = { schedule, startDate: '2026-01-01' };
    expect(nextRuns(dag, at('2026-01-05T00:00:00Z'), 3)).toEqual([]);
    expect(runsBetween(dag, at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'))).toEqual([]);
    expect(latestCompleteRun(dag, at('2026-01-05T00:00:00Z'))).toBeUndefined();
  });
});

describe('invalid schedules', () => {
  it('a bad cron expression says what is wrong', () => {
    expect(() => nextRuns(cronDag('0 25 * * *'), at('2026-01-01T00:00:00Z'), 1)).toThrow(
      new TypeError('Cron expression "0 25 * * *" field "hour" has 25 but allows 0-23'),
    );
  });

  it('a bad timezone says what is wrong', () => {
    expect(() =>
      nextRuns(cronDag('@daily', 'Europe/Berln'), at('2026-01-01T00:00:00Z'), 1),
    ).toThrow(
      'Timezone "Europe/Berln" is not an IANA timezone name such as "Europe/Berlin" or "UTC"',
    );
  });
});

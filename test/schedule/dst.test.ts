/**
 * Daylight-saving days in Europe/Berlin (2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00) and
 * America/New_York (2026-03-08 02:00→03:00, 2026-11-01 02:00→01:00): one run per local day for
 * daily schedules, 23/25 one-hour intervals for hourly ones.
 */
import { describe, expect, it } from 'vitest';
import {
  latestCompleteRun,
  nextRuns,
  runForLogicalDate,
  runsBetween,
} from '../../src/schedule/index.ts';
import { at, cronDag, iso, localHour, span, spans } from './factories.ts';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('daily at 02:30 local', () => {
  it('Berlin spring forward: 02:30 does not exist, the run fires at 03:00 CEST (01:00Z)', () => {
    const runs = runsBetween(
      cronDag('30 2 * * *', BERLIN),
      at('2026-03-28T00:00:00Z'),
      at('2026-03-30T23:59:59Z'),
    );
    expect(spans(runs)).toEqual([
      '2026-03-28T01:30:00Z → 2026-03-29T01:00:00Z',
      '2026-03-29T01:00:00Z → 2026-03-30T00:30:00Z',
      '2026-03-30T00:30:00Z → 2026-03-31T00:30:00Z',
    ]);
  });

  it('Berlin fall back: 02:30 occurs twice, the run fires once, at the first (00:30Z)', () => {
    const runs = runsBetween(
      cronDag('30 2 * * *', BERLIN),
      at('2026-10-24T00:00:00Z'),
      at('2026-10-26T23:59:59Z'),
    );
    expect(spans(runs)).toEqual([
      '2026-10-24T00:30:00Z → 2026-10-25T00:30:00Z',
      '2026-10-25T00:30:00Z → 2026-10-26T01:30:00Z',
      '2026-10-26T01:30:00Z → 2026-10-27T01:30:00Z',
    ]);
  });

  it('New York spring forward: fires at 03:00 EDT (07:00Z)', () => {
    const runs = runsBetween(
      cronDag('30 2 * * *', NEW_YORK),
      at('2026-03-07T00:00:00Z'),
      at('2026-03-09T23:59:59Z'),
    );
    expect(spans(runs)).toEqual([
      '2026-03-07T07:30:00Z → 2026-03-08T07:00:00Z',
      '2026-03-08T07:00:00Z → 2026-03-09T06:30:00Z',
      '2026-03-09T06:30:00Z → 2026-03-10T06:30:00Z',
    ]);
  });

  it('New York fall back: 02:30 is not repeated there, the day is 25 hours long', () => {
    const runs = runsBetween(
      cronDag('30 2 * * *', NEW_YORK),
      at('2026-10-31T00:00:00Z'),
      at('2026-11-02T23:59:59Z'),
    );
    expect(spans(runs)).toEqual([
      '2026-10-31T06:30:00Z → 2026-11-01T07:30:00Z',
      '2026-11-01T07:30:00Z → 2026-11-02T07:30:00Z',
      '2026-11-02T07:30:00Z → 2026-11-03T07:30:00Z',
    ]);
  });

  it('New York fall back at 01:30, which occurs twice: once, at the first (EDT, 05:30Z)', () => {
    const runs = runsBetween(
      cronDag('30 1 * * *', NEW_YORK),
      at('2026-10-31T00:00:00Z'),
      at('2026-11-02T23:59:59Z'),
    );
    expect(spans(runs)).toEqual([
      '2026-10-31T05:30:00Z → 2026-11-01T05:30:00Z',
      '2026-11-01T05:30:00Z → 2026-11-02T06:30:00Z',
      '2026-11-02T06:30:00Z → 2026-11-03T06:30:00Z',
    ]);
  });

  it('a list of fixed times (30 2,14) also fires once after the gap, not never', () => {
    const runs = runsBetween(
      cronDag('30 2,14 * * *', BERLIN),
      at('2026-03-28T23:00:00Z'),
      at('2026-03-29T21:59:59Z'),
    );
    expect(runs.map((run) => iso(run.logicalDate))).toEqual([
      '2026-03-29T01:00:00Z',
      '2026-03-29T12:30:00Z',
    ]);
  });

  it('nextRuns crosses the gap the same way', () => {
    const runs = nextRuns(cronDag('30 2 * * *', BERLIN), at('2026-03-28T12:00:00Z'), 3);
    expect(spans(runs)).toEqual([
      '2026-03-28T01:30:00Z → 2026-03-29T01:00:00Z',
      '2026-03-29T01:00:00Z → 2026-03-30T00:30:00Z',
      '2026-03-30T00:30:00Z → 2026-03-31T00:30:00Z',
    ]);
  });

  it('latestCompleteRun at the end of the 23-hour interval', () => {
    const dag = cronDag('30 2 * * *', BERLIN);
    expect(span(latestCompleteRun(dag, at('2026-03-30T00:30:00Z')))).toBe(
      '2026-03-29T01:00:00Z → 2026-03-30T00:30:00Z',
    );
    expect(span(latestCompleteRun(dag, at('2026-03-30T00:29:59Z')))).toBe(
      '2026-03-28T01:30:00Z → 2026-03-29T01:00:00Z',
    );
  });

  it('runForLogicalDate knows the moved and the repeated times', () => {
    const dag = cronDag('30 2 * * *', BERLIN);
    expect(span(runForLogicalDate(dag, at('2026-03-29T01:00:00Z')))).toBe(
      '2026-03-29T01:00:00Z → 2026-03-30T00:30:00Z',
    );
    expect(span(runForLogicalDate(dag, at('2026-10-25T00:30:00Z')))).toBe(
      '2026-10-25T00:30:00Z → 2026-10-26T01:30:00Z',
    );
    // 02:30 CET, the second occurrence, is not a fire time.
    expect(runForLogicalDate(dag, at('2026-10-25T01:30:00Z'))).toBeUndefined();
  });
});

describe('daily at 00:00 local', () => {
  it.each([
    [
      BERLIN,
      '2026-03-27T23:00:00Z',
      [
        '2026-03-27T23:00:00Z → 2026-03-28T23:00:00Z',
        '2026-03-28T23:00:00Z → 2026-03-29T22:00:00Z',
        '2026-03-29T22:00:00Z → 2026-03-30T22:00:00Z',
      ],
    ],
    [
      BERLIN,
      '2026-10-23T22:00:00Z',
      [
        '2026-10-23T22:00:00Z → 2026-10-24T22:00:00Z',
        '2026-10-24T22:00:00Z → 2026-10-25T23:00:00Z',
        '2026-10-25T23:00:00Z → 2026-10-26T23:00:00Z',
      ],
    ],
    [
      NEW_YORK,
      '2026-03-07T05:00:00Z',
      [
        '2026-03-07T05:00:00Z → 2026-03-08T05:00:00Z',
        '2026-03-08T05:00:00Z → 2026-03-09T04:00:00Z',
        '2026-03-09T04:00:00Z → 2026-03-10T04:00:00Z',
      ],
    ],
    [
      NEW_YORK,
      '2026-10-31T04:00:00Z',
      [
        '2026-10-31T04:00:00Z → 2026-11-01T04:00:00Z',
        '2026-11-01T04:00:00Z → 2026-11-02T05:00:00Z',
        '2026-11-02T05:00:00Z → 2026-11-03T05:00:00Z',
      ],
    ],
  ])(
    '%s from %s: local midnights, 23 or 25 hours apart on the DST day',
    (timezone, from, expected) => {
      const runs = nextRuns(cronDag('@daily', timezone), at(from), 3);
      // `now` is exactly a boundary, so the interval starting there is the open one.
      expect(spans(runs)).toEqual(expected);
      expect(runs.map((run) => localHour(run.logicalDate, timezone))).toEqual([0, 0, 0]);
    },
  );
});

describe('hourly', () => {
  /** The hourly runs whose logical date falls on one local day [from, to). */
  function hourlyRuns(timezone: string, from: string, to: string) {
    return runsBetween(cronDag('@hourly', timezone), at(from), new Date(at(to).getTime() - 1));
  }

  it.each([
    [BERLIN, '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23, 2],
    [NEW_YORK, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23, 2],
  ])(
    '%s spring forward, local day %s → %s: %i intervals of 1h, local hour %i missing',
    (timezone, from, to, count, missing) => {
      const runs = hourlyRuns(timezone, from, to);
      expect(runs).toHaveLength(count);
      expect(iso(runs[0]!.dataIntervalStart)).toBe(from);
      expect(iso(runs.at(-1)!.dataIntervalEnd)).toBe(to);
      for (const run of runs)
        expect(run.dataIntervalEnd.getTime() - run.dataIntervalStart.getTime()).toBe(3_600_000);
      const hours = runs.map((run) => localHour(run.logicalDate, timezone));
      expect(hours).not.toContain(missing);
      expect(new Set(hours).size).toBe(23);
    },
  );

  it.each([
    [BERLIN, '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 2],
    [NEW_YORK, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 1],
  ])(
    '%s fall back, local day %s → %s: 25 intervals of 1h, local hour %i twice',
    (timezone, from, to, repeated) => {
      const runs = hourlyRuns(timezone, from, to);
      expect(runs).toHaveLength(25);
      expect(iso(runs[0]!.dataIntervalStart)).toBe(from);
      expect(iso(runs.at(-1)!.dataIntervalEnd)).toBe(to);
      for (const run of runs)
        expect(run.dataIntervalEnd.getTime() - run.dataIntervalStart.getTime()).toBe(3_600_000);
      const hours = runs.map((run) => localHour(run.logicalDate, timezone));
      expect(hours.filter((hour) => hour === repeated)).toHaveLength(2);
    },
  );

  it('latestCompleteRun inside the repeated hour', () => {
    const dag = cronDag('@hourly', BERLIN);
    expect(span(latestCompleteRun(dag, at('2026-10-25T01:00:00Z')))).toBe(
      '2026-10-25T00:00:00Z → 2026-10-25T01:00:00Z',
    );
    expect(span(latestCompleteRun(dag, at('2026-10-25T01:59:59Z')))).toBe(
      '2026-10-25T00:00:00Z → 2026-10-25T01:00:00Z',
    );
  });

  it('runForLogicalDate accepts both occurrences of the repeated hour', () => {
    const dag = cronDag('@hourly', BERLIN);
    expect(span(runForLogicalDate(dag, at('2026-10-25T00:00:00Z')))).toBe(
      '2026-10-25T00:00:00Z → 2026-10-25T01:00:00Z',
    );
    expect(span(runForLogicalDate(dag, at('2026-10-25T01:00:00Z')))).toBe(
      '2026-10-25T01:00:00Z → 2026-10-25T02:00:00Z',
    );
  });
});

/**
 * EventBridge Scheduler expressions for cron and rate schedules: exact strings, AWS syntax
 * (per the field table of the EventBridge cron reference), and coverage: in windows around DST
 * changes, every run of the DAG is the latest complete run at some tick of the produced
 * expression, evaluated as AWS does (in its zone; a time in a spring-forward gap never ticks, a
 * repeated time ticks once).
 */
import { describe, expect, it } from 'vitest';
import {
  awsScheduleOf,
  latestCompleteRun,
  runsBetween,
  type AwsSchedule,
  type ScheduledDag,
} from '../../src/schedule/index.ts';
import { at, cronDag, datasets, iso, manual, rateDag } from './factories.ts';
import { referenceTicks } from './aws-reference.ts';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const LORD_HOWE = 'Australia/Lord_Howe'; // DST moves the clock by 30 minutes
const HOUR = 3600;
const DAY = 86_400;

function aws(dag: ScheduledDag): AwsSchedule {
  const result = awsScheduleOf(dag);
  if (!result) throw new Error('expected a schedule');
  return result;
}

const expressionOf = (dag: ScheduledDag) => aws(dag).expression;

/** AWS's field rules (eb-cron-expressions.html): allowed characters, one `?` day field, names for day-of-week. */
function awsSyntaxProblem(expression: string): string | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.split(' ') ?? [];
  if (fields.length !== 6) return 'not 6 fields';
  const [minute, hour, dom, month, dow, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ([minute, hour, month].some((f) => !/^[\d,\-*/]+$/.test(f)))
    return 'minute, hour or month has a character AWS does not allow';
  if (!/^[\d,\-*?/]+$/.test(dom)) return 'day-of-month has a character AWS does not allow';
  if (!/^(\?|\*|(SUN|MON|TUE|WED|THU|FRI|SAT)([,-](SUN|MON|TUE|WED|THU|FRI|SAT))*)$/.test(dow))
    return 'day-of-week is not ?, * or SUN-SAT names';
  if ((dom === '?') === (dow === '?'))
    return 'exactly one of day-of-month and day-of-week must be ?';
  if (year !== '*') return 'year is not *';
  return undefined;
}

/**
 * Every run whose interval ends in [from, to] is the latest complete run at some tick (so the
 * launcher starts it); returns how many ticks started nothing new.
 */
function checkCoverage(
  dag: ScheduledDag,
  from: Date,
  to: Date,
  schedule = aws(dag),
): { missed: string[]; wasted: number } {
  const ticks = referenceTicks(schedule, from, new Date(to.getTime() + 2 * DAY * 1000));
  const started = ticks.map((t) => latestCompleteRun(dag, t)?.logicalDate.getTime());
  const runs = runsBetween(dag, new Date(from.getTime() - 3 * DAY * 1000), to).filter(
    (run) => run.runAfter >= from && run.runAfter <= to,
  );
  const missed = runs
    .filter((run) => !started.includes(run.logicalDate.getTime()))
    .map((run) => iso(run.runAfter));
  return { missed, wasted: ticks.length - new Set(started).size };
}

describe('cron schedules', () => {
  it.each([
    ['0 2 * * *', 'UTC', 'cron(0 2 * * ? *)'],
    ['0 4 * * *', BERLIN, 'cron(0 4 * * ? *)'],
    ['*/15 9-17 * * 1-5', BERLIN, 'cron(0/15 9-17 ? * MON-FRI *)'],
    ['0 0 * * 0', 'UTC', 'cron(0 0 ? * SUN *)'],
    ['0 0 * * 7', 'UTC', 'cron(0 0 ? * SUN *)'],
    ['0 0 * * sun', 'UTC', 'cron(0 0 ? * SUN *)'],
    ['0 0 1,15 * *', 'UTC', 'cron(0 0 1,15 * ? *)'],
    ['0 0 */2 * *', 'UTC', 'cron(0 0 1/2 * ? *)'],
    ['0 9 * JAN-MAR SAT,SUN', 'UTC', 'cron(0 9 ? 1-3 SUN,SAT *)'],
    ['0 6-18/4 * * 5-7', 'UTC', 'cron(0 6,10,14,18 ? * SUN,FRI,SAT *)'],
    ['0,30 * * */3 *', 'UTC', 'cron(0,30 * * 1/3 ? *)'],
    ['0 0 1-31 * 1', 'UTC', 'cron(0 0 * * ? *)'],
    ['@daily', 'UTC', 'cron(0 0 * * ? *)'],
    ['@hourly', 'UTC', 'cron(0 * * * ? *)'],
    ['@weekly', 'UTC', 'cron(0 0 ? * SUN *)'],
    ['@monthly', 'UTC', 'cron(0 0 1 * ? *)'],
    ['@yearly', 'UTC', 'cron(0 0 1 1 ? *)'],
    ['30 1 * * *', NEW_YORK, 'cron(30 1 * * ? *)'],
    ['0 2 * * 1-5', BERLIN, 'cron(0 2 ? * MON-FRI *)'],
  ])('%s in %s → %s, exact', (expression, timezone, expected) => {
    expect(aws(cronDag(expression, timezone))).toEqual({
      expression: expected,
      timezone,
      exact: true,
    });
  });

  it("both day fields restricted (Unix ORs them): ticks daily at the cron's times and says why", () => {
    const result = aws(cronDag('0 0 1 * 1'));
    expect(result).toMatchObject({
      expression: 'cron(0 0 * * ? *)',
      timezone: 'UTC',
      exact: false,
    });
    expect(result.note).toBe(
      "cron '0 0 1 * 1' restricts both day-of-month and day-of-week (either may match), which EventBridge Scheduler cannot express; ticking every day; the launcher skips ticks without a run",
    );
  });

  it.each(['0 0 L * *', '0 12 * * FRI#2', '0 12 * * 5L', '0 12 15W * *'])(
    'croner extension %s: daily fallback with a note',
    (expression) => {
      const result = aws(cronDag(expression));
      expect(result.expression).toBe(
        expression.startsWith('0 0') ? 'cron(0 0 * * ? *)' : 'cron(0 12 * * ? *)',
      );
      expect(result.exact).toBe(false);
      expect(result.note).toMatch(/uses L, W or # in a day field/);
    },
  );

  it('keeps a restricted month in the fallback', () => {
    expect(expressionOf(cronDag('0 0 L 2 *'))).toBe('cron(0 0 * 2 ? *)');
  });

  it('throws on an invalid expression, as the fire-time evaluation does', () => {
    expect(() => awsScheduleOf(cronDag('0 25 * * *'))).toThrow(TypeError);
    expect(() => awsScheduleOf(cronDag('0 2 * * *', 'Europe/Berln'))).toThrow(
      /not an IANA timezone/,
    );
  });
});

describe('cron schedules on DST days', () => {
  it('02:00 Berlin does not exist on the spring-forward day: the DAG fires at 03:00, so 03:00 ticks too', () => {
    const result = aws(cronDag('0 2 * * *', BERLIN));
    expect(result).toMatchObject({
      expression: 'cron(0 2,3 * * ? *)',
      timezone: BERLIN,
      exact: false,
    });
    expect(result.note).toBe(
      "02:00 does not exist on Europe/Berlin's spring-forward day, where EventBridge Scheduler skips the tick while the DAG fires at 03:00; also ticking at 03:00 every day; the launcher skips ticks without a run",
    );
  });

  it.each([
    ['30 2 * * *', BERLIN, 'cron(30 2,3 * * ? *)'],
    // 03:15 is a fire of its own, so the moved 02:15 needs a tick at 03:00 exactly
    ['15 2,3 * * *', BERLIN, 'cron(0,15 2,3 * * ? *)'],
    ['0 2 * * *', LORD_HOWE, 'cron(0,30 2 * * ? *)'],
  ])('gap: %s in %s → %s', (expression, timezone, expected) => {
    expect(aws(cronDag(expression, timezone))).toMatchObject({
      expression: expected,
      timezone,
      exact: false,
    });
  });

  it('a wildcard hour fires twice in the repeated hour, which a local schedule ticks once: UTC, exact when hourly', () => {
    const result = aws(cronDag('@hourly', BERLIN));
    expect(result).toMatchObject({ expression: 'cron(0 * * * ? *)', timezone: 'UTC', exact: true });
    expect(result.note).toMatch(/fires twice in Europe\/Berlin's repeated local times 02:00-03:00/);
    expect(aws(cronDag('*/15 * * * *', NEW_YORK))).toMatchObject({
      expression: 'cron(0/15 * * * ? *)',
      timezone: 'UTC',
      exact: true,
    });
    expect(aws(cronDag('0 */2 * * *', BERLIN))).toMatchObject({
      expression: 'cron(0 * * * ? *)',
      timezone: 'UTC',
      exact: false,
    });
    expect(aws(cronDag('*/30 1-3 * * 1', NEW_YORK))).toMatchObject({
      timezone: NEW_YORK,
      exact: true,
    }); // the repeat is on a Sunday
  });
});

describe('rate schedules: a cron in UTC on the grid of the start date (or the epoch)', () => {
  it.each([
    ['6h from 01:30Z', 6 * HOUR, '2026-01-01T01:30:00Z', 'cron(30 1/6 * * ? *)', true],
    ['15m from the epoch', 15 * 60, undefined, 'cron(0/15 * * * ? *)', true],
    ['15m from 00:07Z', 15 * 60, '2026-01-01T00:07:00Z', 'cron(7/15 * * * ? *)', true],
    ['1h from the epoch', HOUR, undefined, 'cron(0 * * * ? *)', true],
    ['12h from 03:00Z', 12 * HOUR, '2026-01-01T03:00:00Z', 'cron(0 3,15 * * ? *)', true],
    [
      '1d from 01:30:20Z: the tick after the fire',
      DAY,
      '2026-01-01T01:30:20Z',
      'cron(31 1 * * ? *)',
      true,
    ],
    [
      '7h: hourly at the anchor minute',
      7 * HOUR,
      '2026-01-01T01:30:00Z',
      'cron(30 * * * ? *)',
      false,
    ],
    ['2d: daily at the anchor time', 2 * DAY, '2026-01-01T01:30:00Z', 'cron(30 1 * * ? *)', false],
    [
      '90m: every 30 minutes on the grid',
      90 * 60,
      '2026-01-01T00:10:00Z',
      'cron(10,40 * * * ? *)',
      false,
    ],
    ['90s: every minute', 90, undefined, 'cron(* * * * ? *)', false],
  ])('%s → %s', (_, everySeconds, startDate, expected, exact) => {
    const result = aws(rateDag(everySeconds, startDate ? { startDate } : {}));
    expect(result).toMatchObject({ expression: expected, timezone: 'UTC', exact });
    expect(result.note === undefined).toBe(exact);
  });

  it("a start date without time is midnight in the schedule's zone (23:00Z in Berlin)", () => {
    expect(expressionOf(rateDag(6 * HOUR, { startDate: '2026-01-01' }, BERLIN))).toBe(
      'cron(0 5/6 * * ? *)',
    );
  });

  it('notes say why', () => {
    expect(aws(rateDag(7 * HOUR, { startDate: '2026-01-01T01:30:00Z' })).note).toBe(
      "rate '25200s' fires every 25200s from the start date 2026-01-01T01:30Z, which a cron (whole minutes, repeating every hour and day) cannot count; ticking every hour on that grid and the launcher skips ticks without a run",
    );
    expect(aws(rateDag(30)).note).toMatch(/more often than once a minute/);
  });
});

it('manual and dataset schedules have no schedule', () => {
  expect(awsScheduleOf({ schedule: manual })).toBeUndefined();
  expect(awsScheduleOf({ schedule: datasets })).toBeUndefined();
});

describe('coverage: every run is started by a tick, and exact means no tick is wasted', () => {
  // Windows of 10 days around the 2026 DST changes.
  const windows: Record<string, [string, string][]> = {
    UTC: [['2026-01-25T00:00:00Z', '2026-02-04T00:00:00Z']],
    [BERLIN]: [
      ['2026-03-24T00:00:00Z', '2026-04-03T00:00:00Z'],
      ['2026-10-20T00:00:00Z', '2026-10-30T00:00:00Z'],
    ],
    [NEW_YORK]: [
      ['2026-03-03T00:00:00Z', '2026-03-13T00:00:00Z'],
      ['2026-10-27T00:00:00Z', '2026-11-06T00:00:00Z'],
    ],
    [LORD_HOWE]: [
      ['2026-03-31T00:00:00Z', '2026-04-10T00:00:00Z'],
      ['2026-09-29T00:00:00Z', '2026-10-09T00:00:00Z'],
    ],
  };
  const dags: [string, ScheduledDag][] = [
    ...[
      '0 2 * * *',
      '30 2 * * *',
      '15 2,3 * * *',
      '0 4 * * *',
      '@hourly',
      '0 */2 * * *',
      '*/20 1-3 * * *',
      '0 2 * * 1-5',
      '0 0 * * 0',
      '0 0 1 * 1',
      '0 0 L * *',
    ].flatMap((expression) =>
      [BERLIN, NEW_YORK].map((tz): [string, ScheduledDag] => [
        `${expression} ${tz}`,
        cronDag(expression, tz),
      ]),
    ),
    ...['0 2 * * *', '15 2 * * *', '*/30 * * * *', '30 1,2 * * *'].map(
      (expression): [string, ScheduledDag] => [
        `${expression} ${LORD_HOWE}`,
        cronDag(expression, LORD_HOWE),
      ],
    ),
    ...['*/15 9-17 * * 1-5', '0 0 1,28 * *', '0 0 1 * 1', '0 12 * * FRI#2'].map(
      (expression): [string, ScheduledDag] => [`${expression} UTC`, cronDag(expression)],
    ),
    ...[
      [6 * HOUR, '2026-01-01T01:30:00Z'],
      [15 * 60, '2026-01-01T00:07:00Z'],
      [7 * HOUR, '2026-01-01T01:30:00Z'],
      [2 * DAY, '2026-01-01T01:30:00Z'],
      [90 * 60, '2026-01-01T00:10:00Z'],
      [DAY, '2026-01-01T01:30:20Z'],
      [6 * HOUR, '2026-01-01'],
    ].map(([every, startDate]): [string, ScheduledDag] => [
      `rate ${every}s from ${startDate}`,
      rateDag(Number(every), { startDate: String(startDate) }, BERLIN),
    ]),
  ];

  it.each(dags)('%s', (_, dag) => {
    const result = aws(dag);
    expect(awsSyntaxProblem(result.expression)).toBeUndefined();
    const zone = dag.schedule.kind === 'cron' ? dag.schedule.timezone : 'UTC';
    for (const [from, to] of windows[zone] ?? windows.UTC!) {
      const { missed, wasted } = checkCoverage(dag, at(from), at(to));
      expect(missed, `runs no tick starts (${result.expression} in ${result.timezone})`).toEqual(
        [],
      );
      if (result.exact)
        expect(wasted, `ticks that start no new run (${result.expression})`).toBe(0);
    }
  });

  it('the check can fail: plain local expressions miss the DST runs', () => {
    const spring = checkCoverage(
      cronDag('0 2 * * *', BERLIN),
      at('2026-03-27T00:00:00Z'),
      at('2026-03-31T00:00:00Z'),
      { expression: 'cron(0 2 * * ? *)', timezone: BERLIN, exact: true },
    );
    expect(spring.missed).toEqual(['2026-03-29T01:00:00Z']);
    const fall = checkCoverage(
      cronDag('@hourly', BERLIN),
      at('2026-10-24T00:00:00Z'),
      at('2026-10-26T00:00:00Z'),
      { expression: 'cron(0 * * * ? *)', timezone: BERLIN, exact: true },
    );
    expect(fall.missed).toEqual(['2026-10-25T01:00:00Z']);
  });
});

/**
 * cronProblem's messages, word for word, and the presets.
 */
import { describe, expect, it } from 'vitest';
import { CRON_PRESETS, cronProblem, expandPreset } from '../../src/schedule/index.ts';

const FIELDS = '(minute hour day-of-month month day-of-week)';

describe('cronProblem', () => {
  it.each([
    '0 2 * * *',
    '*/15 9-17 * * MON-FRI',
    '0 0 1,15 JAN-JUN *',
    '0 0 * * 7',
    '0 0 L * *',
    '0 0 15W * *',
    '0 0 * * FRI#2',
    '0 0 29 2 *',
    '0 0-23/2 * * *',
    '  0 2 * * *  ',
    '@daily',
    '@HOURLY',
  ])('accepts %j', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  it.each([
    [
      '0 0 * * * *',
      `has 6 fields but a cron expression has 5 ${FIELDS}; remove the seconds field (AWS-style year fields are not supported either)`,
    ],
    ['0 0 2 * * ? *', `has 7 fields but a cron expression has 5 ${FIELDS}`],
    ['0 2 * *', `has 4 fields but a cron expression has 5 ${FIELDS}`],
    ['', `is empty; write 5 fields ${FIELDS} such as "0 2 * * *", or a preset such as @daily`],
    ['   ', `is empty; write 5 fields ${FIELDS} such as "0 2 * * *", or a preset such as @daily`],
    ['0 25 * * *', 'field "hour" has 25 but allows 0-23'],
    ['60 * * * *', 'field "minute" has 60 but allows 0-59'],
    ['0 0 32 * *', 'field "day-of-month" has 32 but allows 1-31'],
    ['0 0 0 * *', 'field "day-of-month" has 0 but allows 1-31'],
    ['0 0 * 13 *', 'field "month" has 13 but allows 1-12'],
    ['0 0 * * 8', 'field "day-of-week" has 8 but allows 0-7'],
    ['0 1-30 * * *', 'field "hour" has 30 but allows 0-23'],
    [
      'foo * * * *',
      'field "minute" has "foo", which is not a number, a range (1-5), a list (1,5) or a step (*/15)',
    ],
    [
      '0 0 * FOO *',
      'field "month" has "FOO", which is not a number, a range (1-5), a list (1,5) or a step (*/15) or a name (JAN)',
    ],
    [
      '0 0 * * +MON',
      'field "day-of-week" has "+MON", which is not a number, a range (1-5), a list (1,5) or a step (*/15) or a name (SUN)',
    ],
    ['5-1 * * * *', 'field "minute" has the range "5-1" whose start is after its end'],
    ['*/0 * * * *', 'field "minute" has "*/0" whose step is 0; a step must be 1 or more'],
    ['*/x * * * *', 'field "minute" has "*/x" whose step "x" is not a whole number'],
    ['0/15 * * * *', 'field "minute" has "0/15"; write "0-59/15" (or "*/15" to start at 0)'],
    ['1,,2 * * * *', 'field "minute" has an empty item in the list "1,,2"'],
    ['0 0 30 2 *', 'never fires: day-of-month "30" does not occur in month "2"'],
    [
      '@once',
      'uses @once, which is not supported: a DAG that runs once is a manual schedule: use manual() and trigger the run yourself',
    ],
    [
      '@fortnightly',
      'is an unknown preset "@fortnightly"; presets are @hourly, @daily, @weekly, @monthly, @yearly, @annually',
    ],
  ])('%j: %s', (expression, message) => {
    expect(cronProblem(expression)).toBe(message);
  });

  it('passes on what only croner catches, without its "CronPattern:" prefix', () => {
    expect(cronProblem('0 0 * * MON#6')).toMatch(/^is not valid: nth weekday out of range/);
  });
});

describe('presets', () => {
  it('expand to 5 fields, and leave anything else unchanged', () => {
    expect(CRON_PRESETS).toEqual({
      '@hourly': '0 * * * *',
      '@daily': '0 0 * * *',
      '@weekly': '0 0 * * 0',
      '@monthly': '0 0 1 * *',
      '@yearly': '0 0 1 1 *',
      '@annually': '0 0 1 1 *',
    });
    expect(expandPreset('@weekly')).toBe('0 0 * * 0');
    expect(expandPreset('0 2 * * *')).toBe('0 2 * * *');
    expect(expandPreset('@once')).toBe('@once');
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(CRON_PRESETS)).toBe(true);
  });
});

/**
 * `updraft simulate`: the runs the deployed schedules and dataset conditions would start, on the
 * virtual clock (no task code runs): DST days in Berlin, catchup from the start date, an end
 * date, a dataset cascade; and its refusals. In process through `main(argv, io)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as root, updraftInProcess } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-simulate-${process.pid}`);

const DAGS = `
import { dag, dataset, task } from 'updraft';
const orders = dataset('s3://lake/orders');
export const nightly = dag('nightly', { schedule: '0 2 * * *', timezone: 'Europe/Berlin', startDate: '2026-03-27', catchup: true }, () => {
  task('write', { outlets: [orders] }, async () => 1)();
});
export const hourly = dag('hourly', { schedule: '@hourly', timezone: 'Europe/Berlin', startDate: '2026-10-25T01:00', endDate: '2026-10-25T04:00' }, () => {
  task('t', async () => 1)();
});
export const mart = dag('mart', { schedule: [orders] }, () => {
  task('build', async () => 1)();
});
`;

async function simulate(...args: string[]) {
  const r = await updraftInProcess(['simulate', ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.code, out: r.out, err: r.err };
}
const runsOf = (out: string, dagId: string) =>
  (JSON.parse(out).runs as { dagId: string; at: string; runId: string }[])
    .filter((r) => r.dagId === dagId)
    .map((r) => `${r.at} ${r.runId}`);

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'dags.ts'), DAGS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('updraft simulate', () => {
  it('spring forward in Berlin: 02:00 does not exist on 29 March, the run starts at 03:00; catchup from the start date', async () => {
    const r = await simulate('--from', '2026-03-28T12:00', '--until', '2026-03-31', '--json');
    expect(r.code).toBe(0);
    expect(runsOf(r.out, 'nightly')).toEqual([
      // The first tick catches up the interval of 27 March too.
      '2026-03-29T01:00:00.000Z nightly-2026-03-27T01-00-00Z',
      '2026-03-29T01:00:00.000Z nightly-2026-03-28T01-00-00Z',
      '2026-03-30T00:00:00.000Z nightly-2026-03-29T01-00-00Z',
      // --until is included: 02:00 in Berlin on 31 March.
      '2026-03-31T00:00:00.000Z nightly-2026-03-30T00-00-00Z',
    ]);
    // Each nightly run updates s3://lake/orders: mart runs after every one of them.
    expect(runsOf(r.out, 'mart')).toEqual([
      '2026-03-29T01:00:00.000Z mart-2026-03-29T01-00-00Z-d1',
      '2026-03-29T01:00:00.000Z mart-2026-03-29T01-00-00Z-d2',
      '2026-03-30T00:00:00.000Z mart-2026-03-30T00-00-00Z-d3',
      '2026-03-31T00:00:00.000Z mart-2026-03-31T00-00-00Z-d4',
    ]);
    expect(JSON.parse(r.out).schedules).toContainEqual({
      dagId: 'nightly',
      expression: 'cron(0 2,3 * * ? *)',
      timezone: 'Europe/Berlin',
      ticks: 4,
      idleTicks: 1,
    });
  });

  it('fall back in Berlin: the hour that repeats runs twice for an hourly DAG (ticking in UTC), and the end date stops it', async () => {
    const r = await simulate('--from', '2026-10-24T22:00', '--until', '2026-10-25T06:00', '--json');
    expect(runsOf(r.out, 'hourly')).toEqual([
      // From its start date, 01:00 in Berlin (23:00Z): the first interval ends at 02:00 (00:00Z).
      '2026-10-25T00:00:00.000Z hourly-2026-10-24T23-00-00Z',
      // 02:00 in Berlin twice (00:00Z in summer time, 01:00Z in winter time): two intervals.
      '2026-10-25T01:00:00.000Z hourly-2026-10-25T00-00-00Z',
      '2026-10-25T02:00:00.000Z hourly-2026-10-25T01-00-00Z',
      '2026-10-25T03:00:00.000Z hourly-2026-10-25T02-00-00Z',
      // The end date, 04:00 in Berlin (03:00Z), is the last interval's start.
      '2026-10-25T04:00:00.000Z hourly-2026-10-25T03-00-00Z',
    ]);
  });

  it('prints a timeline in each DAG’s timezone and says no task code ran', async () => {
    const r = await simulate('--from', '2026-03-28T12:00', '--until', '2026-03-30');
    const lines = r.out.split('\n');
    expect(lines).toContain(
      '2026-03-29 01:00Z  2026-03-29 03:00 Europe/Berlin  nightly-2026-03-28T01-00-00Z  (schedule)',
    );
    expect(lines).toContain(
      '2026-03-29 01:00Z  2026-03-29 01:00 UTC  mart-2026-03-29T01-00-00Z-d2  (datasets s3://lake/orders)',
    );
    expect(lines.at(-1)).toMatch(
      /^6 runs from 2026-03-28T12:00:00.000Z to 2026-03-30T00:00:00.000Z, simulated in \d+\.\d s \(no task code ran\)$/,
    );
  });

  it('refuses dates it cannot read, an empty stretch, and more than a year', async () => {
    expect(await simulate('--from', 'soon', '--until', '2026-04-01')).toMatchObject({
      code: 1,
      err: expect.stringContaining('--from "soon" is not a date'),
    });
    expect(await simulate('--from', '2026-04-01', '--until', '2026-03-01')).toMatchObject({
      code: 1,
      err: expect.stringContaining('--until 2026-03-01 is not after --from 2026-04-01'),
    });
    expect(await simulate('--from', '2026-01-01', '--until', '2027-06-01')).toMatchObject({
      code: 1,
      err: expect.stringContaining('is over 366 days'),
    });
  });
});

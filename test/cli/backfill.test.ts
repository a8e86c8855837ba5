/**
 * `updraft backfill` through the CLI (in process, task code in worker threads): the DAG's
 * maxActiveRuns caps how many of its runs go at once, as on AWS and in Airflow, whatever
 * --max-concurrency asks, and the command says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as root, tableCells, updraftInProcess } from '../support/cli.ts';
import { compileDag } from '../../src/compiler/index.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, task } from '../../src/sdk/index.ts';

const dir = join(root, 'test', `.tmp-backfill-${process.pid}`);

const DAG = `
import { dag, task } from 'updraft';
export default dag('capped', { schedule: '@daily', startDate: '2026-11-01', maxActiveRuns: 2 }, () => {
  task('slow', async () => new Promise((resolve) => setTimeout(() => resolve(1), 150)))();
});
`;

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'capped.ts'), DAG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('updraft backfill', () => {
  it('runs at most maxActiveRuns of the DAG at once, and says so', async () => {
    const cli = (...args: string[]) =>
      updraftInProcess([...args, '--no-color'], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
      });
    const r = await cli(
      'backfill',
      'capped',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-04',
      '--max-concurrency',
      '4',
    );
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out.split('\n')[0]).toBe(
      'Backfilling capped from 2026-11-01 to 2026-11-04, 2 at a time (its maxActiveRuns is 2)…',
    );
    const runs = JSON.parse((await cli('runs', 'capped', '--json')).out) as {
      startedAt: string;
      endedAt: string;
    }[];
    expect(runs).toHaveLength(4);
    const overlapAt = (t: number) =>
      runs.filter((x) => Date.parse(x.startedAt) <= t && t < Date.parse(x.endedAt)).length;
    expect(Math.max(...runs.map((x) => overlapAt(Date.parse(x.startedAt))))).toBe(2);
  });

  it('--dry-run lists the runs it would start and their estimated cost, and starts nothing', async () => {
    const cli = (...args: string[]) =>
      updraftInProcess([...args, '--no-color'], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
      });
    const { analysis } = compileDag(
      buildDagIR(
        dag('capped', { schedule: '@daily', startDate: '2026-11-01', maxActiveRuns: 2 }, () => {
          task('slow', async () => 1)();
        }),
        'dags/capped.ts',
      ).ir,
    );
    const before = JSON.parse((await cli('runs', 'capped', '--json')).out) as unknown[];
    // 11-03 and 11-04 ran in the test above; 11-05 and 11-06 have no run.
    const r = await cli(
      'backfill',
      'capped',
      '--from',
      '2026-11-03',
      '--to',
      '2026-11-06',
      '--dry-run',
    );
    expect(r.code).toBe(0);
    // As explain prices a run: its transitions and one Lambda request (slow declares no duration).
    const perRun = analysis.costPerRunUsd + 0.0000002;
    const price = `$${perRun.toFixed(6)}`;
    expect(tableCells(r.out)).toEqual([
      ['logical date', 'run id', 'would', 'estimated cost'],
      ['2026-11-03T00:00:00.000Z', 'capped-2026-11-03T00-00-00Z', 'leave it (success)', ''],
      ['2026-11-04T00:00:00.000Z', 'capped-2026-11-04T00-00-00Z', 'leave it (success)', ''],
      ['2026-11-05T00:00:00.000Z', 'capped-2026-11-05T00-00-00Z', 'start a run', price],
      ['2026-11-06T00:00:00.000Z', 'capped-2026-11-06T00-00-00Z', 'start a run', price],
    ]);
    expect(r.out.split('\n').at(-1)).toBe(
      `Dry run: 2 runs would start, 2 intervals already had one; estimated $${(2 * perRun).toFixed(6)}, as updraft explain capped prices a run. Nothing was started.`,
    );
    const json = JSON.parse(
      (
        await cli(
          'backfill',
          'capped',
          '--from',
          '2026-11-05',
          '--to',
          '2026-11-05',
          '--dry-run',
          '--json',
        )
      ).out,
    );
    expect(json).toEqual({
      dagId: 'capped',
      from: '2026-11-05',
      to: '2026-11-05',
      dryRun: true,
      perRunUsd: perRun,
      totalUsd: perRun,
      intervals: [
        {
          logicalDate: '2026-11-05T00:00:00.000Z',
          runId: 'capped-2026-11-05T00-00-00Z',
          action: 'would run',
          estimatedUsd: perRun,
        },
      ],
    });
    expect(JSON.parse((await cli('runs', 'capped', '--json')).out)).toEqual(before);
  });
});

/**
 * `updraft backfill` through the CLI (in process, task code in worker threads): the DAG's
 * maxActiveRuns caps how many of its runs go at once, as on AWS and in Airflow, whatever
 * --max-concurrency asks, and the command says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as root, updraftInProcess } from '../support/cli.ts';

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
    expect(r.code).toBe(0);
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
});

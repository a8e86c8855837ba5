/**
 * `updraft test <dag> <task>` (Airflow's `airflow tasks test`): where a task's upstream outputs
 * come from — given with --inputs, else the newest run that has them — and what it refuses, with
 * the message that says how to go on. In process through `main(argv, io)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as root, updraftInProcess } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-test-task-${process.pid}`);

const DAG = `
import { dag, task } from 'updraft';
export default dag('pipe', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  const extract = task('extract', async (ctx) => [ctx.ds, 'b', 'c']);
  const size = task('size', async () => 10);
  const combine = task('combine', async (_ctx, rows: string[], n: number) => \`\${rows.length}x\${n}\`);
  const each = task('each', async (_ctx, row: string) => row.toUpperCase());
  const rows = extract();
  combine(rows, size());
  each.map(rows);
});
`;

async function cli(...args: string[]) {
  const r = await updraftInProcess([...args, '--no-color', '--json'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.code, json: r.out ? JSON.parse(r.out) : undefined, err: r.err.trim() };
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'pipe.ts'), DAG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('updraft test: upstream outputs', () => {
  it('refuses a task whose upstream outputs no run has, naming them and both ways out', async () => {
    const r = await cli('test', 'pipe', 'combine');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ task "combine" needs the output of "extract", "size", and no run of DAG "pipe" has it: run the DAG first (updraft run pipe) or pass --inputs '{"extract":"…","size":"…"}'`,
    );
  });

  it('refuses an input the task does not read', async () => {
    const r = await cli('test', 'pipe', 'combine', '--inputs', '{"each": 1}');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      '✖ task "combine" takes no output of "each" (its upstream outputs: extract, size)',
    );
  });

  it('runs with given inputs, and says they were given', async () => {
    const r = await cli('test', 'pipe', 'combine', '--inputs', '{"extract": ["x"], "size": 3}');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      status: 'success',
      output: '1x3',
      inputsFrom: { extract: 'given', size: 'given' },
    });
  });

  it('takes the missing inputs from the newest run that has them, given ones first', async () => {
    expect((await cli('run', 'pipe', '--date', '2026-11-20')).code).toBe(0);
    const run = 'pipe-2026-11-20T00-00-00Z';
    const r = await cli('test', 'pipe', 'combine', '--inputs', '{"size": 5}');
    expect(r.json).toMatchObject({
      status: 'success',
      output: '3x5',
      inputsFrom: { size: 'given', extract: run },
    });
  });

  it('runs a mapped task with the first item of its list, or the one given', async () => {
    const first = await cli('test', 'pipe', 'each', '--date', '2026-11-21');
    expect(first.json).toMatchObject({ status: 'success', output: '2026-11-20' });
    const given = await cli('test', 'pipe', 'each', '--item', '"z"');
    expect(given.json).toMatchObject({ status: 'success', output: 'Z' });
  });

  it('refuses a mapped task whose list is empty', async () => {
    const r = await cli('test', 'pipe', 'each', '--inputs', '{"extract": []}');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ mapped task "each" has no item to run with (the list it maps over is empty); pass --item '<json>'`,
    );
  });
});

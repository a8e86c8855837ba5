/**
 * `updraft run`, `retry`, `clear`, `backfill` and `test` on bad input: a clear message naming
 * what is wrong and how to fix it, exit 1, no stack trace and nothing half-written. In process
 * through `main(argv, io)`, but the `__proto__` run, spawned: its task writes a file into the
 * working directory, which is the project folder only in a process of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as root, updraftInProcess, updraftProcess } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-run-errors-${process.pid}`);

const DAG = `
import { dag, param, task } from 'updraft';
export default dag('params_dag', { schedule: '@daily', startDate: '2026-11-01', params: { limit: param.integer({ default: 10, minimum: 1 }) } }, () => {
  task('a', async (ctx) => ctx.params.limit)();
});
`;

// A param named "__proto__" (a computed key keeps it an own key), as a conf written in JSON can
// carry it: the task writes down what it saw.
const CYCLIC_DAG = `import { dag, task } from 'updraft';
export default dag('cyclic_dag', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  const a = task('a', async () => 1)();
  const b = task('b', async () => 2)();
  a.then(b);
  b.then(a);
});
`;
const PROTO_DAG = `
import { writeFileSync } from 'node:fs';
import { dag, param, task } from 'updraft';
export default dag('proto_dag', { params: { ['__proto__']: param.object({ default: {} }) } }, () => {
  task('echo', async (ctx) => {
    const params = ctx.params as Record<string, unknown>;
    writeFileSync('seen.json', JSON.stringify({ keys: Object.keys(params), value: params['__proto__'], plainPrototype: Object.getPrototypeOf(params) === Object.prototype }));
  })();
});
`;

async function cli(...args: string[]) {
  const r = await updraftInProcess([...args, '--no-color'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.code, out: r.out.trim(), err: r.err.trim() };
}

function spawned(...args: string[]) {
  const r = updraftProcess([...args, '--no-color'], { cwd: dir });
  return { code: r.code, out: r.out.trim(), err: r.err.trim() };
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'params_dag.ts'), DAG);
  writeFileSync(join(dir, 'dags', 'proto_dag.ts'), PROTO_DAG);
  writeFileSync(join(dir, 'dags', 'cyclic_dag.ts'), CYCLIC_DAG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input to the run commands', () => {
  it('run of an invalid DAG prints its problems, exits 1 and creates no run database', async () => {
    const r = await cli('run', 'cyclic_dag', '--date', '2026-11-20');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('✖ cyclic_dag › a: has a cycle: a → b → a');
    expect(r.err).toContain('✖ DAG "cyclic_dag" has errors (above)');
    expect(existsSync(join(dir, '.updraft'))).toBe(false);
  });

  it('--conf that is not JSON, or not an object', async () => {
    expect(await cli('run', 'params_dag', '--conf', '{limit: 3}')).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /^✖ --conf is not valid JSON: .+\n {4}↳ pass an object, e.g. --conf '\{"limit": 10\}'$/,
      ),
    });
    expect(await cli('run', 'params_dag', '--conf', '[1]')).toMatchObject({
      code: 1,
      err: `✖ --conf must be a JSON object, got [1]\n    ↳ pass an object, e.g. --conf '{"limit": 10}'`,
    });
    // Read as "no date", an empty --date (an unset shell variable) used to run the latest interval.
    expect(await cli('run', 'params_dag', '--date', '')).toEqual({
      code: 1,
      out: '',
      err: '✖ --date is empty\n    ↳ give a logical date such as --date 2026-11-20 or --date 2026-11-20T02:00, or leave --date out to run the latest complete interval',
    });
    expect(await cli('test', 'params_dag', 'a', '--date', ' ')).toEqual({
      code: 1,
      out: '',
      err: '✖ --date is empty\n    ↳ give a logical date such as --date 2026-11-20 or --date 2026-11-20T02:00, or leave --date out to run the latest complete interval',
    });
    // Nothing was opened or written for a malformed argument.
    expect(existsSync(join(dir, '.updraft'))).toBe(false);
  });

  it('a conf that breaks the declared params names every problem', async () => {
    const r = await cli(
      'run',
      'params_dag',
      '--date',
      '2026-11-20',
      '--conf',
      '{"limit": 0, "limt": 3}',
    );
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toBe(
      `✖ DAG "params_dag" cannot start with this conf: unknown param "limt" (declared: limit); param "limit" must be at least 1, got 0. Pass --conf '{"name": value}' with the declared params.`,
    );
    // Checked before the run database is opened: no run, no database.
    expect(existsSync(join(dir, '.updraft'))).toBe(false);
  });

  // Airflow refuses a logical date before start_date too; this used to start (and record) a run.
  it("a --date before the DAG's startDate starts nothing", async () => {
    expect(await cli('run', 'params_dag', '--date', '2026-10-31')).toEqual({
      code: 1,
      out: '',
      err: '✖ --date 2026-10-31 is before the startDate of DAG "params_dag" (2026-11-01T00:00:00.000Z), so no run of it has that logical date; use 2026-11-01T00:00:00.000Z or later, or move startDate earlier in dags/params_dag.ts:3',
    });
    expect(existsSync(join(dir, '.updraft'))).toBe(false);
  });

  // JSON.parse, Step Functions and Lambda's runtime all keep "__proto__" as an ordinary key; so does
  // --conf: unknown to a DAG that does not declare it (it used to crash with exit 2 and a stack
  // trace), and handed to the task as an own key by one that does.
  it('--conf with a "__proto__" key is an ordinary key, end to end', async () => {
    expect(
      await cli(
        'run',
        'params_dag',
        '--date',
        '2026-11-02',
        '--conf',
        '{"__proto__": {"limit": 0}}',
      ),
    ).toEqual({
      code: 1,
      out: '',
      err: `✖ DAG "params_dag" cannot start with this conf: unknown param "__proto__" (declared: limit). Pass --conf '{"name": value}' with the declared params.`,
    });
    expect(existsSync(join(dir, '.updraft'))).toBe(false);

    const run = spawned(
      'run',
      'proto_dag',
      '--conf',
      '{"__proto__": {"polluted": true}}',
      '--json',
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(run.out)).toMatchObject({
      status: 'success',
      tasks: { echo: { state: 'success' } },
    });
    expect(JSON.parse(readFileSync(join(dir, 'seen.json'), 'utf8'))).toEqual({
      keys: ['__proto__'],
      value: { polluted: true },
      plainPrototype: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a --date that is not a date, or not a fire time of the schedule', async () => {
    expect(await cli('run', 'params_dag', '--date', '2026-13-01')).toMatchObject({
      code: 1,
      err: `✖ --date "2026-13-01" is not a date: use YYYY-MM-DD or an ISO-8601 date-time such as 2026-11-20T02:00 (read in the DAG's timezone, UTC)`,
    });
    expect(await cli('run', 'params_dag', '--date', '2026-11-20T05:00')).toMatchObject({
      code: 1,
      err: '✖ --date 2026-11-20T05:00 is not a logical date of DAG "params_dag" (its schedule fires at other times); use one of its fire times, e.g. 2026-11-20T00:00:00.000Z or 2026-11-21T00:00:00.000Z',
    });
  });

  it('an unknown DAG, run or task', async () => {
    expect(await cli('run', 'params_dg')).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        '✖ DAG "params_dg" not found in dags/ (did you mean "params_dag"?)',
      ),
    });
    expect(await cli('retry', 'params_dag-2026-01-01T00-00-00Z')).toMatchObject({
      code: 1,
      err: '✖ run "params_dag-2026-01-01T00-00-00Z" not found; updraft runs <dag> lists the runs of a DAG',
    });
    expect(await cli('run', 'params_dag', '--date', '2026-11-20')).toMatchObject({ code: 0 });
    expect(await cli('clear', 'params_dag-2026-11-20T00-00-00Z', '--task', 'b')).toMatchObject({
      code: 1,
      err: '✖ task "b" is not in DAG "params_dag" (tasks: a)',
    });
    expect(await cli('clear', 'params_dag-2026-11-20T00-00-00Z')).toMatchObject({
      code: 1,
      err: '✖ clear needs at least one --task\n    ↳ e.g. updraft clear params_dag-2026-11-20T00-00-00Z --task load --downstream',
    });
    expect(await cli('retry', 'params_dag-2026-11-20T00-00-00Z')).toMatchObject({
      code: 1,
      err: '✖ run "params_dag-2026-11-20T00-00-00Z" succeeded; nothing to retry (to run tasks again: updraft clear params_dag-2026-11-20T00-00-00Z --task <task>)',
    });
    const tested = await cli('test', 'params_dag', 'a', '--conf', '{"limit": 7}', '--json');
    expect(tested.code).toBe(0);
    expect(JSON.parse(tested.out)).toMatchObject({ status: 'success', output: 7, inputsFrom: {} });
    expect(await cli('test', 'params_dag', 'zz')).toMatchObject({
      code: 1,
      err: '✖ task "zz" is not in DAG "params_dag" (tasks: a)',
    });
  });

  it('backfill: bad range and concurrency', async () => {
    expect(
      await cli('backfill', 'params_dag', '--from', '2026-11-20', '--to', '2026-11-19'),
    ).toMatchObject({ code: 1, err: '✖ --to 2026-11-19 is before --from 2026-11-20' });
    expect(
      await cli(
        'backfill',
        'params_dag',
        '--from',
        '2026-11-20',
        '--to',
        '2026-11-21',
        '--max-concurrency',
        '0',
      ),
    ).toMatchObject({
      code: 1,
      err: '✖ --max-concurrency must be a positive whole number, got "0"\n    ↳ e.g. --max-concurrency 4',
    });
    const ok = await cli(
      'backfill',
      'params_dag',
      '--from',
      '2026-11-19',
      '--to',
      '2026-11-21',
      '--max-concurrency',
      '2',
      '--json',
    );
    expect(ok.code).toBe(0);
    const intervals = (
      JSON.parse(ok.out) as { intervals: { runId: string; action: string; status: string }[] }
    ).intervals;
    expect(intervals.map((i) => [i.runId, i.action, i.status])).toEqual([
      ['params_dag-2026-11-19T00-00-00Z', 'ran', 'success'],
      ['params_dag-2026-11-20T00-00-00Z', 'existing', 'success'],
      ['params_dag-2026-11-21T00-00-00Z', 'ran', 'success'],
    ]);
  });
});

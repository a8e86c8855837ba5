/**
 * What the run commands say is what happened, end to end: task tables in
 * graph order (not declaration order) with every task, started or not, and tries that continue
 * across executions; logs by execution then time with simulated times marked; `updraft test` of
 * a branch or short-circuit printing the function's value; `runs` of a DAG without runs; Ctrl-C
 * during a run. The tests run in order: each reads what the ones before it recorded.
 * `run`, `retry` and `backfill` run as the real CLI (bin/updraft.js), a process in the project folder:
 * their tasks read and write files relative to the working directory (which worker threads share
 * with the process), and Ctrl-C needs a process to signal. The commands that only read
 * (`runs`, `show`, `logs`, `test` of tasks that touch no file) run in process through main(argv, io).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCells, updraftInProcess, type CliResult } from '../support/cli.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ORDER = 'order_dag-2020-03-01T00-00-00Z';
const SLOW = 'slow_dag-2020-03-01T00-00-00Z';

const DAGS: Record<string, string> = {
  // Declared load, transform, extract: the graph runs extract → transform → load.
  'order_dag.ts': `
import { existsSync } from 'node:fs';
import { dag, task } from 'updraft';

export default dag('order_dag', { schedule: '@daily', startDate: '2020-01-01', retry: { attempts: 2, delay: '10m' } }, () => {
  const load = task('load', async (ctx, n: number) => { ctx.log.info('loading'); return n; });
  const transform = task('transform', async (ctx, n: number) => {
    ctx.log.info('transforming');
    if (!existsSync('fixed')) throw new Error('bad input');
    return n + 1;
  });
  const extract = task('extract', async (ctx) => { ctx.log.info('extracting'); return 1; });
  load(transform(extract()));
});
`,
  'branchy.ts': `
import { branch, chain, dag, shortCircuit, task } from 'updraft';

export default dag('branchy', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  const go = shortCircuit('go', async () => true);
  const pick = branch('pick', { choices: ['load_full', 'load_incremental'] }, async () => 'load_full');
  const full = task('load_full', async () => 'full');
  const incr = task('load_incremental', async () => 'incr');
  chain(go, pick, [full, incr]);
});
`,
  'slow_dag.ts': `
import { existsSync, writeFileSync } from 'node:fs';
import { dag, task } from 'updraft';

export default dag('slow_dag', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  const a = task('a', async () => 'a');
  const b = task('b', async (_ctx, x: string) => {
    if (!existsSync('release')) {
      writeFileSync('b-started', '');
      await new Promise((resolve) => setTimeout(resolve, 30_000));
    }
    return x + 'b';
  });
  const c = task('c', async (_ctx, x: string) => x + 'c');
  c(b(a()));
});
`,
};

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(repo, 'test', '.tmp-honest-output-'));
  fs.mkdirSync(path.join(dir, 'dags'));
  for (const [file, text] of Object.entries(DAGS))
    fs.writeFileSync(path.join(dir, 'dags', file), text);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const env = () => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('UPDRAFT_CONN_')),
  ),
  NO_COLOR: '1',
});

/** A read-only command, in process. */
function read(args: string[]): Promise<CliResult> {
  return updraftInProcess(args, { cwd: dir, env: env() });
}

/** The real CLI, a process in the project folder. */
function updraft(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/updraft.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: env(),
  });
  return { code: r.status, out: r.stdout.trimEnd(), err: r.stderr.trimEnd() };
}

/** The cells of a cli-table3 table, row by row, durations (the last column) left out. */
const grid = (text: string): string[][] => tableCells(text).map((row) => row.slice(0, -1));

interface Line {
  time: string;
  task: string;
  try: number;
  message: string;
  execution: number;
  simulated?: boolean;
}

describe('honest run output', () => {
  it('runs: a DAG of the project without runs says so and how to start one', async () => {
    expect(await read(['runs', 'order_dag'])).toEqual({
      code: 0,
      out: 'DAG order_dag has no runs yet; start one: updraft run order_dag',
      err: '',
    });
    expect(await read(['runs', 'order_dg'])).toEqual({
      code: 0,
      out: 'No runs of DAG "order_dg" (did you mean "order_dag"? updraft runs order_dag lists its runs)',
      err: '',
    });
    expect(await read(['runs', 'nothing_like_it'])).toEqual({
      code: 0,
      out: 'No runs of DAG "nothing_like_it", and the project has no DAG "nothing_like_it" (updraft list shows the DAGs)',
      err: '',
    });
  });

  it('run, retry and show: graph order, and tries that continue across executions', async () => {
    const failed = updraft(['run', 'order_dag', '--date', '2020-03-01']);
    expect(failed.code).toBe(1);
    expect(grid(failed.out)).toEqual([
      ['task', 'state', 'tries'],
      ['extract', '✔ success', '1'],
      ['transform', '✖ failed', '2'],
      ['load', '⊘ upstream_failed', ''],
    ]);
    fs.writeFileSync(path.join(dir, 'fixed'), '');
    const resumed = updraft(['retry', ORDER]);
    expect(resumed.code).toBe(0);
    const after = [
      ['task', 'state', 'tries'],
      ['extract', '✔ success (reused)', '1'],
      ['transform', '✔ success', '3'],
      ['load', '✔ success', '1'],
    ];
    expect(grid(resumed.out)).toEqual(after);
    expect(grid((await read(['show', ORDER])).out)).toEqual(after);
    const json = JSON.parse((await read(['show', ORDER, '--json'])).out) as {
      tasks: Record<string, { attempts: number; tries: number }>;
    };
    expect(Object.entries(json.tasks).map(([id, t]) => [id, t.attempts, t.tries])).toEqual([
      ['extract', 0, 1],
      ['transform', 1, 3],
      ['load', 1, 1],
    ]);
  });

  it('logs: by execution, then time; times the virtual clock simulated are marked', async () => {
    const { code, out } = await read(['logs', ORDER, '--json']);
    expect(code).toBe(0);
    const lines = JSON.parse(out) as Line[];
    expect(
      lines.map((l) => [
        l.execution,
        l.task,
        l.try,
        l.message.split('\n')[0],
        l.simulated ?? false,
      ]),
    ).toEqual([
      [1, 'extract', 1, 'extracting', false],
      [1, 'transform', 1, 'transforming', false],
      [1, 'transform', 1, 'try 1 failed: bad input', false],
      [1, 'transform', 2, 'transforming', true],
      [1, 'transform', 2, 'try 2 failed: bad input', true],
      [2, 'transform', 3, 'transforming', false],
      [2, 'load', 1, 'loading', false],
    ]);
    // The resumed execution ran on the wall clock, before the times the first one simulated.
    expect(lines[5]!.time < lines[3]!.time).toBe(true);

    const text = (await read(['logs', ORDER])).out.split('\n');
    expect(text[0]).toBe('── execution 1 ──');
    expect(text.filter((l) => l.startsWith('── '))).toEqual([
      '── execution 1 ──',
      '── execution 2 (resumed by retry or clear) ──',
    ]);
    const marked = text
      .filter((l) => /^\d{4}-\S+Z~ /.test(l))
      .map((l) => l.split(/\s{2,}/).slice(2, 4));
    expect(marked).toEqual([
      ['transform', 'try 2'],
      ['transform', 'try 2'],
    ]);
    expect(text.at(-1)).toBe(
      '~ simulated time: the embedded engine skipped waits (retry delays, Wait states, sensor poke intervals) on its virtual clock; AWS would log these times. --real-time waits instead.',
    );
  });

  it("test: a branch and a short-circuit print the function's value and what it does", async () => {
    const pick = await read(['test', 'branchy', 'pick']);
    expect(pick.code).toBe(0);
    expect(pick.out.split('\n').slice(1)).toEqual([
      'output: "load_full"',
      '  ↳ branch: runs load_full; skips load_incremental',
    ]);
    const go = await read(['test', 'branchy', 'go']);
    expect(go.code).toBe(0);
    expect(go.out.split('\n').slice(1)).toEqual([
      'output: true',
      '  ↳ short-circuit: true, downstream tasks run',
    ]);
    expect(JSON.parse((await read(['test', 'branchy', 'pick', '--json'])).out)).toMatchObject({
      status: 'success',
      output: 'load_full',
    });
  });

  it('test: --item on a task that is not mapped is refused', async () => {
    expect(await read(['test', 'branchy', 'pick', '--item', '1'])).toEqual({
      code: 1,
      out: '',
      err: '✖ task "pick" of DAG "branchy" is not mapped: --item gives a mapped task the item to run with; run it without --item',
    });
  });

  it('Ctrl-C: says which run stopped, what had finished and how to resume; exit 130', async () => {
    const child = spawn(
      process.execPath,
      [path.join(repo, 'bin/updraft.js'), 'run', 'slow_dag', '--date', '2020-03-01'],
      { cwd: dir, env: env() },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const started = path.join(dir, 'b-started');
    await untilFile(started, child);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).not.toContain('✔ success  slow_dag');
    expect(err.trimEnd()).toBe(
      [
        `✖ Interrupted (Ctrl-C): run ${SLOW} stopped and marked failed.`,
        '  finished: a (success)',
        '  stopped: b (was running)',
        '  not started: c',
        `  ↳ resume it: updraft retry ${SLOW} (tasks that succeeded are not run again)`,
      ].join('\n'),
    );

    const show = await read(['show', SLOW]);
    expect(grid(show.out)).toEqual([
      ['task', 'state', 'tries'],
      ['a', '✔ success', '1'],
      ['b', '✖ failed', '1'],
      ['c', '– none', ''],
    ]);
    expect(show.out).toContain(
      `  Updraft.Interrupted: interrupted (Ctrl-C) while it ran; resume it with: updraft retry ${SLOW}`,
    );

    fs.writeFileSync(path.join(dir, 'release'), '');
    const resumed = updraft(['retry', SLOW]);
    expect(resumed.code).toBe(0);
    expect(grid(resumed.out)).toEqual([
      ['task', 'state', 'tries'],
      ['a', '✔ success (reused)', '1'],
      ['b', '✔ success', '2'],
      ['c', '✔ success', '1'],
    ]);
  }, 120_000);

  it('Ctrl-C during a backfill: the run it stopped, and how to go on', async () => {
    for (const f of ['release', 'b-started']) fs.rmSync(path.join(dir, f), { force: true });
    const child = spawn(
      process.execPath,
      [
        path.join(repo, 'bin/updraft.js'),
        'backfill',
        'slow_dag',
        '--from',
        '2020-03-05',
        '--to',
        '2020-03-06',
      ],
      { cwd: dir, env: env() },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await untilFile(path.join(dir, 'b-started'), child);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const run = 'slow_dag-2020-03-05T00-00-00Z';
    expect(err.trimEnd()).toBe(
      [
        `✖ Interrupted (Ctrl-C): run ${run} stopped and marked failed.`,
        '  finished: a (success)',
        '  stopped: b (was running)',
        '  not started: c',
        `  ↳ resume it: updraft retry ${run} (tasks that succeeded are not run again)`,
        '↳ intervals not reached yet: run the same backfill again (updraft backfill slow_dag --from 2020-03-05 --to 2020-03-06); it leaves intervals that have a run as they are',
      ].join('\n'),
    );
    expect(
      JSON.parse((await read(['runs', 'slow_dag', '--json'])).out).map(
        (r: { runId: string; status: string }) => [r.runId, r.status],
      ),
    ).toEqual([
      [run, 'failed'],
      [SLOW, 'success'],
    ]);
  }, 120_000);
});

/** Waits until a task wrote `file`, or the process ended without it (its output then says why). */
async function untilFile(file: string, child: ChildProcess): Promise<void> {
  for (
    let waited = 0;
    !fs.existsSync(file) && child.exitCode === null && waited < 60_000;
    waited += 50
  )
    await new Promise((r) => setTimeout(r, 50));
}

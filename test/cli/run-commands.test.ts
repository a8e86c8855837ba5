/**
 * The read-only run commands end to end — `runs`, `show`, `logs`, `outbox` — in process through
 * `main(argv, io)` (one call, an unknown run id, as the real bin/updraft.js: the family's smoke
 * test), after `updraft run` of a DAG that succeeds (with a
 * connection and an offloaded output), one that fails with a PermanentError after a retry and
 * one that publishes to SNS. The project lives in a temporary folder inside the repository, so
 * its DAG files resolve `import … from 'updraft'` through the package's own exports.
 * The tests run in order: each reads what the runs before it recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO as repo,
  tableCells,
  updraftInProcess,
  updraftProcess,
  type CliResult,
} from '../support/cli.ts';

const SECRET = 's3cret';
const CONN_ENV = { UPDRAFT_CONN_DB: `postgres://u:${SECRET}@h/db` };

const OK = 'ok_dag-2020-03-02T00-00-00Z';
const BAD = 'bad_dag-2020-03-01T00-00-00Z';
const NOTIFY = 'notify_dag-2020-03-03T00-00-00Z';

const DAGS: Record<string, string> = {
  'ok_dag.ts': `
import { dag, dataset, task } from 'updraft';

const raw = dataset('s3://lake/raw/things');

export default dag('ok_dag', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  const extract = task('extract', { connections: ['db'], outlets: [raw] }, async (ctx) => {
    const db = await ctx.connection('db');
    ctx.log.info('connected', { connection: db });
    ctx.log.info('extracted', { rows: 3, table: 'public.things' });
    return { rows: 3 };
  });
  const big = task('big', { inlets: [raw] }, async (_ctx, e: { rows: number }) => ({ rows: e.rows, blob: 'x'.repeat(100_000) }));
  big(extract());
});
`,
  'bad_dag.ts': `
import { dag, param, PermanentError, task } from 'updraft';

export default dag('bad_dag', { schedule: '@daily', startDate: '2020-01-01', retry: { attempts: 3, delay: '1m' }, params: { table: param.string({ default: 'orders' }) } }, () => {
  const prepare = task('prepare', async () => 'ok');
  const check = task('check', async (ctx, _p: string) => {
    ctx.log.warn('checking', { attempt: ctx.attempt });
    if (ctx.attempt === 1) throw new Error('connection reset by peer');
    throw new PermanentError('no rows for ' + ctx.ds, { cause: new Error('table "' + String(ctx.params.table) + '" is empty') });
  });
  const report = task('report', async (_ctx, _c: unknown) => 'done');
  report(check(prepare()));
});
`,
  'notify_dag.ts': `
import { dag, snsPublish } from 'updraft';

export default dag('notify_dag', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  snsPublish('publish', { topic: 'alerts', message: { text: 'orders ready', rows: 3 }, subject: 'orders' });
});
`,
};

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(repo, 'test', '.tmp-run-commands-'));
  fs.mkdirSync(path.join(dir, 'dags'));
  for (const [file, text] of Object.entries(DAGS))
    fs.writeFileSync(path.join(dir, 'dags', file), text);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The environment without colours and without the machine's UPDRAFT_CONN_*. */
function cleanEnv(env: Record<string, string>): Record<string, string | undefined> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('UPDRAFT_CONN_')),
  );
  return { ...base, NO_COLOR: '1', ...env };
}

/** The CLI in the temporary project, in process. */
function updraft(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return updraftInProcess(args, { cwd: dir, env: cleanEnv(env) });
}

/** Wall-clock instants and durations change from run to run; the logical dates (2020) do not. */
function stable(text: string): string {
  return text
    .replace(/\b(?!2020-)\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{3})?Z/g, '<time>')
    .replace(/took (\d+ ms|(\d+[dhms])+)/g, 'took <dur>')
    .replace(/\$\d+\.\d+/g, '$<usd>')
    .replace(/\d+\.\d+ s\b/g, '<s>');
}

const grid = tableCells;

/** Everything but the table, times and durations made stable. */
function prose(text: string): string[] {
  return stable(text)
    .split('\n')
    .filter((l) => !/^[│┌├└]/.test(l));
}

const DURATION = expect.stringMatching(/^(\d+ ms|(\d+[dhms])+)$/);
const TIME = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const SHORT_TIME = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
const CAUSE = 'no rows for 2020-03-01 ← caused by: table "orders" is empty';

describe('read-only run commands', () => {
  it('runs: an empty project says how to start a run; bad flags say what is allowed', async () => {
    expect(await updraft(['runs'])).toEqual({
      code: 0,
      out: 'No runs yet. Start one with: updraft run <dag> (updraft list shows the DAGs)',
      err: '',
    });
    expect(await updraft(['runs', '--status', 'faild'])).toEqual({
      code: 1,
      out: '',
      err: '✖ --status "faild" is not a run state (did you mean "failed"?)\n    ↳ use one of: queued, running, success, failed',
    });
    expect(await updraft(['runs', '--limit', '2.5'])).toEqual({
      code: 1,
      out: '',
      err: '✖ --limit must be a positive integer, got "2.5"\n    ↳ e.g. --limit 20 (default 50)',
    });
  });

  it('run: a success, a PermanentError after one retry, an SNS publish', async () => {
    const ok = await updraft(['run', 'ok_dag', '--date', '2020-03-02'], CONN_ENV);
    expect(ok.code).toBe(0);
    const bad = await updraft([
      'run',
      'bad_dag',
      '--date',
      '2020-03-01',
      '--conf',
      '{"table":"orders"}',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`  Updraft.PermanentError: task "check" failed: ${CAUSE}`);
    // What the same run costs on AWS, under its headline: 6 transitions (show's test says which)
    // and the Lambda time of its three tries.
    const lines = stable(bad.out).split('\n');
    expect(lines[lines.findIndex((l) => l.startsWith(`✖ failed  ${BAD}`)) + 1]).toBe(
      '  on AWS: $<usd>: $<usd> for 6 state transitions + $<usd> for 3 Lambda invocations, <s> at 1024 MiB',
    );
    expect((await updraft(['run', 'notify_dag', '--date', '2020-03-03'])).code).toBe(0);
    for (const text of [ok.out, ok.err]) expect(text).not.toContain(SECRET);
  });

  it('runs: a table newest logical date first, and the records as --json', async () => {
    const table = await updraft(['runs']);
    expect(table.code).toBe(0);
    expect(grid(table.out)).toEqual([
      ['run id', 'state', 'logical date', 'triggered by', 'started', 'duration', 'execution'],
      [NOTIFY, '✔ success', '2020-03-03 00:00:00Z', 'manual', SHORT_TIME, DURATION, '1'],
      [OK, '✔ success', '2020-03-02 00:00:00Z', 'manual', SHORT_TIME, DURATION, '1'],
      [BAD, '✖ failed', '2020-03-01 00:00:00Z', 'manual', SHORT_TIME, DURATION, '1'],
    ]);
    expect(table.out.split('\n').at(-1)).toBe(
      '3 runs · details: updraft show <run id> · task logs: updraft logs <run id>',
    );

    const json = await updraft(['runs', '--json']);
    expect(json.code).toBe(0);
    const record = (dag: string, day: string, status: string) => ({
      runId: `${dag}-2020-03-0${day}T00-00-00Z`,
      dagId: dag,
      key: `2020-03-0${day}T00-00-00Z`,
      logicalDate: `2020-03-0${day}T00:00:00.000Z`,
      dataIntervalStart: `2020-03-0${day}T00:00:00.000Z`,
      dataIntervalEnd: `2020-03-0${Number(day) + 1}T00:00:00.000Z`,
      triggeredBy: 'manual',
      status,
      attempt: 1,
      queuedAt: TIME,
      startedAt: TIME,
      endedAt: TIME,
      transitions: expect.any(Number),
      historyEvents: expect.any(Number),
    });
    expect(JSON.parse(json.out)).toEqual([
      { ...record('notify_dag', '3', 'success'), conf: {} },
      { ...record('ok_dag', '2', 'success'), conf: {} },
      {
        ...record('bad_dag', '1', 'failed'),
        conf: { table: 'orders' },
        error: { error: 'Updraft.PermanentError', cause: `task "check" failed: ${CAUSE}` },
      },
    ]);

    expect(
      JSON.parse((await updraft(['runs', '--status', 'failed', '--limit', '1', '--json'])).out).map(
        (r: { runId: string }) => r.runId,
      ),
    ).toEqual([BAD]);
    expect(await updraft(['runs', 'ok_dag', '--status', 'failed'])).toEqual({
      code: 0,
      out: 'No failed runs of DAG "ok_dag". Without --status: updraft runs ok_dag',
      err: '',
    });
    expect(await updraft(['runs', 'ok_dg'])).toEqual({
      code: 0,
      out: 'No runs of DAG "ok_dg" (did you mean "ok_dag"? updraft runs ok_dag lists its runs)',
      err: '',
    });
  });

  it('show: a failed run with its error, cause, every try, and the way on', async () => {
    const { code, out, err } = await updraft(['show', BAD]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(grid(out)).toEqual([
      ['task', 'state', 'tries', 'duration'],
      ['prepare', '✔ success', '1', DURATION],
      ['check', '✖ failed', '2', DURATION],
      ['report', '⊘ upstream_failed', '', ''],
    ]);
    expect(prose(out)).toEqual([
      `✖ failed  ${BAD}  (logical date 2020-03-01T00:00:00.000Z, took <dur>)`,
      '  DAG bad_dag · triggered manually · data interval 2020-03-01T00:00:00.000Z → 2020-03-02T00:00:00.000Z',
      '  conf {"table":"orders"}',
      `  Updraft.PermanentError: task "check" failed: ${CAUSE}`,
      // Its cost: 6 transitions (prepare's state, check's with its retry, whose Catch writes its
      // failure record, report's state, whose runner answers upstream_failed without running its code, the
      // Choice on the leaves and the Fail state) and three tries of Lambda time.
      '  cost $<usd>: $<usd> for 6 state transitions + $<usd> for 3 Lambda invocations, <s> at 1024 MiB',
      'Outputs',
      '  prepare  "ok"',
      'Failed tasks',
      `  ✖ check  Updraft.PermanentError: ${CAUSE}`,
      '      try 1  ✖ failed  started <time>, took <dur>  Updraft.TaskFailed: connection reset by peer',
      `      try 2  ✖ failed  started <time>, took <dur>  Updraft.PermanentError: ${CAUSE}`,
      '        PermanentError: no rows for 2020-03-01',
      '          at <anonymous> (dags/bad_dag.ts:9:11)',
      '        Caused by: Error: table "orders" is empty',
      '          at <anonymous> (dags/bad_dag.ts:9:64)',
      'Cost by task',
      '  check    $<usd> · 2 transitions · 2 × Lambda, <s>',
      '  prepare  $<usd> · 1 transition · 1 × Lambda, <s>',
      '  report   $<usd> · 1 transition',
      `  ↳ updraft logs ${BAD} · fix, then resume: updraft retry ${BAD}`,
    ]);
  });

  it('show --json: the run, its tasks, outputs, tries (without responses), lineage and outbox', async () => {
    const { code, out } = await updraft(['show', BAD, '--json']);
    expect(code).toBe(0);
    const attempt = (tryNumber: number, error: string, cause: string, stack: string) => ({
      runId: BAD,
      taskId: 'check',
      mapIndex: -1,
      tryNumber,
      runAttempt: 1,
      state: 'failed',
      startedAt: TIME,
      endedAt: TIME,
      durationMs: expect.any(Number),
      error: { error, cause, stack },
    });
    expect(JSON.parse(out)).toEqual({
      runId: BAD,
      dagId: 'bad_dag',
      status: 'failed',
      logicalDate: '2020-03-01T00:00:00.000Z',
      dataInterval: { start: '2020-03-01T00:00:00.000Z', end: '2020-03-02T00:00:00.000Z' },
      attempt: 1,
      startedAt: TIME,
      endedAt: TIME,
      error: { error: 'Updraft.PermanentError', cause: `task "check" failed: ${CAUSE}` },
      tasks: {
        prepare: { state: 'success', attempts: 1, tries: 1, startedAt: TIME, endedAt: TIME },
        check: {
          state: 'failed',
          attempts: 2,
          tries: 2,
          startedAt: TIME,
          endedAt: TIME,
          error: { error: 'Updraft.PermanentError', cause: CAUSE },
        },
        report: { state: 'upstream_failed', attempts: 0, tries: 0, startedAt: null, endedAt: null },
      },
      triggeredBy: 'manual',
      conf: { table: 'orders' },
      outputs: { prepare: 'ok' },
      tries: [
        attempt(
          1,
          'Updraft.TaskFailed',
          'connection reset by peer',
          'Error: connection reset by peer\n    at <anonymous> (dags/bad_dag.ts:8:34)',
        ),
        attempt(
          2,
          'Updraft.PermanentError',
          CAUSE,
          'PermanentError: no rows for 2020-03-01\n    at <anonymous> (dags/bad_dag.ts:9:11)\nCaused by: Error: table "orders" is empty\n    at <anonymous> (dags/bad_dag.ts:9:64)',
        ),
        {
          runId: BAD,
          taskId: 'prepare',
          mapIndex: -1,
          tryNumber: 1,
          runAttempt: 1,
          state: 'success',
          startedAt: TIME,
          endedAt: TIME,
          durationMs: expect.any(Number),
        },
      ],
      lineage: [],
      outbox: [],
      notifications: [],
      cost: {
        region: 'us-east-1', // no deployment: the price table's default region
        transitions: 6,
        transitionsUsd: 6 * 0.000025,
        memoryMiB: 1024,
        invocations: 3,
        lambdaMs: expect.any(Number),
        lambdaUsd: expect.any(Number),
        totalUsd: expect.any(Number),
        tasks: [
          {
            taskId: 'check',
            transitions: 2,
            invocations: 2,
            lambdaMs: expect.any(Number),
            usd: expect.any(Number),
          },
          {
            taskId: 'prepare',
            transitions: 1,
            invocations: 1,
            lambdaMs: expect.any(Number),
            usd: expect.any(Number),
          },
          { taskId: 'report', transitions: 1, invocations: 0, lambdaMs: 0, usd: 0.000025 },
        ],
      },
    });
  });

  it('show: a successful run previews outputs (an offloaded one as its reference) and lineage; --outputs reads them back', async () => {
    const { code, out } = await updraft(['show', OK]);
    expect(code).toBe(0);
    expect(grid(out).map((row) => row.slice(0, 3))).toEqual([
      ['task', 'state', 'tries'],
      ['extract', '✔ success', '1'],
      ['big', '✔ success', '1'],
    ]);
    expect(prose(out)).toEqual([
      `✔ success  ${OK}  (logical date 2020-03-02T00:00:00.000Z, took <dur>)`,
      '  DAG ok_dag · triggered manually · data interval 2020-03-02T00:00:00.000Z → 2020-03-03T00:00:00.000Z',
      '  cost $<usd>: $<usd> for 4 state transitions + $<usd> for 2 Lambda invocations, <s> at 1024 MiB',
      'Outputs',
      '  extract  {"rows":3}',
      `  big      → stored object (98 KiB) local://${OK}/2020-03-02T00-00-00Z-1/big-1.json`,
      'Lineage',
      '  extract  wrote  s3://lake/raw/things',
      '  big      read   s3://lake/raw/things',
      'Cost by task',
      expect.stringMatching(/^ {2}(extract|big) +\$<usd> · 1 transition · 1 × Lambda, <s>$/),
      expect.stringMatching(/^ {2}(extract|big) +\$<usd> · 1 transition · 1 × Lambda, <s>$/),
    ]);

    const full = await updraft(['show', OK, '--outputs']);
    expect(full.code).toBe(0);
    expect(full.out).toContain(
      `Outputs\n  extract\n    {\n      "rows": 3\n    }\n  big\n    {\n      "rows": 3,\n      "blob": "${'x'.repeat(100_000)}"\n    }\nLineage`,
    );
    expect(full.out).not.toContain('stored object');
  });

  it('show: an unknown run id is exit 1 with the nearest run id and how to list runs', async () => {
    expect(
      updraftProcess(['show', 'ok_dag-2020-03-12T00-00-00Z'], { cwd: dir, env: cleanEnv({}) }),
    ).toEqual({
      code: 1,
      out: '',
      err: `✖ run "ok_dag-2020-03-12T00-00-00Z" not found (did you mean "${OK}"?)\n    ↳ list the runs of a DAG with: updraft runs ok_dag (or every DAG's with: updraft runs)`,
    });
  });

  it('logs: task lines with fields, the connection password masked', async () => {
    const { code, out, err } = await updraft(['logs', OK]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(prose(out)).toEqual([
      '<time>  INFO   extract  try 1  connected  connection={"id":"db","type":"postgres","host":"h","login":"u","password":"***","schema":"db","uri":"postgres://u:***@h/db","extra":{}}',
      '<time>  INFO   extract  try 1  extracted  rows=3  table=public.things',
    ]);
    const json = await updraft(['logs', OK, 'extract', '--json']);
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({
        level: 'info',
        dag: 'ok_dag',
        run: OK,
        task: 'extract',
        try: 1,
        message: 'connected',
        connection: expect.objectContaining({ password: '***' }),
      }),
      {
        time: TIME,
        level: 'info',
        dag: 'ok_dag',
        run: OK,
        task: 'extract',
        try: 1,
        execution: 1,
        message: 'extracted',
        rows: 3,
        table: 'public.things',
      },
    ]);
    const files = fs
      .readdirSync(path.join(dir, '.updraft', 'logs', OK))
      .map((f) => fs.readFileSync(path.join(dir, '.updraft', 'logs', OK, f), 'utf8'));
    for (const text of [out, json.out, ...files]) expect(text).not.toContain(SECRET);
  });

  it('logs: one task, oldest first, with the engine line for each failed try', async () => {
    const { code, out } = await updraft(['logs', BAD, 'check']);
    expect(code).toBe(0);
    expect(prose(out)).toEqual([
      // Try 2 ran after the 1-minute retry delay the virtual clock skipped: its times are simulated.
      '<time>   WARN   check  try 1  checking  attempt=1',
      '<time>   ERROR  check  try 1  try 1 failed: connection reset by peer  error=Updraft.TaskFailed',
      '    at <anonymous> (dags/bad_dag.ts:8:34)',
      '<time>~  WARN   check  try 2  checking  attempt=2',
      `<time>~  ERROR  check  try 2  try 2 failed: ${CAUSE}  error=Updraft.PermanentError`,
      '    at <anonymous> (dags/bad_dag.ts:9:11)',
      'Caused by: Error: table "orders" is empty',
      '    at <anonymous> (dags/bad_dag.ts:9:64)',
      '~ simulated time: the embedded engine skipped waits (retry delays, Wait states, sensor poke intervals) on its virtual clock; AWS would log these times. --real-time waits instead.',
    ]);
  });

  it('logs: a run without lines says so; an unknown task or run is exit 1', async () => {
    expect(await updraft(['logs', NOTIFY])).toEqual({
      code: 0,
      out: `No log lines for run ${NOTIFY}: its tasks logged nothing (task code logs with ctx.log.info(message, fields)).`,
      err: '',
    });
    expect(await updraft(['logs', BAD, 'chek'])).toEqual({
      code: 1,
      out: '',
      err: `✖ task "chek" is not in run ${BAD} (did you mean "check"?)\n    ↳ its tasks: check, prepare, report; or leave the task out for every task's lines`,
    });
    expect(await updraft(['logs', 'bad_dag-2020-03-01'])).toEqual({
      code: 1,
      out: '',
      err: `✖ run "bad_dag-2020-03-01" not found (did you mean "${BAD}"?)\n    ↳ list the runs of a DAG with: updraft runs bad_dag (or every DAG's with: updraft runs)`,
    });
  });

  it('outbox: the SNS message the engine captured instead of sending', async () => {
    const text = await updraft(['outbox']);
    expect(text.code).toBe(0);
    expect(stable(text.out)).toBe(
      [
        '1 message captured instead of sent, newest first:',
        `<time>  sns → arn:aws:sns:us-east-1:000000000000:alerts  (task publish, run ${NOTIFY})`,
        '  {"Message":{"text":"orders ready","rows":3},"Subject":"orders"}',
      ].join('\n'),
    );
    const json = await updraft(['outbox', NOTIFY, '--json']);
    expect(JSON.parse(json.out)).toEqual([
      {
        runId: NOTIFY,
        seq: 1_000_001,
        taskId: 'publish',
        service: 'sns',
        target: 'arn:aws:sns:us-east-1:000000000000:alerts',
        message: { Message: { text: 'orders ready', rows: 3 }, Subject: 'orders' },
        at: TIME,
      },
    ]);
    expect(await updraft(['outbox', OK])).toEqual({
      code: 0,
      out: `No messages from run ${OK} in the outbox. Tasks made with snsPublish, sqsSend or eventBridgePut put theirs here when they run locally.`,
      err: '',
    });
  });
});

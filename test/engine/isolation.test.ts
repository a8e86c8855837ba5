/**
 * Hostile task code on the embedded engine, end to end with the real CLI: task code runs in the
 * engine's worker threads (engine/worker-pool), so a busy loop or a hang past the task's timeout,
 * `process.exit`, a stray throw in a timer and an unhandled rejection end only their task, with
 * the cause said exactly; the run ends and the other runs of a backfill go on. `console.*` lands
 * in the task's log, masked; values cross the boundary as Lambda's JSON would; a failed task keeps
 * its stack trace, with paths relative to the project.
 * Spawned on purpose (not through main(argv, io)): what is tested is that hostile code cannot reach
 * the process running updraft, so that process must be one of its own, not the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/updraft.js');
const node = process.execPath.includes('node_modules')
  ? process.execPath
  : join(root, 'node_modules/node/bin/node');
// Inside the package, so the DAG files' `import … from 'updraft'` resolves to this checkout.
const dir = join(root, 'test', `.tmp-isolation-${process.pid}`);
const PASSWORD = 'pa55-w0rd-xyz';

const HOSTILE = `
import { dag, task } from 'updraft';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export default dag('hostile', { schedule: '@daily', startDate: '2026-11-01', retry: false }, () => {
  task('busy', { timeout: '1s' }, async () => {
    for (;;) {}
  })();
  task('hang', { timeout: '1s' }, async () => {
    await new Promise(() => setInterval(() => undefined, 1000));
  })();
  task('quits', async () => {
    process.exit(0);
  })();
  task('stray', async () => {
    setTimeout(() => {
      throw new Error('boom');
    }, 10);
    await sleep(600_000);
  })();
  task('rejects', async () => {
    void Promise.reject(new Error('nope'));
    await sleep(600_000);
  })();
  task('throws', async () => {
    const parse = (text: string) => JSON.parse(text);
    try {
      parse('{');
    } catch (error) {
      throw new Error('could not read the feed', { cause: error });
    }
  })();
  task('fine', async () => 'still here')();
});
`;

const VALUES = `
import { dag, task } from 'updraft';
export default dag('values', { schedule: '@daily', startDate: '2026-11-01', retry: false }, () => {
  const produce = task('produce', { connections: ['warehouse'] }, async (ctx) => {
    const conn = await ctx.connection('warehouse');
    console.log('password is ' + conn.password);
    console.error('user %s', conn.login);
    return { when: new Date('2026-11-20T10:00:00Z'), nan: NaN, odd: { ['__proto__']: 1 }, list: [undefined, Infinity] };
  });
  const consume = task('consume', async (_ctx, v: { when: unknown; nan: unknown; odd: object; list: unknown[] }) => {
    // As on Lambda, connections reach task code only through ctx.connection, never the environment.
    const envHidden = process.env.UPDRAFT_CONN_WAREHOUSE === undefined;
    return { when: typeof v.when + ':' + String(v.when), nan: v.nan, keys: Object.keys(v.odd), own: Object.hasOwn(v.odd, '__proto__'), list: v.list, envHidden };
  });
  consume(produce());
});
`;

const DAILY = `
import { dag, task } from 'updraft';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export default dag('daily', { schedule: '@daily', startDate: '2026-11-01', retry: false }, () => {
  const work = task('work', async (ctx) => {
    if (ctx.ds === '2026-11-03') {
      setTimeout(() => {
        throw new Error('stray throw on ' + ctx.ds);
      }, 10);
      await sleep(60_000);
    }
    if (ctx.ds === '2026-11-04') {
      void Promise.reject(new Error('rejected on ' + ctx.ds));
      await sleep(60_000);
    }
    await sleep(50);
    return ctx.ds;
  });
  const report = task('report', async (_ctx, ds: string) => 'done ' + ds);
  report(work());
});
`;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(node, [bin, ...args, '--no-color'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

/** `dags/hostile.ts:<line>:<column>` of `snippet` in the fixture, as a stack frame names it. */
function at(snippet: string): string {
  const lines = HOSTILE.split('\n');
  const line = lines.findIndex((l) => l.includes(snippet));
  return `dags/hostile.ts:${line + 1}:${lines[line]!.indexOf(snippet) + 1}`;
}

interface ShowJson {
  readonly error?: { readonly error: string; readonly cause: string };
  readonly outputs: Readonly<Record<string, unknown>>;
}

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = join(folder, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'hostile.ts'), HOSTILE);
  writeFileSync(join(dir, 'dags', 'values.ts'), VALUES);
  writeFileSync(join(dir, 'dags', 'daily.ts'), DAILY);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile task code', () => {
  it('fails only its own task, with the cause said exactly, and the run ends', () => {
    const r = cli(['run', 'hostile', '--date', '2026-11-20', '--json']);
    // Every hostile task ended its own way, not after its 10-minute sleep: a run waiting for one would be
    // stopped by cli()'s 90 s timeout and have a signal (no wall-clock bound here, it fails under load).
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    const run = JSON.parse(r.out) as {
      status: string;
      tasks: Record<string, { state: string; error?: { error: string; cause: string } }>;
    };
    expect(run.status).toBe('failed');
    const outcome = Object.fromEntries(
      Object.entries(run.tasks).map(([id, t]) => [
        id,
        t.error ? `${t.state} ${t.error.error}: ${t.error.cause}` : t.state,
      ]),
    );
    expect(outcome).toEqual({
      busy: 'failed States.Timeout: task "busy" ran longer than its timeout (1s); its worker was stopped',
      hang: 'failed States.Timeout: task "hang" ran longer than its timeout (1s); its worker was stopped',
      quits:
        'failed Updraft.TaskFailed: task called process.exit(0); a task ends by returning or throwing — the worker running it was stopped',
      stray:
        "failed Updraft.TaskFailed: uncaught exception outside the task's promise (in a timer or event callback): boom",
      rejects:
        'failed Updraft.TaskFailed: unhandled promise rejection (a promise the task did not await was rejected): nope',
      throws:
        "failed Updraft.TaskFailed: could not read the feed ← caused by: SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
      fine: 'success',
    });
    const show = JSON.parse(
      cli(['show', 'hostile-2026-11-20T00-00-00Z', '--json']).out,
    ) as ShowJson;
    expect(show.outputs).toEqual({ fine: 'still here' });
  });

  it("keeps a failed task's stack trace, paths relative to the project, in show and logs", () => {
    const runId = 'hostile-2026-11-20T00-00-00Z';
    const show = cli(['show', runId]);
    const syntax =
      "SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)";
    expect(show.out).toContain(
      [
        '        Error: could not read the feed',
        `          at <anonymous> (${at("new Error('could not")})`,
        `        Caused by: ${syntax}`,
        '          at JSON.parse (<anonymous>)',
        `          at parse (${at('parse(text)')})`,
        `          at <anonymous> (${at("parse('{')")})`,
      ].join('\n'),
    );
    expect(show.out).toContain(
      ['        Error: boom', `          at Timeout._onTimeout (${at("new Error('boom')")})`].join(
        '\n',
      ),
    );
    expect(show.out).toContain(
      ['        Error: nope', `          at <anonymous> (${at("new Error('nope')")})`].join('\n'),
    );
    const logs = cli(['logs', runId, '--task', 'throws']);
    expect(logs.out).toContain(
      [
        `try 1 failed: could not read the feed ← caused by: ${syntax}  error=Updraft.TaskFailed`,
        `    at <anonymous> (${at("new Error('could not")})`,
        `Caused by: ${syntax}`,
        '    at JSON.parse (<anonymous>)',
        `    at parse (${at('parse(text)')})`,
        `    at <anonymous> (${at("parse('{')")})`,
      ].join('\n'),
    );
    expect(`${show.out}${logs.out}`).not.toContain(root);
  });

  it('captures console.* in the task log, masked, and passes values as Lambda JSON', () => {
    const env = { UPDRAFT_CONN_WAREHOUSE: `postgres://loader:${PASSWORD}@db.internal:5432/dw` };
    const r = cli(['run', 'values', '--date', '2026-11-20', '--json'], env);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { status: string }).status).toBe('success');
    const show = JSON.parse(
      cli(['show', 'values-2026-11-20T00-00-00Z', '--json'], env).out,
    ) as ShowJson;
    expect(show.outputs.consume).toEqual({
      when: 'string:2026-11-20T10:00:00.000Z',
      nan: null,
      keys: ['__proto__'],
      own: true,
      list: [null, null],
      envHidden: true,
    });

    const logs = cli(['logs', 'values-2026-11-20T00-00-00Z', '--json'], env);
    const lines = (JSON.parse(logs.out) as { task: string; level: string; message: string }[]).map(
      (l) => `${l.task} ${l.level} ${l.message}`,
    );
    expect(lines).toEqual(['produce info password is ***', 'produce error user loader']);

    for (const output of [r.out, r.err, logs.out, logs.err]) expect(output).not.toContain(PASSWORD);
    for (const file of files(join(dir, '.updraft')))
      expect(readFileSync(file).includes(PASSWORD), file).toBe(false);
  });

  it('a stray throw or an unhandled rejection in one run of a backfill leaves the other runs alone', () => {
    const r = cli([
      'backfill',
      'daily',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-06',
      '--max-concurrency',
      '4',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out) as { intervals: { runId: string; status: string }[] };
    expect(Object.fromEntries(result.intervals.map((i) => [i.runId, i.status]))).toEqual({
      'daily-2026-11-01T00-00-00Z': 'success',
      'daily-2026-11-02T00-00-00Z': 'success',
      'daily-2026-11-03T00-00-00Z': 'failed',
      'daily-2026-11-04T00-00-00Z': 'failed',
      'daily-2026-11-05T00-00-00Z': 'success',
      'daily-2026-11-06T00-00-00Z': 'success',
    });
    const third = JSON.parse(cli(['show', 'daily-2026-11-03T00-00-00Z', '--json']).out) as ShowJson;
    expect(third.error?.cause).toBe(
      'task "work" failed: uncaught exception outside the task\'s promise (in a timer or event callback): stray throw on 2026-11-03',
    );
    const fourth = JSON.parse(
      cli(['show', 'daily-2026-11-04T00-00-00Z', '--json']).out,
    ) as ShowJson;
    expect(fourth.error?.cause).toBe(
      'task "work" failed: unhandled promise rejection (a promise the task did not await was rejected): rejected on 2026-11-04',
    );
  });
});

/**
 * Crash property, end to end with the real CLI: `updraft run` is killed with SIGKILL at seeded
 * instants — before the run exists, while a task runs, 0–150 ms after a task ends, during a
 * mapped instance, while a record is being committed — then `updraft retry` finishes the run.
 * Every task instance's code completes exactly once across both processes (each appends a line
 * to a file when it is done).
 *
 * Only the killed `updraft run` is a process (it must be, to be killed at any instant); the
 * `retry` that finishes the run and the `show` that reads it run in process through
 * main(argv, io), which saves two Node start-ups per instant (the tasks write to an absolute path).
 *
 * The one window no engine can close: a task's code has finished but the process dies before its
 * success is committed (tens of microseconds here). A second execution is accepted only there,
 * and the test checks that it was: the first process had not recorded that try as a success.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/util/seeded-random.ts';
import { updraftInProcess } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/updraft.js');
const node = process.execPath.includes('node_modules')
  ? process.execPath
  : join(root, 'node_modules/node/bin/node');
const dir = join(root, 'test', `.tmp-crash-property-${process.pid}`);
const calls = join(dir, 'calls.txt');

const DAG = `
import { appendFileSync } from 'node:fs';
import { dag, task } from 'updraft';
const calls = new URL('../calls.txt', import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const done = (ds: string, id: string) => appendFileSync(calls, ds + ' ' + id + '\\n');
export default dag('crashy_many', { schedule: '@daily', startDate: '2026-01-01' }, () => {
  const list = task('list', async (ctx) => { await sleep(15); done(ctx.ds, 'list'); return [0, 1, 2, 3, 4, 5]; });
  const side = task('side', async (ctx) => { await sleep(40); done(ctx.ds, 'side'); return 'x'; });
  const each = task('each', async (ctx, n: number) => { await sleep(5 + n * 7); done(ctx.ds, 'each.' + ctx.mapIndex); return n * 2; });
  const total = task('total', async (ctx, xs: number[], s: string) => { await sleep(10); done(ctx.ds, 'total'); return xs.length + s; });
  total(each.map(list()), side());
});
`;
const INSTANCES = [
  'list',
  'side',
  'each.0',
  'each.1',
  'each.2',
  'each.3',
  'each.4',
  'each.5',
  'total',
];

/** `updraft <args>` in process, in the project folder. */
function cli(args: string[]) {
  return updraftInProcess([...args, '--no-color'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

const doneLines = (ds: string): string[] =>
  existsSync(calls)
    ? readFileSync(calls, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(`${ds} `))
        .map((l) => l.slice(ds.length + 1))
    : [];

/** Starts a run and kills it with SIGKILL `delayMs` after its `afterLines`-th task instance is done. */
async function runAndKill(ds: string, afterLines: number, delayMs: number): Promise<void> {
  const child = spawn(node, [bin, 'run', 'crashy_many', '--date', ds, '--no-color'], {
    cwd: dir,
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone && doneLines(ds).length < afterLines) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'crashy_many.ts'), DAG);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 at any instant, then retry', () => {
  const random = seededRandom(20261202);
  const trials = Array.from({ length: 10 }, (_, i) => ({
    ds: `2026-10-${String(i + 1).padStart(2, '0')}`,
    // 0: kill while starting (before or while the run is created); 1–8: after that many instances are done.
    afterLines: i === 0 ? 0 : Math.floor(random() * 9),
    delayMs: Math.floor(random() * 150),
  }));

  it.each(trials)(
    'killed after $afterLines done + $delayMs ms ($ds): every instance completes exactly once',
    async ({ ds, afterLines, delayMs }) => {
      await runAndKill(ds, afterLines, delayMs);
      const before = doneLines(ds);
      const runId = `crashy_many-${ds}T00-00-00Z`;

      let finish = await cli(['retry', runId]);
      if (finish.code !== 0 && /not found/.test(finish.err))
        finish = await cli(['run', 'crashy_many', '--date', ds]); // killed before the run existed
      const show = await cli(['show', runId, '--json']);
      expect(show.code, show.err).toBe(0);
      const shown = JSON.parse(show.out) as {
        status: string;
        tries: { taskId: string; mapIndex: number; runAttempt: number; state: string }[];
      };
      if (!/succeeded; nothing to retry/.test(finish.err))
        expect(finish.code, finish.err + finish.out).toBe(0);
      expect(shown.status).toBe('success');

      const lines = doneLines(ds);
      expect([...lines].sort()).toEqual(expect.arrayContaining([...INSTANCES].sort()));
      for (const instance of INSTANCES) {
        const times = lines.filter((l) => l === instance).length;
        if (times === 1) continue;
        // Twice only if the killed process died between the code's end and its commit.
        expect(
          times,
          `${instance} ran ${times} times (done before the kill: ${before.join(', ')})`,
        ).toBe(2);
        const [taskId, index] = instance.split('.');
        const mapIndex = index === undefined ? -1 : Number(index);
        const committedFirst = shown.tries.some(
          (t) =>
            t.taskId === taskId &&
            t.mapIndex === mapIndex &&
            t.runAttempt === 1 &&
            t.state === 'success',
        );
        expect(
          committedFirst,
          `${instance} was recorded as a success by the killed process, yet ran again`,
        ).toBe(false);
      }
    },
    60_000,
  );
});

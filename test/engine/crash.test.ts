/**
 * A process killed mid-run, end to end with the real CLI: the next command finds the run its
 * dead process left "running", marks it failed with the reason, and `updraft retry` resumes it
 * without running again the task that had already succeeded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/updraft.js');
const node = process.execPath.includes('node_modules')
  ? process.execPath
  : join(root, 'node_modules/node/bin/node');
// Inside the package, so the DAG file's `import … from 'updraft'` resolves to this checkout.
const dir = join(root, 'test', `.tmp-crash-${process.pid}`);

const DAG = `
import { appendFileSync, existsSync } from 'node:fs';
import { dag, task } from 'updraft';
const here = (f: string) => new URL('../' + f, import.meta.url);
export default dag('crashy', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  const first = task('first', async () => {
    appendFileSync(here('calls.txt'), 'first\\n');
    return 41;
  });
  const second = task('second', async (_ctx, n: number) => {
    appendFileSync(here('calls.txt'), 'second\\n');
    if (existsSync(here('hang'))) await new Promise(() => setInterval(() => undefined, 1000));
    return n + 1;
  });
  second(first());
});
`;

function cli(args: string[]) {
  const r = spawnSync(node, [bin, ...args, '--no-color'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'crashy.ts'), DAG);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a process killed mid-run', () => {
  it('is detected by the next command, marked failed with the reason, and resumed by retry', async () => {
    writeFileSync(join(dir, 'hang'), '');
    const child = spawn(node, [bin, 'run', 'crashy', '--date', '2026-11-20', '--no-color'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const calls = join(dir, 'calls.txt');
    const deadline = Date.now() + 30_000;
    while (
      !(existsSync(calls) && readFileSync(calls, 'utf8').includes('second')) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50));
    // Kill without warning: every record was committed as it happened.
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readFileSync(calls, 'utf8')).toBe('first\nsecond\n');

    const runId = 'crashy-2026-11-20T00-00-00Z';
    rmSync(join(dir, 'hang'));
    const retry = cli(['retry', runId]);
    expect(retry.err).toContain(
      `⚠ run ${runId} was left running by a process that ended (killed or crashed); marked failed — resume it with: updraft retry ${runId}`,
    );
    expect(retry.code).toBe(0);
    expect(retry.out).toContain(`✔ success  ${runId}`);
    // first succeeded before the kill: reused, not run again; second ran again.
    expect(readFileSync(calls, 'utf8')).toBe('first\nsecond\nsecond\n');

    const again = cli(['run', 'crashy', '--date', '2026-11-20', '--json']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.out) as {
      runId: string;
      status: string;
      existing: boolean;
      attempt: number;
      tasks: Record<string, { state: string; attempts: number }>;
    };
    expect(json).toMatchObject({ runId, status: 'success', existing: true, attempt: 2 });
    expect(json.tasks.first!.state).toBe('success');
    expect(json.tasks.second).toMatchObject({ state: 'success', attempts: 1 });
  });
});

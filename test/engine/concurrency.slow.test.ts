/**
 * Many `updraft run` processes on one project at once, end to end with the real CLI: they share
 * the SQLite run database with no host process. 30 processes for 30 dates make 30 runs with every
 * task executed once; 5 processes for the same date make one run, and every one of them exits 0
 * (the others attach to it or find it finished).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/updraft.js');
const node = process.execPath.includes('node_modules')
  ? process.execPath
  : join(root, 'node_modules/node/bin/node');
const dir = join(root, 'test', `.tmp-concurrency-${process.pid}`);

// Each task appends "<task> <logical date>" when it is done: the file counts executions.
const DAG = `
import { appendFileSync } from 'node:fs';
import { dag, task } from 'updraft';
const calls = new URL('../calls.txt', import.meta.url);
const done = (id: string, ds: string) => appendFileSync(calls, id + ' ' + ds + '\\n');
export default dag('busy', { schedule: '@daily', startDate: '2026-01-01' }, () => {
  const extract = task('extract', async (ctx) => { done('extract', ctx.ds); return [1, 2, 3]; });
  const sum = task('sum', async (ctx, xs: number[]) => { done('sum', ctx.ds); return xs.reduce((a, b) => a + b, 0); });
  const twice = task('twice', async (ctx, xs: number[]) => { done('twice', ctx.ds); return xs.map((x) => x * 2); });
  const load = task('load', async (ctx, s: number, t: number[]) => { done('load', ctx.ds); return s + t.length; });
  const xs = extract();
  load(sum(xs), twice(xs));
});
`;

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(node, [bin, ...args, '--no-color'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

const lines = (): string[] => readFileSync(join(dir, 'calls.txt'), 'utf8').trim().split('\n');

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'busy.ts'), DAG);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('parallel updraft run processes on one project', () => {
  it('30 processes, 30 dates: 30 runs, all exit 0, every task executed once', async () => {
    const dates = Array.from({ length: 30 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`);
    const results = await Promise.all(
      dates.map((d) => cli(['run', 'busy', '--date', d, '--json'])),
    );
    for (const [i, r] of results.entries()) {
      expect(r.code, `${dates[i]}: ${r.err}`).toBe(0);
      const json = JSON.parse(r.out) as { runId: string; status: string; existing?: boolean };
      expect(json).toMatchObject({ runId: `busy-${dates[i]}T00-00-00Z`, status: 'success' });
      expect(json.existing).toBeUndefined();
    }
    const expected = dates
      .flatMap((d) => ['extract', 'sum', 'twice', 'load'].map((t) => `${t} ${d}`))
      .sort();
    expect(lines().sort()).toEqual(expected);
    const runs = await cli(['runs', 'busy', '--json', '--limit', '100']);
    expect(runs.code, runs.err).toBe(0);
    const listed = JSON.parse(runs.out) as { runId: string; status: string }[];
    expect(listed.filter((r) => r.runId.includes('2026-10-')).map((r) => r.status)).toEqual(
      Array(30).fill('success'),
    );
  }, 240_000);

  it('5 processes, the same date: one run, each task once, every process exits 0', async () => {
    rmSync(join(dir, 'calls.txt'), { force: true });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => cli(['run', 'busy', '--date', '2026-11-15'])),
    );
    for (const r of results) {
      expect(r.code, r.err + r.out).toBe(0);
      expect(r.out).toContain('✔ success  busy-2026-11-15T00-00-00Z');
    }
    const started = results.filter(
      (r) => !r.out.includes('this command started nothing') && !r.out.includes('already exists'),
    );
    expect(started).toHaveLength(1);
    for (const r of results)
      if (r !== started[0])
        expect(r.out).toMatch(
          /is already (queued|running)[^\n]*: attached, waiting for it to end…|already exists \(success\): nothing new started/,
        );
    expect(lines().sort()).toEqual([
      'extract 2026-11-15',
      'load 2026-11-15',
      'sum 2026-11-15',
      'twice 2026-11-15',
    ]);
  }, 120_000);
});

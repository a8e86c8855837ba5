/**
 * `updraft dev` as a process: it starts, names its DAGs, starts the dataset-triggered run a
 * producer queued, and stops on Ctrl-C — at once when nothing runs (exit 0), or marking the run
 * still going interrupted, with how to resume it (exit 130). A change in dags/ reloads the DAGs
 * (a helper module too); a broken file keeps its DAG's last good version running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO as root, updraftInProcess } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-dev-${process.pid}`);

const DAGS = `
import { existsSync, writeFileSync } from 'node:fs';
import { dag, dataset, task } from 'updraft';
const orders = dataset('s3://lake/orders');
const here = (f: string) => new URL('../' + f, import.meta.url);
export const producer = dag('producer', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('write', { outlets: [orders] }, async () => 1)();
});
export const consumer = dag('consumer', { schedule: [orders] }, () => {
  task('slow', async () => {
    writeFileSync(here('started'), '');
    while (!existsSync(here('release'))) await new Promise((r) => setTimeout(r, 50));
    return 1;
  })();
});
`;

const children: ChildProcess[] = [];

function dev(cwd = dir): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/updraft.js'), 'dev', '--no-color', '--port', '0'],
    {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Waits for `check`, or throws with what the process printed (it exited, or 30 s passed). */
async function until(
  check: () => boolean,
  { child, output }: { child: ChildProcess; output: () => string },
): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (child.exitCode !== null || waited >= 30_000)
      throw new Error(
        `${child.exitCode === null ? 'waited 30 s' : `dev exited ${child.exitCode}`} for ${check}; it printed:\n${output()}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'dags.ts'), DAGS);
});
afterAll(() => {
  // A failed assertion must not leave a scheduler running.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('updraft dev', () => {
  it('starts, lists its DAGs, and stops at once on Ctrl-C when nothing runs', async () => {
    const { child, output, exited } = dev();
    await until(() => output().includes('producer:'), { child, output });
    expect(output()).toContain(
      'updraft dev: 2 DAGs, the local scheduler is running (Ctrl-C stops it)',
    );
    expect(output()).toContain('  consumer: When s3://lake/orders is updated');
    // The HTTP JSON API, on loopback.
    await until(() => output().includes('API: '), { child, output });
    const url = /API: (http:\/\/127\.0\.0\.1:\d+)\/api\/dags/.exec(output())?.[1];
    const dags = (await (await fetch(`${url}/api/dags`)).json()) as {
      id: string;
      paused: boolean;
    }[];
    expect(dags.map((d) => [d.id, d.paused])).toEqual([
      ['consumer', false],
      ['producer', false],
    ]);
    child.kill('SIGINT');
    expect(await exited, output()).toBe(0);
    expect(output().trimEnd().split('\n').at(-1)).toBe('updraft dev stopped.');
  });

  it('starts the run a producer queued; Ctrl-C while it runs marks it interrupted, exit 130', async () => {
    const produced = await updraftInProcess(
      ['run', 'producer', '--date', '2026-11-20', '--no-color'],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const queued = /⧗ queued (consumer-\S+):/.exec(produced.out)?.[1];
    expect(queued).toMatch(/^consumer-.*-d1$/);
    const { child, output, exited } = dev();
    await until(() => existsSync(join(dir, 'started')) && output().includes('▶ started'), {
      child,
      output,
    });
    expect(output()).toContain(`▶ started ${queued}`);
    child.kill('SIGINT');
    expect(await exited, output()).toBe(130);
    expect(output()).toContain(`✖ Interrupted (Ctrl-C): run ${queued} stopped and marked failed.`);
    expect(output()).toContain(
      `  ↳ resume it: updraft retry ${queued} (tasks that succeeded are not run again)`,
    );
    writeFileSync(join(dir, 'release'), '');
    const shown = await updraftInProcess(['runs', 'consumer', '--json'], { cwd: dir });
    expect(JSON.parse(shown.out)).toMatchObject([
      { runId: queued, status: 'failed', error: { error: 'Updraft.Interrupted' } },
    ]);
  });

  it('reloads dags/ on a change, helpers included; a broken file keeps the last good version running', async () => {
    const project = join(dir, 'reload');
    mkdirSync(join(project, 'dags'), { recursive: true });
    writeFileSync(
      join(project, 'dags', 'producer.ts'),
      `import { dag, dataset, task } from 'updraft';
export default dag('producer', {}, () => {
  task('write', { outlets: [dataset('s3://lake/items')] }, async () => 1)();
});`,
    );
    writeFileSync(join(project, 'dags', '_version.ts'), "export const VERSION = 'v1';\n");
    const CONSUMER = `import { writeFileSync } from 'node:fs';
import { dag, dataset, task } from 'updraft';
import { VERSION } from './_version.ts';
export default dag('consumer', { schedule: [dataset('s3://lake/items')] }, () => {
  task('mark', async () => {
    writeFileSync(new URL('../marker', import.meta.url), VERSION);
    return VERSION;
  })();
});`;
    writeFileSync(join(project, 'dags', 'consumer.ts'), CONSUMER);
    const marker = join(project, 'marker');
    // Written while the run goes on: wait for its text, not only for the file.
    const marked = () => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');
    const produce = () =>
      updraftInProcess(['run', 'producer', '--no-color'], { cwd: project, env: process.env });
    const { child, output, exited } = dev(project);
    await until(() => output().includes('watching dags/'), { child, output });

    writeFileSync(join(project, 'dags', '_version.ts'), "export const VERSION = 'v2';\n");
    await until(() => output().includes('↻ dags reloaded'), { child, output });
    expect((await produce()).code).toBe(0);
    await until(() => marked() !== '', { child, output });
    expect(marked()).toBe('v2');

    rmSync(marker);
    writeFileSync(join(project, 'dags', 'consumer.ts'), `${CONSUMER}\nexport const broken = ;\n`);
    await until(() => output().includes('keeps its last good version'), { child, output });
    expect(output()).toContain('✖ the DAG file failed to load');
    expect(output()).toContain(
      '⚠ consumer keeps its last good version until its file is fixed (its tasks run in this process meanwhile)',
    );
    // This producer run's process cannot load the consumer: dev queues and runs it, as it last was.
    expect((await produce()).code).toBe(0);
    await until(() => marked() !== '', { child, output });
    expect(marked()).toBe('v2');
    // The marker is written while the run goes on: Ctrl-C once every started run has ended.
    const count = (re: RegExp) => output().match(re)?.length ?? 0;
    await until(() => count(/ ▶ started /g) === count(/ [✔✖] (success|failed) /g), {
      child,
      output,
    });
    child.kill('SIGINT');
    expect(await exited, output()).toBe(0);
    // One consumer run per producer run, each run once.
    const runs = await updraftInProcess(['runs', 'consumer', '--json'], { cwd: project });
    expect(
      (JSON.parse(runs.out) as { status: string }[]).map((r) => r.status),
      output(),
    ).toEqual(['success', 'success']);
  });

  it('refuses to serve beyond loopback without a token, saying how to set one', async () => {
    const r = await updraftInProcess(['dev', '--host', '0.0.0.0', '--no-color'], {
      cwd: dir,
      env: { ...process.env, UPDRAFT_UI_TOKEN: 'short' },
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      '--host 0.0.0.0 serves the UI beyond this machine, so every request must carry a token: UPDRAFT_UI_TOKEN is 5 characters',
    );
    expect(r.err).toContain('set UPDRAFT_UI_TOKEN to a secret of 16 characters or more');
  });
});

// The local store on a persistent dynalite: persistence, and sharing one database between
// processes (host, clients, takeover when the host goes away).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/sdk/errors.ts';
import { openLocalStore, type RunRecord, type TaskRecord } from '../../src/store/index.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let tmp: string;
let childScript: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'updraft-store-'));
  childScript = path.join(tmp, 'child.mts');
  // "write": open the directory, write a run and a task, close. "host": open it, then wait to be killed.
  fs.writeFileSync(
    childScript,
    `import { openLocalStore } from ${JSON.stringify(pathToFileURL(path.join(repo, 'src/store/index.ts')).href)};
const [mode, dir, json] = process.argv.slice(2);
const local = await openLocalStore({ dir });
console.log(JSON.stringify({ endpoint: local.endpoint }));
if (mode === 'write') {
  const run = JSON.parse(json);
  await local.store.createRun(run);
  await local.store.putTask({ runId: run.runId, dagId: run.dagId, taskId: 'from_child', state: 'success', attempts: 1 });
  await local.close();
} else {
  setInterval(() => {}, 1000);
}
`,
  );
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

let unique = 0;
function makeRun(): RunRecord {
  const n = ++unique;
  return {
    runId: `daily__2026-11-2${n}T00-00-00Z`,
    dagId: 'daily',
    key: `2026-11-2${n}T00-00-00Z`,
    logicalDate: `2026-11-2${n}T00:00:00.000Z`,
    dataIntervalStart: `2026-11-1${n}T00:00:00.000Z`,
    dataIntervalEnd: `2026-11-2${n}T00:00:00.000Z`,
    triggeredBy: 'manual',
    conf: {},
    status: 'queued',
    attempt: 1,
    queuedAt: `2026-11-2${n}T00:00:01.000Z`,
  };
}

function freshDir(): string {
  return fs.mkdtempSync(path.join(tmp, 'project-'));
}

const published = (dir: string): { pid: number; port: number } => JSON.parse(fs.readFileSync(path.join(dir, 'db.endpoint.json'), 'utf8'));

/** Runs the child script with the pinned node and tsx; resolves with the first line it prints and the process. */
function startChild(mode: 'write' | 'host', dir: string, run?: RunRecord) {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, dir, JSON.stringify(run ?? {})], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<{ endpoint: string }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(JSON.parse(line));
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before printing its endpoint: ${stderr}`)));
  });
  return { child, firstLine, exited, output: () => ({ stdout, stderr }) };
}

describe('persistent local store', () => {
  it('keeps runs and records across close and reopen, and removes its files on close', async () => {
    const dir = freshDir();
    const run = makeRun();
    const task: TaskRecord = { runId: run.runId, dagId: run.dagId, taskId: 'extract', state: 'success', attempts: 2, output: { rows: 3 } };

    const first = await openLocalStore({ dir });
    await first.store.createRun(run);
    await first.store.putTask(task);
    expect(published(dir).pid).toBe(process.pid);
    await first.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['db']);

    const started = performance.now();
    const second = await openLocalStore({ dir });
    const openMs = performance.now() - started;
    try {
      expect(await second.store.getRun(run.runId)).toEqual(run);
      expect(await second.store.listTasks(run.runId)).toEqual([task]);
      expect(await second.store.listRuns({ dagId: 'daily' })).toEqual([run]);
      expect(openMs).toBeLessThan(2_000); // ~50 ms here
    } finally {
      await second.close();
    }
  });

  it('shares the database with another process, which connects to this one as a client', async () => {
    const dir = freshDir();
    const host = await openLocalStore({ dir });
    try {
      const run = makeRun();
      const child = startChild('write', dir, run);
      expect((await child.firstLine).endpoint).toBe(host.endpoint);
      expect(await child.exited, child.output().stderr).toBe(0);
      expect(await host.store.getRun(run.runId)).toEqual(run);
      expect((await host.store.listTasks(run.runId)).map((t) => t.taskId)).toEqual(['from_child']);
      expect(published(dir).pid).toBe(process.pid); // the client's close left the host's files alone
    } finally {
      await host.close();
    }
  });

  it('takes over hosting when the hosting process dies', async () => {
    const dir = freshDir();
    const child = startChild('host', dir);
    const { endpoint } = await child.firstLine;
    const local = await openLocalStore({ dir });
    try {
      expect(local.endpoint).toBe(endpoint);
      const run = makeRun();
      await local.store.createRun(run);

      child.child.kill('SIGKILL'); // no chance to clean up: its files stay, naming a dead pid
      await child.exited;
      expect(await local.store.getRun(run.runId)).toEqual(run);
      expect(local.endpoint).not.toBe(endpoint);
      expect(published(dir).pid).toBe(process.pid);
      expect(await local.store.updateRun(run.runId, { status: 'running' }, { ifStatus: ['queued'] })).toEqual({ ...run, status: 'running' });
    } finally {
      await local.close();
    }
  });

  it('takes over hosting from a store of the same process that closed', async () => {
    const dir = freshDir();
    const first = await openLocalStore({ dir });
    const second = await openLocalStore({ dir });
    expect(second.endpoint).toBe(first.endpoint);
    const run = makeRun();
    await second.store.createRun(run);
    await first.close();
    try {
      expect(await second.store.getRun(run.runId)).toEqual(run);
      expect(second.endpoint).not.toBe(first.endpoint);
    } finally {
      await second.close();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['db']);
  });

  it('ignores the endpoint and lock files of a process that is gone', async () => {
    const dir = freshDir();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    fs.writeFileSync(path.join(dir, 'db.endpoint.json'), JSON.stringify({ pid: gone.pid, port: 9 }));
    fs.writeFileSync(path.join(dir, 'db.lock'), JSON.stringify({ pid: gone.pid }));
    const local = await openLocalStore({ dir });
    try {
      expect(published(dir).pid).toBe(process.pid);
      const run = makeRun();
      expect((await local.store.createRun(run)).created).toBe(true);
    } finally {
      await local.close();
    }
  });

  it('says what to do when another program holds the database', async () => {
    const dir = freshDir();
    const dbPath = path.join(dir, 'db');
    const require = createRequire(createRequire(import.meta.url).resolve('dynalite'));
    const { Level } = require('level') as { Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> } };
    const foreign = new Level(dbPath);
    await foreign.open();
    try {
      const error = await openLocalStore({ dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        `the local run database ${dbPath} is locked by another process that does not share it (an older Updraft, or another tool?); stop that process and try again`,
      );
      expect(fs.existsSync(path.join(dir, 'db.lock'))).toBe(false);
    } finally {
      await foreign.close();
    }
  });
});

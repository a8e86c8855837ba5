/**
 * What only the embedded SQLite store does (the shared behaviour is in conformance.test.ts):
 * one database file shared by many real processes at once with no host, schema migrations,
 * and a clear way out when the file is damaged or newer than this Updraft.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { LOCAL_DATABASE_FILE, openLocalStore, type RunRecord } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/sqlite-schema.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let tmp: string;
let childScript: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'updraft-sqlite-'));
  childScript = path.join(tmp, 'child.mts');
  // Opens the project's store, creates `runs` runs of its own and takes `tries` try numbers of one
  // shared task instance, printing each number; then exits.
  fs.writeFileSync(
    childScript,
    `import { openLocalStore } from ${JSON.stringify(pathToFileURL(path.join(repo, 'src/store/index.ts')).href)};
const [dir, name, runs, tries] = process.argv.slice(2);
const local = await openLocalStore({ dir });
for (let i = 0; i < Number(runs); i++) {
  const key = '2026-11-' + String(i + 1).padStart(2, '0') + 'T00-00-00Z';
  const r = await local.store.createRun({ runId: name + '-' + key, dagId: name, key, logicalDate: key.replace(/T(\\d\\d)-(\\d\\d)-(\\d\\d)Z/, 'T$1:$2:$3.000Z'), dataIntervalStart: '2026-11-01T00:00:00.000Z', dataIntervalEnd: '2026-11-02T00:00:00.000Z', triggeredBy: 'manual', conf: {}, status: 'queued', attempt: 1, queuedAt: '2026-11-01T00:00:00.000Z' });
  if (!r.created) throw new Error('not created: ' + r.run.runId);
  await local.store.updateRun(r.run.runId, { status: 'success' }, { ifStatus: ['queued'] });
}
const numbers = [];
for (let i = 0; i < Number(tries); i++) numbers.push(await local.store.nextTry('shared-run', 'load', -1));
console.log(JSON.stringify(numbers));
await local.close();
`,
  );
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function freshDir(): string {
  return fs.mkdtempSync(path.join(tmp, 'project-'));
}

function makeRun(n = 1): RunRecord {
  return {
    runId: `daily-2026-11-2${n}T00-00-00Z`,
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

function runChild(
  dir: string,
  name: string,
  runs: number,
  tries: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', childScript, dir, name, String(runs), String(tries)],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('the embedded SQLite store', () => {
  it('keeps runs and records in .updraft/updraft.db across close and reopen', async () => {
    const dir = freshDir();
    const run = makeRun();
    const first = await openLocalStore({ dir });
    await first.store.createRun(run);
    await first.store.putTask({
      runId: run.runId,
      dagId: run.dagId,
      taskId: 'extract',
      state: 'success',
      attempts: 2,
      output: { rows: 3 },
    });
    await first.close();
    expect(fs.existsSync(path.join(dir, LOCAL_DATABASE_FILE))).toBe(true);

    const second = await openLocalStore({ dir });
    try {
      expect(await second.store.getRun(run.runId)).toEqual(run);
      expect(await second.store.listTasks(run.runId)).toEqual([
        {
          runId: run.runId,
          dagId: run.dagId,
          taskId: 'extract',
          state: 'success',
          attempts: 2,
          output: { rows: 3 },
        },
      ]);
    } finally {
      await second.close();
    }
  });

  it('is shared by 8 processes writing at once, with no host: every run lands, every try number is unique', async () => {
    const dir = freshDir();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => runChild(dir, `dag${i}`, 20, 25)),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const numbers = results.flatMap((r) => JSON.parse(r.stdout) as number[]);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const local = await openLocalStore({ dir });
    try {
      const runs = await local.store.listRuns({ limit: 1000 });
      expect(runs).toHaveLength(160);
      expect(runs.filter((r) => r.status !== 'success')).toEqual([]);
      // Only the database and SQLite's own WAL files: no endpoint, lock or pid files.
      expect(fs.readdirSync(dir).filter((f) => !f.startsWith(LOCAL_DATABASE_FILE))).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('reads a record another process committed at once, while this one keeps its store open', async () => {
    const dir = freshDir();
    const local = await openLocalStore({ dir });
    try {
      const r = await runChild(dir, 'other', 1, 1);
      expect(r.code, r.stderr).toBe(0);
      expect(
        (await local.store.listRuns({ dagId: 'other' })).map((x) => [x.runId, x.status]),
      ).toEqual([['other-2026-11-01T00-00-00Z', 'success']]);
    } finally {
      await local.close();
    }
  });

  it('keeps a "__proto__" key of a value as a plain key, as JSON.parse does', async () => {
    const local = await openLocalStore({ dir: freshDir() });
    try {
      const conf = JSON.parse('{"__proto__": {"polluted": true}, "n": 1}') as Record<
        string,
        unknown
      >;
      const { run } = await local.store.createRun({ ...makeRun(), conf });
      const back = (await local.store.getRun(run.runId))!.conf;
      expect(Object.keys(back)).toEqual(['__proto__', 'n']);
      expect(JSON.stringify(back)).toBe('{"__proto__":{"polluted":true},"n":1}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      await local.close();
    }
  });

  it('brings an older database forward and records the schema version', async () => {
    const dir = freshDir();
    const file = path.join(dir, LOCAL_DATABASE_FILE);
    new DatabaseSync(file).close(); // version 0, no tables: what any earlier schema starts from
    const local = await openLocalStore({ dir });
    await local.store.createRun(makeRun());
    await local.close();
    const db = new DatabaseSync(file);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    db.close();
  });

  it('refuses a database from a newer Updraft, saying how to go on', async () => {
    const dir = freshDir();
    const file = path.join(dir, LOCAL_DATABASE_FILE);
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const error = await openLocalStore({ dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `the local run database ${file} has schema version ${MIGRATIONS.length + 1}, newer than this Updraft knows (${MIGRATIONS.length}); a newer Updraft wrote it. Upgrade updraft, or move the file aside to start a new history: mv ${file} ${file}.newer`,
    );
  });

  it('keeps a damaged database as it is and says how to get out', async () => {
    const dir = freshDir();
    const file = path.join(dir, LOCAL_DATABASE_FILE);
    const garbage = Buffer.from('this is not a database, just 64 bytes of text that went wrong...');
    fs.writeFileSync(file, garbage);
    const error = await openLocalStore({ dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `the local run database ${file} cannot be read (file is not a database). Updraft keeps it as it is: move it aside to keep it for inspection (mv ${file} ${file}.damaged) and the next command starts a new, empty run history; \`sqlite3 ${file} .recover\` may rescue its records`,
    );
    expect(fs.readFileSync(file)).toEqual(garbage);
  });
});

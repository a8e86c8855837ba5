/**
 * @module store/local
 * The run-metadata store of the embedded engine: dynalite (the DynamoDB API over LevelDB), in
 * memory for tests, or persisted under the project's `.updraft/db`.
 *
 * Only one process can open a LevelDB directory, yet `updraft run` and `updraft runs` (or two
 * runs) may work at once. So the first process hosts dynalite on a local port and publishes
 * `{ pid, port }` in `db.endpoint.json`; the others connect to it as clients. `db.lock` (created
 * exclusively, holding the host's pid) makes sure two processes never start hosting at once.
 * When the host exits, a client's next request finds the endpoint gone and takes over.
 */
import { isProcessAlive } from '../util/process.ts';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ConfigError, UpdraftError } from '../sdk/errors.ts';
import { DynamoStore, createDocumentClient, isConnectionError } from './dynamo-store.ts';
import { DEFAULT_TABLE_NAME, TABLE_SCHEMA, createTableInput } from './table.ts';
import type { Store } from './types.ts';

export interface LocalStoreOptions {
  /** The project's `.updraft/` directory: the database persists in `<dir>/db`. @default - in memory */
  readonly dir?: string;
  /** @default 'updraft' */
  readonly tableName?: string;
}

export interface LocalStore {
  readonly store: Store;
  /** The dynalite endpoint in use (it changes when this process takes over hosting). */
  readonly endpoint: string;
  /** Flushes the store; a hosting process then stops dynalite and removes its endpoint file. */
  close(): Promise<void>;
}

/** How long to wait for a process that holds `db.lock` to publish its endpoint or let go. */
const HOST_WAIT_MS = 15_000;
/** How long LevelDB may stay locked while no process holds `db.lock` (see #resolve). */
const FOREIGN_LOCK_WAIT_MS = 2_000;
/** A lock file still empty after this long was left by a process that died while creating it. */
const EMPTY_LOCK_STALE_MS = 2_000;

export async function openLocalStore(options: LocalStoreOptions = {}): Promise<LocalStore> {
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const db = options.dir === undefined ? await LocalDatabase.inMemory() : await LocalDatabase.shared(options.dir);
  const client = createClient(db);
  try {
    await ensureTable(client, tableName, db.label);
  } catch (e) {
    client.destroy();
    await db.close();
    throw e;
  }
  const store = new DynamoStore({ client, tableName });
  return {
    store,
    get endpoint() {
      return db.endpoint;
    },
    async close() {
      try {
        await store.close();
      } finally {
        await db.close();
      }
    },
  };
}

/** A DynamoDB client of the local endpoint that follows it when another process takes over hosting. */
function createClient(db: LocalDatabase): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // Read per request, so a reconnect needs no new client.
    endpoint: async () => ({ url: new URL(db.endpoint) }),
    // dynalite never throttles: one retry covers a dropped connection; a host that went away is
    // handled below, by finding the new one.
    maxAttempts: 2,
  });
  const doc = createDocumentClient(client);
  const send = doc.send.bind(doc) as (command: any, options?: any) => Promise<unknown>;
  doc.send = (async (command: any, options?: any) => {
    const used = db.endpoint;
    try {
      return await send(command, options);
    } catch (e) {
      if (!db.shared || !isConnectionError(e)) throw e;
      await db.recover(used);
      // A fresh command: the first one's middleware stack has already run.
      return send(new command.constructor(command.input), options);
    }
  }) as typeof doc.send;
  return doc;
}

async function ensureTable(client: DynamoDBDocumentClient, tableName: string, label: string): Promise<void> {
  const wanted = TABLE_SCHEMA.globalSecondaryIndexes.map((i) => i.indexName);
  const deadline = Date.now() + 10_000;
  for (;;) {
    let table;
    try {
      table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ResourceNotFoundException')) throw e;
      try {
        await client.send(new CreateTableCommand(createTableInput(tableName)));
      } catch (created) {
        if (!(created instanceof Error && created.name === 'ResourceInUseException')) throw created; // another process just made it
      }
      continue;
    }
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    const missing = wanted.filter((name) => !indexes.some((i) => i.IndexName === name));
    if (missing.length) {
      throw new ConfigError(
        `the local run database ${label} has table "${tableName}" without the index(es) ${missing.join(', ')} (an older Updraft made it); delete ${label} to start afresh (local run history is lost)`,
      );
    }
    if (table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) throw new ConfigError(`table "${tableName}" of the local run database ${label} did not become ACTIVE within 10 s`);
    await sleep(10);
  }
}

/** Where the local dynalite runs, and whether this process hosts it. */
class LocalDatabase {
  /** `.updraft` when shared; undefined in memory. */
  readonly #dir: string | undefined;
  #endpoint = '';
  #server: Server | undefined;
  #recovering: Promise<void> | undefined;
  #closed = false;
  readonly #onExit = (): void => this.#removeFiles();

  private constructor(dir: string | undefined) {
    this.#dir = dir;
  }

  static async inMemory(): Promise<LocalDatabase> {
    const db = new LocalDatabase(undefined);
    db.#server = await startDynalite(undefined);
    db.#endpoint = endpointOf(db.#server);
    return db;
  }

  static async shared(dir: string): Promise<LocalDatabase> {
    const db = new LocalDatabase(dir);
    await db.#resolve();
    return db;
  }

  get shared(): boolean {
    return this.#dir !== undefined;
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  /** For messages: `.updraft/db` as the caller named it. */
  get label(): string {
    return this.#dir === undefined ? 'in memory' : this.#files().db;
  }

  /** The endpoint `failed` refused a connection: find the current host, or become it. */
  async recover(failed: string): Promise<void> {
    if (this.#closed || this.#endpoint !== failed) return; // a concurrent request already did
    this.#recovering ??= this.#resolve().finally(() => (this.#recovering = undefined));
    await this.#recovering;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const files = this.#dir === undefined ? undefined : this.#files();
    // Unpublish first, so nobody connects to a host that is going away; release the lock last,
    // once LevelDB has closed, so the next host can open it.
    if (files) removeIfOurs(files.endpoint);
    await closeServer(server);
    if (files) removeIfOurs(files.lock);
    process.off('exit', this.#onExit);
  }

  #files(): { db: string; endpoint: string; lock: string } {
    const dir = this.#dir as string;
    return { db: path.join(dir, 'db'), endpoint: path.join(dir, 'db.endpoint.json'), lock: path.join(dir, 'db.lock') };
  }

  #removeFiles(): void {
    const files = this.#files();
    removeIfOurs(files.endpoint);
    removeIfOurs(files.lock);
  }

  /** Connects to the published host, or hosts (under the lock). */
  async #resolve(): Promise<void> {
    const files = this.#files();
    try {
      fs.mkdirSync(this.#dir as string, { recursive: true });
    } catch (e) {
      throw new ConfigError(`cannot create the local run database directory ${this.#dir}: ${(e as Error).message}; check that it is writable`, { cause: e });
    }
    const deadline = Date.now() + HOST_WAIT_MS;
    let holder: number | undefined;
    let levelLockedSince: number | undefined;
    for (;;) {
      const published = readPidFile(files.endpoint);
      if (published?.port !== undefined && isProcessAlive(published.pid) && (await ping(published.port)) !== 'refused') {
        this.#endpoint = `http://127.0.0.1:${published.port}`;
        return;
      }
      const lock = acquireLock(files.lock);
      if (lock.acquired) {
        try {
          if (await this.#host(files)) return;
        } catch (e) {
          removeIfOurs(files.lock);
          throw e instanceof UpdraftError ? e : new ConfigError(`cannot open the local run database ${files.db}: ${(e as Error).message}`, { cause: e });
        }
        // LevelDB is held elsewhere: by a host that took over a stale lock at the same moment
        // (it publishes within milliseconds), or by a process that does not share.
        removeIfOurs(files.lock);
        levelLockedSince ??= Date.now();
      }
      holder = lock.holder ?? holder;
      const foreign = levelLockedSince !== undefined && Date.now() - levelLockedSince > FOREIGN_LOCK_WAIT_MS;
      if (foreign || Date.now() > deadline) {
        throw new ConfigError(
          foreign || holder === undefined
            ? `the local run database ${files.db} is locked by another process that does not share it (an older Updraft, or another tool?); stop that process and try again`
            : `the local run database ${files.db} is locked by another process (pid ${holder}), which does not answer; stop that process, or delete ${files.lock} if no Updraft process is running`,
        );
      }
      await sleep(50);
    }
  }

  /** Starts dynalite on the directory and publishes it; false when LevelDB is locked. */
  async #host(files: { db: string; endpoint: string }): Promise<boolean> {
    // dynalite opens LevelDB lazily and a lock failure then surfaces as an unhandled 'error'
    // event on the first request, which kills the process: try the lock first, here, where
    // the failure can be caught.
    if (!(await levelOpens(files.db))) return false;
    const server = await startDynalite(files.db);
    this.#server = server;
    this.#endpoint = endpointOf(server);
    writeAtomically(files.endpoint, JSON.stringify({ pid: process.pid, port: Number(new URL(this.#endpoint).port) }));
    process.on('exit', this.#onExit); // the files of a host that exits without close() are stale
    return true;
  }
}

async function startDynalite(dbPath: string | undefined): Promise<Server> {
  const server = dynalite({ path: dbPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  guardRequests(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await closeServer(server);
    throw e;
  }
  server.on('error', () => {}); // a listening server has nothing left to report; never crash on it
  return server;
}

/**
 * dynalite rethrows an error of a request stream (a client that died while sending) from inside
 * an event listener, which would crash the hosting process: drop that connection instead.
 */
function guardRequests(server: Server): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const handle of handlers) handle(req, res);
    req.removeAllListeners('error');
    req.on('error', () => res.destroy());
  });
}

/** dynalite's close stops HTTP, waits for pending operations and closes LevelDB (releasing its lock). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // A client in another process may hold a kept-alive connection mid-request; it reconnects.
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  });
}

function endpointOf(server: Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}

/** Whether this process could open the LevelDB directory now (nobody else holds its LOCK). */
async function levelOpens(dbPath: string): Promise<boolean> {
  // The `level` dynalite itself uses, so the probe opens the database exactly as it will.
  const require = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = require('level') as { Level: new (location: string, options: object) => { open(): Promise<void>; close(): Promise<void> } };
  const db = new Level(dbPath, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') return false;
    throw new ConfigError(`cannot open the local run database ${dbPath}: ${(e as { cause?: Error }).cause?.message ?? (e as Error).message}; if it is damaged, delete it to start afresh (local run history is lost)`, { cause: e });
  }
  await db.close();
  return true;
}

/** `{ pid, port? }` from an endpoint or lock file; undefined when absent, empty or unreadable. */
function readPidFile(file: string): { pid: number; port?: number } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; port?: unknown };
    if (typeof parsed.pid !== 'number') return undefined;
    return typeof parsed.port === 'number' ? { pid: parsed.pid, port: parsed.port } : { pid: parsed.pid };
  } catch {
    return undefined;
  }
}

/** Readers never see half a file: write a temporary file, then rename it over. */
function writeAtomically(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

function removeIfOurs(file: string): void {
  if (readPidFile(file)?.pid !== process.pid) return;
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Creates the lock file exclusively; takes over a lock whose process is dead. */
function acquireLock(file: string): { acquired: boolean; holder?: number } {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid }));
      } finally {
        fs.closeSync(fd);
      }
      return { acquired: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readPidFile(file)?.pid;
    if (holder !== undefined && isProcessAlive(holder)) return { acquired: false, holder };
    if (holder === undefined && !olderThan(file, EMPTY_LOCK_STALE_MS)) return { acquired: false }; // being written
    takeOver(file, holder);
  }
  return { acquired: false };
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile (two processes
 * may find the same stale lock): move it aside atomically, and put it back if it was not the
 * stale one after all.
 */
function takeOver(file: string, stalePid: number | undefined): void {
  const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // another process moved it first
  }
  if (readPidFile(aside)?.pid !== stalePid) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third process created a lock meanwhile: LevelDB's own lock settles who hosts
    }
  }
  fs.rmSync(aside, { force: true });
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}


/** 'busy' when the host is alive but its event loop is blocked (it runs tasks in-process). */
function ping(port: number): Promise<'ok' | 'refused' | 'busy'> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? 'ok' : 'refused');
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('busy');
    });
    req.on('error', () => resolve('refused'));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

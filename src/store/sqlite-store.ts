/**
 * @module store/sqlite-store
 * The embedded engine's run-metadata store on `node:sqlite` (built into Node 24): one database
 * file, `.updraft/updraft.db`, shared by any number of local processes with no host process.
 *
 * Why it is safe to kill a process at any instant: a write's promise resolves only once it is
 * committed (no write-behind: the writes asked for in one turn of the event loop share one
 * transaction, see #enqueue), in WAL mode. WAL with `synchronous = NORMAL` keeps
 * every committed transaction across a killed process (the WAL is in the OS page cache); only a
 * power cut may lose the last ones, which a laptop's run history can afford. Writers take the
 * lock with `BEGIN IMMEDIATE` (never upgrading a read lock, which SQLite cannot wait for) and wait
 * up to `busyTimeoutMs` for it, so 30 processes writing at once queue instead of failing.
 *
 * Records are kept as JSON next to the few columns queries need; the orders match the DynamoDB
 * store's sort keys (the conformance suite checks both).
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, InternalError } from '../errors.ts';
import type {
  DatasetCursor,
  LineageRecord,
  ListRunsQuery,
  OutboxMessage,
  NotificationRecord,
  PokeState,
  PoolHolder,
  PoolSlots,
  RunRecord,
  RunStatus,
  Store,
  TaskRecord,
  TryRecord,
} from './types.ts';
import { comparePoolHolders } from './types.ts';
import { MIGRATIONS } from './sqlite-schema.ts';
import {
  applyPatch,
  conditionHolds,
  notApplied,
  statusCondition,
  type RunCondition,
  type RunGuard,
  type RunPatch,
} from './run-update.ts';

export interface SqliteStoreOptions {
  /** The database file; `:memory:` for a private in-memory database. */
  readonly file: string;
  /** How long a write waits for another process's lock. @default 30000 */
  readonly busyTimeoutMs?: number;
}

const DEFAULT_LIST_LIMIT = 50;

export class SqliteStore implements Store, PoolSlots {
  readonly file: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #group: {
    readonly write: () => void;
    readonly resolve: () => void;
    readonly reject: (e: unknown) => void;
  }[] = [];
  #committing = false;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    this.file = options.file;
    this.#db = openDatabase(options.file, options.busyTimeoutMs ?? 30_000);
  }

  async createRun(run: RunRecord): Promise<{ readonly created: boolean; readonly run: RunRecord }> {
    const inserted = this.#run(
      `INSERT INTO runs (run_id, dag_id, sort_key, status, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING`,
      run.runId,
      run.dagId,
      sortKey(run),
      run.status,
      JSON.stringify(run),
    );
    if (inserted.changes > 0) return { created: true, run: parse<RunRecord>(JSON.stringify(run)) };
    const existing = await this.getRun(run.runId);
    if (!existing)
      throw new InternalError(
        `run "${run.runId}" was reported to exist but cannot be read (deleted meanwhile?)`,
      );
    return { created: false, run: existing };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.#getRun(runId);
  }

  async updateRun(
    runId: string,
    patch: RunPatch,
    options: { readonly ifStatus?: readonly RunStatus[] } = {},
  ): Promise<RunRecord | undefined> {
    return this.#updateRun(runId, patch, statusCondition(options.ifStatus));
  }

  async updateRunGuarded(
    runId: string,
    patch: RunPatch,
    guard: RunGuard,
  ): Promise<RunRecord | undefined> {
    return this.#updateRun(runId, patch, { kind: 'guard', guard });
  }

  async listRuns(query: ListRunsQuery = {}): Promise<RunRecord[]> {
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    if (limit <= 0) return [];
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (query.dagId !== undefined) {
      where.push('dag_id = ?');
      args.push(query.dagId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      args.push(query.status);
    }
    const sql = `SELECT record FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sort_key DESC LIMIT ?`;
    return this.#all<RunRecord>(sql, ...args, limit);
  }

  async activeRuns(): Promise<RunRecord[]> {
    return this.#all<RunRecord>(
      `SELECT record FROM runs WHERE status IN ('queued', 'running') ORDER BY sort_key DESC`,
    );
  }

  async putTask(task: TaskRecord): Promise<void> {
    const json = JSON.stringify(task);
    return this.#enqueue(() =>
      this.#run(
        `INSERT OR REPLACE INTO tasks (run_id, task_id, record) VALUES (?, ?, ?)`,
        task.runId,
        task.taskId,
        json,
      ),
    );
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<void> {
    if (tasks.length === 0) return;
    const rows = tasks.map((task) => [task.runId, task.taskId, JSON.stringify(task)] as const);
    return this.#enqueue(() => {
      for (const row of rows)
        this.#run(
          `INSERT OR REPLACE INTO tasks (run_id, task_id, record) VALUES (?, ?, ?)`,
          ...row,
        );
    });
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return this.#all<TaskRecord>(
      `SELECT record FROM tasks WHERE run_id = ? ORDER BY task_id`,
      runId,
    );
  }

  async putTry(t: TryRecord): Promise<void> {
    const json = JSON.stringify(t);
    return this.#enqueue(() =>
      this.#run(
        `INSERT OR REPLACE INTO tries (run_id, task_id, map_index, try_number, record) VALUES (?, ?, ?, ?, ?)`,
        t.runId,
        t.taskId,
        t.mapIndex,
        t.tryNumber,
        json,
      ),
    );
  }

  async listTries(runId: string, taskId?: string): Promise<TryRecord[]> {
    return taskId === undefined
      ? this.#all<TryRecord>(
          `SELECT record FROM tries WHERE run_id = ? ORDER BY task_id, map_index, try_number`,
          runId,
        )
      : this.#all<TryRecord>(
          `SELECT record FROM tries WHERE run_id = ? AND task_id = ? ORDER BY map_index, try_number`,
          runId,
          taskId,
        );
  }

  async putLineage(records: readonly LineageRecord[]): Promise<void> {
    if (records.length === 0) return;
    return this.#enqueue(() => {
      for (const r of records) {
        const json = JSON.stringify(r);
        this.#run(
          `INSERT OR REPLACE INTO lineage (run_id, task_id, direction, dataset, record) VALUES (?, ?, ?, ?, ?)`,
          r.runId,
          r.taskId,
          r.direction,
          r.dataset,
          json,
        );
        if (r.direction === 'out') {
          this.#run(
            `INSERT OR REPLACE INTO dataset_events (dataset, at, run_id, task_id, record) VALUES (?, ?, ?, ?, ?)`,
            r.dataset,
            r.at,
            r.runId,
            r.taskId,
            json,
          );
        }
      }
    });
  }

  async listLineage(runId: string): Promise<LineageRecord[]> {
    return this.#all<LineageRecord>(
      `SELECT record FROM lineage WHERE run_id = ? ORDER BY task_id, direction, dataset`,
      runId,
    );
  }

  /** @param limit @default 50 */
  async datasetEvents(
    dataset: string,
    limit: number = DEFAULT_LIST_LIMIT,
  ): Promise<LineageRecord[]> {
    return this.#all<LineageRecord>(
      `SELECT record FROM dataset_events WHERE dataset = ? ORDER BY at DESC, run_id DESC, task_id DESC LIMIT ?`,
      dataset,
      limit,
    );
  }

  async datasetCursor(dagId: string): Promise<DatasetCursor | undefined> {
    return this.#all<DatasetCursor>(
      `SELECT record FROM dataset_cursors WHERE dag_id = ?`,
      dagId,
    )[0];
  }

  async advanceDatasetCursor(next: DatasetCursor): Promise<boolean> {
    const record = JSON.stringify(next);
    // One statement: the insert of version 1 (no cursor yet), or the update from version − 1;
    // nothing when another process moved the cursor first.
    const moved = this.#run(
      `INSERT INTO dataset_cursors (dag_id, version, record) VALUES (?, ?, ?)
       ON CONFLICT (dag_id) DO UPDATE SET version = excluded.version, record = excluded.record
       WHERE dataset_cursors.version = excluded.version - 1`,
      next.dagId,
      next.version,
      record,
    );
    return Number(moved.changes) > 0;
  }

  async pausedAt(dagId: string): Promise<string | undefined> {
    const row = this.#statement(`SELECT at FROM dag_pauses WHERE dag_id = ?`).get(dagId) as
      | { at: string }
      | undefined;
    return row?.at;
  }

  async setPaused(dagId: string, at: string | undefined): Promise<void> {
    if (at === undefined) this.#run(`DELETE FROM dag_pauses WHERE dag_id = ?`, dagId);
    else
      this.#run(
        `INSERT INTO dag_pauses (dag_id, at) VALUES (?, ?) ON CONFLICT (dag_id) DO UPDATE SET at = excluded.at`,
        dagId,
        at,
      );
  }

  async nextTry(runId: string, taskId: string, mapIndex: number): Promise<number> {
    const row = this.#statement(
      `INSERT INTO counters (run_id, task_id, map_index, tries) VALUES (?, ?, ?, 1)
       ON CONFLICT (run_id, task_id, map_index) DO UPDATE SET tries = tries + 1 RETURNING tries`,
    ).get(runId, taskId, mapIndex) as { tries: number } | undefined;
    if (typeof row?.tries !== 'number')
      throw new InternalError(
        `the try counter of task "${taskId}" in run "${runId}" came back as ${JSON.stringify(row)}`,
      );
    return row.tries;
  }

  async getPokes(runId: string, taskId: string, mapIndex: number): Promise<PokeState | undefined> {
    const row = this.#statement(
      `SELECT pokes FROM counters WHERE run_id = ? AND task_id = ? AND map_index = ?`,
    ).get(runId, taskId, mapIndex) as { pokes: string | null } | undefined;
    return row?.pokes ? parse<PokeState>(row.pokes) : undefined;
  }

  async putPokes(runId: string, taskId: string, mapIndex: number, state: PokeState): Promise<void> {
    const pokes = JSON.stringify({
      waited: state.waited,
      n: state.n,
      runAttempt: state.runAttempt,
    });
    return this.#enqueue(() =>
      this.#run(
        `INSERT INTO counters (run_id, task_id, map_index, tries, pokes) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT (run_id, task_id, map_index) DO UPDATE SET pokes = excluded.pokes`,
        runId,
        taskId,
        mapIndex,
        pokes,
      ),
    );
  }

  async putOutbox(message: OutboxMessage): Promise<void> {
    const json = JSON.stringify(message);
    return this.#enqueue(() =>
      this.#run(
        `INSERT OR REPLACE INTO outbox (run_id, seq, at, record) VALUES (?, ?, ?, ?)`,
        message.runId,
        message.seq,
        message.at,
        json,
      ),
    );
  }

  /** One run's messages in `seq` order, or every run's oldest first (the order to deliver them). */
  async listOutbox(runId?: string): Promise<OutboxMessage[]> {
    return runId === undefined
      ? this.#all<OutboxMessage>(`SELECT record FROM outbox ORDER BY at, run_id, seq`)
      : this.#all<OutboxMessage>(`SELECT record FROM outbox WHERE run_id = ? ORDER BY seq`, runId);
  }

  async claimNotification(n: NotificationRecord): Promise<boolean> {
    const inserted = this.#run(
      `INSERT INTO notifications (run_id, key, at, record) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      n.runId,
      n.key,
      n.at,
      JSON.stringify(n),
    );
    return Number(inserted.changes) > 0;
  }

  async putNotification(n: NotificationRecord): Promise<void> {
    return this.#enqueue(() => {
      this.#run(
        `INSERT OR REPLACE INTO notifications (run_id, key, at, record) VALUES (?, ?, ?, ?)`,
        n.runId,
        n.key,
        n.at,
        JSON.stringify(n),
      );
    });
  }

  async listNotifications(runId: string): Promise<NotificationRecord[]> {
    return this.#all<NotificationRecord>(
      `SELECT record FROM notifications WHERE run_id = ? ORDER BY at, key`,
      runId,
    );
  }

  /**
   * One conditional INSERT … SELECT under the write lock (BEGIN IMMEDIATE): the row lands only
   * while the pool has fewer than `slots` rows or already holds this one (then it takes the
   * acquiring execution), so racing processes never pass the count.
   */
  async acquirePoolSlot(h: PoolHolder, slots: number): Promise<boolean> {
    const acquired = this.#transaction(() =>
      this.#run(
        `INSERT INTO pool_holders (pool, holder, run_id, execution)
         SELECT ?, ?, ?, ?
         WHERE (SELECT count(*) FROM pool_holders WHERE pool = ?) < ?
            OR EXISTS (SELECT 1 FROM pool_holders WHERE pool = ? AND holder = ?)
         ON CONFLICT (pool, holder) DO UPDATE SET run_id = excluded.run_id, execution = excluded.execution`,
        h.pool,
        h.holder,
        h.runId,
        h.execution,
        h.pool,
        slots,
        h.pool,
        h.holder,
      ),
    );
    return Number(acquired.changes) > 0;
  }

  async releasePoolSlot(pool: string, holder: string): Promise<void> {
    this.#run(`DELETE FROM pool_holders WHERE pool = ? AND holder = ?`, pool, holder);
  }

  async poolHolders(pool?: string): Promise<PoolHolder[]> {
    const rows =
      pool === undefined
        ? this.#statement(
            `SELECT pool, holder, run_id, execution FROM pool_holders ORDER BY pool, holder`,
          ).all()
        : this.#statement(
            `SELECT pool, holder, run_id, execution FROM pool_holders WHERE pool = ? ORDER BY holder`,
          ).all(pool);
    return (rows as unknown as PoolRow[]).map(poolHolderOf).sort(comparePoolHolders);
  }

  async releaseRunPoolSlots(runId: string, executions?: readonly string[]): Promise<PoolHolder[]> {
    const rows =
      executions === undefined
        ? this.#statement(
            `DELETE FROM pool_holders WHERE run_id = ? RETURNING pool, holder, run_id, execution`,
          ).all(runId)
        : this.#statement(
            `DELETE FROM pool_holders WHERE run_id = ? AND execution IN (SELECT value FROM json_each(?)) RETURNING pool, holder, run_id, execution`,
          ).all(runId, JSON.stringify(executions));
    return (rows as unknown as PoolRow[]).map(poolHolderOf).sort(comparePoolHolders);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#commitPending();
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  /** Every run update: read, check the condition and write the patched record in one transaction (store/run-update). */
  #updateRun(runId: string, patch: RunPatch, condition: RunCondition): RunRecord | undefined {
    if (notApplied(patch, condition)) return undefined;
    return this.#transaction(() => {
      const run = this.#getRun(runId);
      if (!run || !conditionHolds(run, condition)) return undefined;
      return this.#writeRun(applyPatch(run, patch));
    });
  }

  #getRun(runId: string): RunRecord | undefined {
    const row = this.#statement(`SELECT record FROM runs WHERE run_id = ?`).get(runId) as
      | { record: string }
      | undefined;
    return row ? parse<RunRecord>(row.record) : undefined;
  }

  #writeRun(run: RunRecord): RunRecord {
    this.#run(
      `UPDATE runs SET sort_key = ?, status = ?, record = ? WHERE run_id = ?`,
      sortKey(run),
      run.status,
      JSON.stringify(run),
      run.runId,
    );
    return parse<RunRecord>(JSON.stringify(run));
  }

  #all<T>(sql: string, ...args: SQLInputValue[]): T[] {
    return (this.#statement(sql).all(...args) as { record: string }[]).map((r) =>
      parse<T>(r.record),
    );
  }

  #run(sql: string, ...args: SQLInputValue[]): { changes: number | bigint } {
    return this.#statement(sql).run(...args);
  }

  #statement(sql: string): StatementSync {
    if (this.#closed)
      throw new InternalError('the run-metadata store is closed: it was used after close()');
    // Every other statement comes after the writes already asked for: reads see them, and a
    // run's update never overtakes its tasks' records.
    if (this.#group.length > 0 && !this.#committing) this.#commitPending();
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** Read-modify-write under the write lock, taken up front (see the module comment). */
  #transaction<T>(work: () => T): T {
    this.#commitPending();
    return transaction(this.#db, work);
  }

  /**
   * A blind write (a task, try, lineage, outbox or poke record): committed together with the
   * others asked for in the same turn of the event loop, in one transaction, and resolved only
   * once committed — so whoever awaits a write has it on disk before going on, at one commit per
   * turn instead of one per record (a file commit costs ≈ 45–70 µs here, the write itself ≈ 5).
   */
  #enqueue(write: () => void): Promise<void> {
    if (this.#closed)
      throw new InternalError('the run-metadata store is closed: it was used after close()');
    return new Promise((resolve, reject) => {
      this.#group.push({ write, resolve, reject });
      if (this.#group.length === 1) setImmediate(() => this.#commitPending());
    });
  }

  #commitPending(): void {
    const group = this.#group;
    if (group.length === 0 || this.#committing) return;
    this.#group = [];
    this.#committing = true;
    const failures = new Map<number, unknown>();
    try {
      transaction(this.#db, () => {
        group.forEach((w, i) => {
          try {
            w.write();
          } catch (e) {
            failures.set(i, e); // this record only; the others still commit
          }
        });
      });
    } catch (e) {
      for (const w of group) w.reject(e);
      return;
    } finally {
      this.#committing = false;
    }
    group.forEach((w, i) => (failures.has(i) ? w.reject(failures.get(i)) : w.resolve()));
  }
}

/** Opens (creating if needed) the local run database of a project's `.updraft/` folder. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

function transaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) return work();
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

function openDatabase(file: string, busyTimeoutMs: number): DatabaseSync {
  const memory = file === ':memory:';
  if (!memory) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (e) {
      throw new ConfigError(
        `cannot create the folder of the local run database ${file}: ${(e as Error).message}; check that it is writable`,
        { cause: e },
      );
    }
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: busyTimeoutMs });
    if (!memory) {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
    }
    migrate(db, file);
    return db;
  } catch (e) {
    db?.close();
    if (e instanceof ConfigError) throw e;
    throw damaged(file, e);
  }
}

/** Brings the schema to the newest version; each migration runs once, under the write lock. */
function migrate(db: DatabaseSync, file: string): void {
  const version = () =>
    (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (version() === MIGRATIONS.length) return;
  transaction(db, () => {
    const current = version(); // another process may have migrated while this one waited
    if (current > MIGRATIONS.length) {
      throw new ConfigError(
        `the local run database ${file} has schema version ${current}, newer than this Updraft knows (${MIGRATIONS.length}); a newer Updraft wrote it. Upgrade updraft, or move the file aside to start a new history: mv ${file} ${file}.newer`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
  });
}

/** A database SQLite cannot read: say so, keep the file, and show the way out. */
function damaged(file: string, cause: unknown): ConfigError {
  const message = (cause as Error)?.message ?? String(cause);
  return new ConfigError(
    `the local run database ${file} cannot be read (${message}). Updraft keeps it as it is: move it aside to keep it for inspection (mv ${file} ${file}.damaged) and the next command starts a new, empty run history; \`sqlite3 ${file} .recover\` may rescue its records`,
    { cause },
  );
}

/** Runs of one DAG, or of every DAG, newest logical date first; the run id breaks ties (as the DynamoDB store's sort key). */
function sortKey(run: Pick<RunRecord, 'logicalDate' | 'runId'>): string {
  return `${run.logicalDate}#${run.runId}`;
}

function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

interface PoolRow {
  pool: string;
  holder: string;
  run_id: string;
  execution: string;
}

function poolHolderOf(r: PoolRow): PoolHolder {
  return { pool: r.pool, holder: r.holder, runId: r.run_id, execution: r.execution };
}

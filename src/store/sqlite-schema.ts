/**
 * @module store/sqlite-schema
 * The local run database's schema, as migrations: migration N brings `PRAGMA user_version` from
 * N to N + 1. Append only — a database made by an earlier Updraft is brought forward on open,
 * and a released migration never changes (its users' files already went through it).
 *
 * Each table keeps the whole record as JSON (`record`) plus the columns its queries filter and
 * sort on; primary keys mirror the DynamoDB store's item keys (store/table.ts), so the same write
 * replaces the same record on both.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    run_id   TEXT PRIMARY KEY,
    dag_id   TEXT NOT NULL,
    sort_key TEXT NOT NULL,   -- <logical date>#<run id>: newest first in every listing
    status   TEXT NOT NULL,
    record   TEXT NOT NULL
  ) STRICT;
  CREATE INDEX runs_by_dag ON runs (dag_id, sort_key);
  CREATE INDEX runs_by_date ON runs (sort_key);
  CREATE INDEX runs_active ON runs (sort_key) WHERE status IN ('queued', 'running');

  CREATE TABLE tasks (
    run_id  TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record  TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE tries (
    run_id     TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    map_index  INTEGER NOT NULL,
    try_number INTEGER NOT NULL,
    record     TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id, map_index, try_number)
  ) STRICT, WITHOUT ROWID;

  -- Try counter and sensor poke state per task instance.
  CREATE TABLE counters (
    run_id    TEXT NOT NULL,
    task_id   TEXT NOT NULL,
    map_index INTEGER NOT NULL,
    tries     INTEGER NOT NULL,
    pokes     TEXT,
    PRIMARY KEY (run_id, task_id, map_index)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE lineage (
    run_id    TEXT NOT NULL,
    task_id   TEXT NOT NULL,
    direction TEXT NOT NULL,
    dataset   TEXT NOT NULL,
    record    TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id, direction, dataset)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE dataset_events (
    dataset TEXT NOT NULL,
    at      TEXT NOT NULL,
    run_id  TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record  TEXT NOT NULL,
    PRIMARY KEY (dataset, at, run_id, task_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE outbox (
    run_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    at     TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX outbox_by_time ON outbox (at, run_id, seq);
  `,
  `
  -- Data-aware scheduling: per dataset-scheduled DAG, the events its runs consumed (store/types DatasetCursor).
  CREATE TABLE dataset_cursors (
    dag_id  TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    record  TEXT NOT NULL
  ) STRICT;
  `,
  `
  -- updraft pause: when each paused DAG was paused (store/types DagPauses).
  CREATE TABLE dag_pauses (
    dag_id TEXT PRIMARY KEY,
    at     TEXT NOT NULL
  ) STRICT;
  `,
  `
  -- Notifications: every send (or outbox entry) of a run, claimed by its key before it is sent (store/types NotificationRecord).
  CREATE TABLE notifications (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    at     TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX notifications_by_time ON notifications (at, run_id, key);

  -- Pools: the task instances holding a slot of each pool (store/types PoolSlots).
  CREATE TABLE pool_holders (
    pool      TEXT NOT NULL,
    holder    TEXT NOT NULL,   -- <run id>#<task id>#<map index>
    run_id    TEXT NOT NULL,
    execution TEXT NOT NULL,   -- the execution that acquired it: <run id> or <run id>-r<n>
    PRIMARY KEY (pool, holder)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX pool_holders_by_run ON pool_holders (run_id);
  `,
];

/**
 * @module store/local
 * The embedded engine's store: SQLite in the project's `.updraft/updraft.db`, or in memory for
 * tests and the testing helper. Any number of processes open the same file at once; there is
 * nothing to host and nothing to hand over.
 */
import path from 'node:path';
import { SqliteStore } from './sqlite-store.ts';
import type { PoolSlots, Store } from './types.ts';

/** The database file inside `.updraft/`. */
export const LOCAL_DATABASE_FILE = 'updraft.db';

export interface LocalStoreOptions {
  /** The project's `.updraft/` directory: the database is `<dir>/updraft.db`. @default - in memory */
  readonly dir?: string;
}

export interface LocalStore {
  readonly store: Store & PoolSlots;
  /** The database file, or `:memory:`. */
  readonly file: string;
  close(): Promise<void>;
}

export async function openLocalStore(options: LocalStoreOptions = {}): Promise<LocalStore> {
  const file = options.dir === undefined ? ':memory:' : path.join(options.dir, LOCAL_DATABASE_FILE);
  const store = new SqliteStore({ file });
  return { store, file, close: () => store.close() };
}

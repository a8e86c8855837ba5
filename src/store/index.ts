/**
 * @module store
 * The one run-metadata repository: records (types), the SQLite store of the embedded engine, the
 * DynamoDB store of AWS and its single-table layout (table).
 */
export type * from './types.ts';
export { STATE_CODES, taskStatesOf } from './types.ts';
export { DynamoStore, createDocumentClient, type DynamoStoreOptions } from './dynamo-store.ts';
export {
  LOCAL_DATABASE_FILE,
  openLocalStore,
  type LocalStore,
  type LocalStoreOptions,
} from './local.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
export { DEFAULT_TABLE_NAME, TABLE_SCHEMA, createTableInput, keys } from './table.ts';

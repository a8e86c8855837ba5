/**
 * @module store
 * The one run-metadata repository: records (types), the single-table layout (table), the
 * DynamoDB implementation and the local dynalite it runs on in the embedded engine.
 */
export type * from './types.ts';
export { DynamoStore, createDocumentClient, type DynamoStoreOptions } from './dynamo-store.ts';
export { openLocalStore, type LocalStore, type LocalStoreOptions } from './local.ts';
export { DEFAULT_TABLE_NAME, TABLE_SCHEMA, createTableInput, keys } from './table.ts';

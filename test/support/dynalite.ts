/**
 * A real DynamoDB API for the tests of the AWS store and of the Lambdas: dynalite in memory on a
 * loopback port, with the Updraft table created exactly as infra creates it. (dynalite is a dev
 * dependency for this purpose only; the embedded engine runs on SQLite.)
 */
import type { Server, ServerResponse } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import {
  DynamoStore,
  createDocumentClient,
  type DynamoStoreOptions,
} from '../../src/store/dynamo-store.ts';
import { DEFAULT_TABLE_NAME, createTableInput } from '../../src/store/table.ts';

export interface Dynalite {
  readonly endpoint: string;
  readonly tableName: string;
  /** A DynamoStore of this table (closed by `close`). */
  readonly store: DynamoStore;
  /** A new document client of the endpoint (the caller destroys it). */
  client(): DynamoDBDocumentClient;
  close(): Promise<void>;
}

export async function startDynalite(
  options: { readonly tableName?: string } & Omit<DynamoStoreOptions, 'client' | 'tableName'> = {},
): Promise<Dynalite> {
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // dynalite closes its database when the server closes, and a request it is still serving then
  // throws "Database is closed" out of a timer, outside any test: count the requests in flight so
  // that `close` waits for them (code under test may still be writing in the background).
  let inFlight = 0;
  server.on('request', (_request, response: ServerResponse) => {
    inFlight++;
    response.once('close', () => inFlight--);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('dynalite is not listening on a TCP port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = () =>
    createDocumentClient(
      new DynamoDBClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        endpoint,
      }),
    );
  const admin = client();
  await admin.send(new CreateTableCommand(createTableInput(tableName)));
  admin.destroy();
  const { tableName: _ignored, ...storeOptions } = options;
  const store = new DynamoStore({ ...storeOptions, client: client(), tableName });
  return {
    endpoint,
    tableName,
    store,
    client,
    async close() {
      await store.close();
      for (let waited = 0; inFlight > 0 && waited < 5000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

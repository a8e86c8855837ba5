// Types for dynalite (CommonJS, ships none): the options Updraft uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    readonly path?: string;
    /** How long a table stays CREATING / DELETING / UPDATING. @default 500 */
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    /** @default 400 */
    readonly maxItemSizeKb?: number;
    readonly ssl?: boolean;
    readonly verbose?: boolean;
    readonly debug?: boolean;
  }
  /** An HTTP server speaking the DynamoDB API; `close` also closes the database. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}

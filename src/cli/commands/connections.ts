/**
 * @module cli/commands/connections
 * `updraft connections add|list|remove` (Airflow's `airflow connections add/list/delete`):
 * manages `updraft.connections.json` in the current folder and shows `UPDRAFT_CONN_*`
 * variables too. Passwords never reach the terminal: what is printed goes through the masker.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { envName } from '../../runtime/connections.ts';
import { CONNECTIONS_FILE, addConnection, listConnections, readConnectionsFile, removeConnection, type ConnectionSource } from '../../runtime/connections-file.ts';
import { MASK, SecretMasker } from '../../runtime/mask.ts';
import { ConfigError } from '../../sdk/errors.ts';
import { EXIT_OK } from '../errors.ts';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';

/** A row of `updraft connections list --json`; absent fields are null, the password `***`. */
export interface ConnectionListing {
  readonly id: string;
  readonly source: ConnectionSource;
  readonly type: string | null;
  readonly host: string | null;
  readonly port: number | null;
  readonly login: string | null;
  readonly password: typeof MASK | null;
  readonly schema: string | null;
  readonly extra: Readonly<Record<string, unknown>>;
}

const isSet = (env: NodeJS.ProcessEnv, id: string) => (env[envName(id)] ?? '').trim() !== '';

export function register(program: Command, io: Io, run: (code: number) => void): void {
  const connections = program
    .command('connections')
    .description('manage local connections: updraft.connections.json (git-ignored) and UPDRAFT_CONN_<ID> variables')
    .addHelpText('after', `\nLocally a task's connection comes from UPDRAFT_CONN_<ID> if set, else from ${CONNECTIONS_FILE}.`);

  connections
    .command('add')
    .description(`add a connection to ${CONNECTIONS_FILE} (created with mode 0600)`)
    .argument('<id>', 'connection id: lowercase letters, digits and "_", starting with a letter')
    .argument('<uri-or-json>', 'scheme://login:password@host:port/schema?extra=value, or a JSON object { "type", "host", "port", "login", "password", "schema", ... }')
    .option('--overwrite', 'replace a connection with the same id')
    .addHelpText('after', `\nExamples:\n  updraft connections add warehouse 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require'\n  updraft connections add api '{"type":"http","host":"api.example.com","password":"…"}'`)
    .action((id: string, value: string, opts: { overwrite?: boolean }) => {
      const { replaced } = addConnection(io.cwd, id, value, { overwrite: opts.overwrite === true });
      io.out(replaced ? `✔ Replaced connection "${id}" in ${CONNECTIONS_FILE}` : `✔ Added connection "${id}" to ${CONNECTIONS_FILE}`);
      if (isSet(process.env, id)) io.err(`⚠ ${envName(id)} is set and overrides it; unset the variable to use the file`);
      run(EXIT_OK);
    });

  connections
    .command('list')
    .description(`list the connections from ${CONNECTIONS_FILE} and UPDRAFT_CONN_* variables (passwords shown as ${MASK})`)
    .option('--json', `print [{ id, source: "file" | "env", type, host, port, login, password: "${MASK}" | null, schema, extra }]`)
    .action((opts: { json?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const { connections: found, warnings } = listConnections({ env: process.env, projectDir: io.cwd });
      const masker = new SecretMasker();
      for (const { connection } of found) masker.addConnection(connection);
      const rows = found.map(({ connection: c, source }): ConnectionListing => ({
        id: c.id,
        source,
        type: c.type ?? null,
        host: c.host ?? null,
        port: c.port ?? null,
        login: c.login ?? null,
        password: c.password === undefined ? null : MASK,
        schema: c.schema ?? null,
        extra: c.extra,
      }));
      // Every printed value goes through the masker: a password may also hide in a host or an extra.
      const masked = masker.maskValue(rows) as ConnectionListing[];
      if (opts.json) {
        io.out(JSON.stringify(masked, null, 2));
      } else if (masked.length === 0) {
        io.out(`No connections. Add one with \`updraft connections add <id> <uri>\`, or set UPDRAFT_CONN_<ID>.`);
      } else {
        const table = new Table({
          head: ['id', 'type', 'host', 'port', 'login', 'password', 'schema', 'source'],
          style: { head: io.color && options.color !== false ? ['cyan'] : [], border: [] },
        });
        for (const r of masked) table.push([r.id, r.type ?? '', r.host ?? '', r.port === null ? '' : String(r.port), r.login ?? '', r.password ?? '', r.schema ?? '', r.source]);
        io.out(masker.mask(table.toString()));
      }
      for (const { connection, shadowsFile } of found) {
        if (shadowsFile) io.err(`⚠ ${envName(connection.id)} overrides connection "${connection.id}" in ${CONNECTIONS_FILE}`);
      }
      for (const warning of warnings) io.err(`⚠ ${warning}`);
      run(EXIT_OK);
    });

  connections
    .command('remove')
    .alias('delete')
    .description(`remove a connection from ${CONNECTIONS_FILE}`)
    .argument('<id>', 'connection id')
    .action((id: string) => {
      if (isSet(process.env, id) && !Object.hasOwn(readConnectionsFile(io.cwd), id)) {
        throw new ConfigError(`connection "${id}" comes from the environment variable ${envName(id)}, not from ${CONNECTIONS_FILE}: unset the variable to remove it`);
      }
      removeConnection(io.cwd, id);
      io.out(`✔ Removed connection "${id}" from ${CONNECTIONS_FILE}`);
      if (isSet(process.env, id)) io.err(`⚠ ${envName(id)} is still set, so tasks still see connection "${id}"`);
      run(EXIT_OK);
    });
}

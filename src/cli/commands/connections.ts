/**
 * @module cli/commands/connections
 * `updraft connections add|list|remove` (Airflow's `airflow connections add/list/delete`):
 * manages `updraft.connections.json` in the current folder and shows `UPDRAFT_CONN_*`
 * variables too. Passwords never reach the terminal: what is printed goes through the masker.
 * With `--target aws|localstack` they manage the deployment's Secrets Manager secrets under
 * `updraft/<env>/connections/` instead; `list` then shows names only, never a value.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { envName } from '../../runtime/connections.ts';
import {
  CONNECTIONS_FILE,
  addConnection,
  listConnections,
  readConnectionsFile,
  removeConnection,
  type ConnectionSource,
} from '../../runtime/connections-file.ts';
import { MASK, SecretMasker } from '../../runtime/mask.ts';
import { ConfigError } from '../../errors.ts';
import { EXIT_OK } from '../errors.ts';
import { envOf, type Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import {
  addTargetOptions,
  onCloud,
  targetOf,
  type CloudTarget,
  type TargetOptions,
} from '../target.ts';

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

const isSet = (env: Readonly<Record<string, string | undefined>>, id: string) =>
  (env[envName(id)] ?? '').trim() !== '';

/** The target of a connections command, or undefined for the local file. */
function cloudTarget(opts: TargetOptions): CloudTarget | undefined {
  const target = targetOf(opts);
  return target.kind === 'local' ? undefined : target;
}

async function addToCloud(
  io: Io,
  target: CloudTarget,
  id: string,
  value: string,
  overwrite: boolean,
): Promise<void> {
  const { putConnection } = await import('../../cloud/secrets.ts');
  await onCloud(target, async (cloud) => {
    const { secret, replaced } = await putConnection(cloud, id, value, { overwrite });
    io.out(
      `✔ ${replaced ? 'Replaced' : 'Added'} connection "${id}" in ${cloud.where}: secret ${secret}`,
    );
    io.out(
      `  ↳ tasks that declare connections: ['${id}'] read it at run time; its value is never printed`,
    );
  });
}

async function listOnCloud(
  io: Io,
  target: CloudTarget,
  json: boolean,
  color: boolean,
): Promise<void> {
  const { listStoredConnections } = await import('../../cloud/secrets.ts');
  await onCloud(target, async (cloud) => {
    const found = await listStoredConnections(cloud);
    if (json) {
      io.out(JSON.stringify(found, null, 2));
    } else if (found.length === 0) {
      io.out(
        `No connections in ${cloud.where}. Add one with \`updraft connections add <id> <uri> ${target.flags}\`.`,
      );
    } else {
      const table = new Table({
        head: ['id', 'secret', 'last changed'],
        style: { head: color ? ['cyan'] : [], border: [] },
      });
      for (const c of found) table.push([c.id, c.secret, c.lastChanged ?? '']);
      io.out(table.toString());
      io.out(
        `${found.length} connection${found.length === 1 ? '' : 's'} in ${cloud.where} (values are not shown)`,
      );
    }
  });
}

async function removeFromCloud(
  io: Io,
  target: CloudTarget,
  id: string,
  force: boolean,
): Promise<void> {
  const { RECOVERY_WINDOW_DAYS, removeStoredConnection } = await import('../../cloud/secrets.ts');
  await onCloud(target, async (cloud) => {
    const { secret, deletionDate } = await removeStoredConnection(cloud, id, { force });
    if (force) {
      io.out(`✔ Removed connection "${id}" from ${cloud.where}: secret ${secret} deleted for good`);
      return;
    }
    io.out(
      `✔ Removed connection "${id}" from ${cloud.where}: secret ${secret} is scheduled for deletion${deletionDate ? ` on ${deletionDate}` : ''}`,
    );
    io.out(
      `  ↳ recoverable for ${RECOVERY_WINDOW_DAYS} days: aws secretsmanager restore-secret --secret-id ${secret}; --force deletes at once`,
    );
  });
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: commander declarations of the connections subcommands, one after another
export function register(program: Command, io: Io, run: (code: number) => void): void {
  const connections = program
    .command('connections')
    .description(
      'manage connections: locally updraft.connections.json (git-ignored) and UPDRAFT_CONN_<ID> variables; with --target aws, Secrets Manager',
    )
    .addHelpText(
      'after',
      `\nLocally a task's connection comes from UPDRAFT_CONN_<ID> if set, else from ${CONNECTIONS_FILE}.\nWith --target aws|localstack [--env E] each connection is a Secrets Manager secret named updraft/<env>/connections/<id>.`,
    );

  const addCommand = connections
    .command('add')
    .description(
      `add a connection to ${CONNECTIONS_FILE} (created with mode 0600), or to Secrets Manager with --target aws`,
    )
    .argument('<id>', 'connection id: lowercase letters, digits and "_", starting with a letter')
    .argument(
      '<uri-or-json>',
      'scheme://login:password@host:port/schema?extra=value, or a JSON object { "type", "host", "port", "login", "password", "schema", ... }',
    )
    .option('--overwrite', 'replace a connection with the same id');
  addTargetOptions(addCommand)
    .addHelpText(
      'after',
      `\nExamples:\n  updraft connections add warehouse 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require'\n  updraft connections add api '{"type":"http","host":"api.example.com","password":"…"}'`,
    )
    .action(async (id: string, value: string, opts: { overwrite?: boolean } & TargetOptions) => {
      const target = cloudTarget(opts);
      if (target) {
        await addToCloud(io, target, id, value, opts.overwrite === true);
        run(EXIT_OK);
        return;
      }
      const { replaced } = addConnection(io.cwd, id, value, { overwrite: opts.overwrite === true });
      io.out(
        replaced
          ? `✔ Replaced connection "${id}" in ${CONNECTIONS_FILE}`
          : `✔ Added connection "${id}" to ${CONNECTIONS_FILE}`,
      );
      if (isSet(envOf(io), id))
        io.err(`⚠ ${envName(id)} is set and overrides it; unset the variable to use the file`);
      run(EXIT_OK);
    });

  const listCommand = connections
    .command('list')
    .description(
      `list the connections from ${CONNECTIONS_FILE} and UPDRAFT_CONN_* variables (passwords shown as ${MASK}), or a deployment's (names only)`,
    )
    .option(
      '--json',
      `print [{ id, source: "file" | "env", type, host, port, login, password: "${MASK}" | null, schema, extra }] (cloud targets: [{ id, secret, lastChanged }])`,
    );
  addTargetOptions(listCommand).action(
    async (opts: { json?: boolean } & TargetOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const target = cloudTarget(opts);
      if (target) {
        await listOnCloud(
          io,
          target,
          Boolean(opts.json || options.json),
          io.color && options.color !== false,
        );
        run(EXIT_OK);
        return;
      }
      const { connections: found, warnings } = listConnections({
        env: envOf(io),
        projectDir: io.cwd,
      });
      const masker = new SecretMasker();
      for (const { connection } of found) masker.addConnection(connection);
      const rows = found.map(
        ({ connection: c, source }): ConnectionListing => ({
          id: c.id,
          source,
          type: c.type ?? null,
          host: c.host ?? null,
          port: c.port ?? null,
          login: c.login ?? null,
          password: c.password === undefined ? null : MASK,
          schema: c.schema ?? null,
          extra: c.extra,
        }),
      );
      // Every printed value goes through the masker: a password may also hide in a host or an extra.
      const masked = masker.maskValue(rows) as ConnectionListing[];
      if (opts.json) {
        io.out(JSON.stringify(masked, null, 2));
      } else if (masked.length === 0) {
        io.out(
          `No connections. Add one with \`updraft connections add <id> <uri>\`, or set UPDRAFT_CONN_<ID>.`,
        );
      } else {
        const table = new Table({
          head: ['id', 'type', 'host', 'port', 'login', 'password', 'schema', 'source'],
          style: { head: io.color && options.color !== false ? ['cyan'] : [], border: [] },
        });
        for (const r of masked)
          table.push([
            r.id,
            r.type ?? '',
            r.host ?? '',
            r.port === null ? '' : String(r.port),
            r.login ?? '',
            r.password ?? '',
            r.schema ?? '',
            r.source,
          ]);
        io.out(masker.mask(table.toString()));
      }
      for (const { connection, shadowsFile } of found) {
        if (shadowsFile)
          io.err(
            `⚠ ${envName(connection.id)} overrides connection "${connection.id}" in ${CONNECTIONS_FILE}`,
          );
      }
      for (const warning of warnings) io.err(`⚠ ${warning}`);
      run(EXIT_OK);
    },
  );

  const removeCommand = connections
    .command('remove')
    .alias('delete')
    .description(
      `remove a connection from ${CONNECTIONS_FILE}, or from Secrets Manager with --target aws`,
    )
    .argument('<id>', 'connection id')
    .option(
      '--force',
      'cloud targets: delete the secret at once instead of after the 30-day recovery window',
    );
  addTargetOptions(removeCommand).action(
    async (id: string, opts: { force?: boolean } & TargetOptions) => {
      const target = cloudTarget(opts);
      if (target) {
        await removeFromCloud(io, target, id, opts.force === true);
        run(EXIT_OK);
        return;
      }
      if (isSet(envOf(io), id) && !Object.hasOwn(readConnectionsFile(io.cwd), id)) {
        throw new ConfigError(
          `connection "${id}" comes from the environment variable ${envName(id)}, not from ${CONNECTIONS_FILE}: unset the variable to remove it`,
        );
      }
      removeConnection(io.cwd, id);
      io.out(`✔ Removed connection "${id}" from ${CONNECTIONS_FILE}`);
      if (isSet(envOf(io), id))
        io.err(`⚠ ${envName(id)} is still set, so tasks still see connection "${id}"`);
      run(EXIT_OK);
    },
  );
}

/**
 * @module runtime/connections-file
 * Local connections (Airflow's `airflow connections add/list/delete`): the git-ignored
 * `updraft.connections.json` at the project root, `{ "<id>": "<uri>" | { type, host, ... } }`,
 * and the resolver that looks up a connection locally: `UPDRAFT_CONN_<ID>` first, then the file.
 * Writes are atomic (temp file + rename) and the file is private to its owner (mode 0600),
 * because it holds passwords.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { didYouMean } from '../ir/problems.ts';
import { MAX_CONNECTION_ID } from '../sdk/build-checks.ts';
import type { Connection } from '../sdk/context.ts';
import { ConfigError } from '../errors.ts';
import { connectionFromObject, envName, jsonErrorMessage, parseConnection } from './connections.ts';

export const CONNECTIONS_FILE = 'updraft.connections.json';

/** Owner read/write only: the file holds passwords. */
export const CONNECTIONS_FILE_MODE = 0o600;

/** One connection as stored: a URI, or the JSON object form. */
export type ConnectionEntry = string | Readonly<Record<string, unknown>>;
export type ConnectionsFile = Readonly<Record<string, ConnectionEntry>>;

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a local connection comes from; the environment wins over the file. */
export type ConnectionSource = 'env' | 'file';

export interface LocalConnection {
  readonly connection: Connection;
  readonly source: ConnectionSource;
  /** The file also defines this id, but `UPDRAFT_CONN_<ID>` overrides it. */
  readonly shadowsFile: boolean;
}

// The same rule as the SDK's connection ids (sdk/build-checks.ts), which become
// UPDRAFT_CONN_<ID> variables and Secrets Manager names.
const CONNECTION_ID = /^[a-z][a-z0-9_]*$/;
const ENV_PREFIX = 'UPDRAFT_CONN_';

export function connectionsFilePath(projectDir: string): string {
  return path.join(projectDir, CONNECTIONS_FILE);
}

/** The file as messages show it: relative to the working directory when inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** A ConfigError unless `id` is a valid connection id; the message proposes a fixed name. */
export function assertConnectionId(id: string): void {
  if (CONNECTION_ID.test(id) && id.length <= MAX_CONNECTION_ID) return;
  const fixed = id
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, MAX_CONNECTION_ID);
  throw new ConfigError(
    `connection id ${JSON.stringify(id)} is not valid: connection ids are lowercase letters, digits and "_", start with a letter and have at most ${MAX_CONNECTION_ID} characters (they become UPDRAFT_CONN_<ID> variables); ${fixed ? `use "${fixed}"` : 'use a name such as "warehouse"'}`,
  );
}

const kindOf = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/** The connections in the project's file; `{}` when there is no file. */
export function readConnectionsFile(projectDir: string): ConnectionsFile {
  const file = connectionsFilePath(projectDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${shown(file)}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${shown(file)} is not valid JSON: ${jsonErrorMessage(error)}; fix it, or delete it and add the connections again with \`updraft connections add <id> <uri>\``,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(
      `${shown(file)} must hold a JSON object of connections ({ "<id>": "<uri>" or { "type": ..., "host": ... } }), not ${kindOf(json)}`,
    );
  }
  for (const [id, value] of Object.entries(json)) {
    try {
      assertConnectionId(id);
    } catch (error) {
      throw new ConfigError(`${shown(file)}: ${(error as Error).message}`);
    }
    if (
      typeof value !== 'string' &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw new ConfigError(
        `connection "${id}" in ${shown(file)} must be a URI string or a JSON object, not ${kindOf(value)}`,
      );
    }
  }
  return json as ConnectionsFile;
}

/** A stored entry as a Connection; errors name the file. */
export function connectionFromEntry(
  id: string,
  entry: ConnectionEntry,
  where?: string,
): Connection {
  return typeof entry === 'string'
    ? parseConnection(id, entry, where)
    : connectionFromObject(id, entry, where);
}

/** Temp file in the same folder (so rename is atomic), fsynced, then renamed over the target. */
function writeConnectionsFile(projectDir: string, connections: ConnectionsFile): void {
  const file = connectionsFilePath(projectDir);
  const sorted = Object.fromEntries(
    Object.entries(connections).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const tmp = path.join(
    projectDir,
    `.${CONNECTIONS_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const fd = fs.openSync(tmp, 'wx', CONNECTIONS_FILE_MODE);
    try {
      fs.writeFileSync(fd, `${JSON.stringify(sorted, null, 2)}\n`);
      fs.fchmodSync(fd, CONNECTIONS_FILE_MODE); // the umask may have taken bits away
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw new ConfigError(`cannot write ${shown(file)}: ${(error as Error).message}`);
  }
}

export interface AddConnectionOptions {
  /**
   * Replace a connection of the same id.
   * @default false - an existing id is an error
   */
  readonly overwrite?: boolean;
}

export interface AddConnectionResult {
  readonly connection: Connection;
  /** An existing connection of this id was replaced. */
  readonly replaced: boolean;
}

/**
 * Adds a connection to the file: `value` is a URI, a JSON object's text, or the object itself.
 * It is validated before the file is touched; a URI is stored as given, JSON as an object.
 */
export function addConnection(
  projectDir: string,
  id: string,
  value: string | Readonly<Record<string, unknown>>,
  options: AddConnectionOptions = {},
): AddConnectionResult {
  assertConnectionId(id);
  let entry: ConnectionEntry;
  let connection: Connection;
  if (typeof value === 'string') {
    const text = value.trim();
    connection = parseConnection(id, text);
    entry = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : text;
  } else {
    connection = connectionFromObject(id, value);
    entry = value;
  }
  const connections = readConnectionsFile(projectDir);
  const replaced = Object.hasOwn(connections, id);
  if (replaced && !options.overwrite) {
    throw new ConfigError(
      `connection "${id}" already exists in ${shown(connectionsFilePath(projectDir))}: pass --overwrite to replace it, or remove it first with \`updraft connections remove ${id}\``,
    );
  }
  writeConnectionsFile(projectDir, { ...connections, [id]: entry });
  return { connection, replaced };
}

/** Removes a connection from the file; an unknown id is an error listing the known ones. */
export function removeConnection(projectDir: string, id: string): void {
  const connections = readConnectionsFile(projectDir);
  if (!Object.hasOwn(connections, id)) {
    const ids = Object.keys(connections).sort();
    const file = shown(connectionsFilePath(projectDir));
    throw new ConfigError(
      `connection "${id}" is not in ${file}${didYouMean(id, ids)}; ${ids.length ? `known connections: ${ids.join(', ')}` : 'it has no connections'}`,
    );
  }
  const { [id]: _removed, ...rest } = connections;
  writeConnectionsFile(projectDir, rest);
}

export interface ResolveOptions {
  readonly env: Env;
  readonly projectDir: string;
}

/** A connection set locally (`UPDRAFT_CONN_<ID>` first, then the project's file), or undefined when neither sets it. */
export function findConnection(id: string, options: ResolveOptions): Connection | undefined {
  const text = options.env[envName(id)];
  if (text !== undefined && text.trim() !== '') return parseConnection(id, text, envName(id));
  const file = connectionsFilePath(options.projectDir);
  const entry = readConnectionsFile(options.projectDir)[id];
  return entry === undefined ? undefined : connectionFromEntry(id, entry, shown(file));
}

/** A connection for task code run locally: `UPDRAFT_CONN_<ID>` first, then the project's file. */
export function resolveConnection(id: string, options: ResolveOptions): Connection {
  const found = findConnection(id, options);
  if (found) return found;
  throw new ConfigError(
    `connection "${id}" is not set: set ${envName(id)} to a URI (postgres://user:pass@host:5432/db) or a JSON object, or run \`updraft connections add ${id} <uri>\``,
  );
}

export interface ListConnectionsResult {
  /** Sorted by id; one per id, the environment's when both define it. */
  readonly connections: readonly LocalConnection[];
  /** `UPDRAFT_CONN_*` variables that cannot name a connection, with why. */
  readonly warnings: readonly string[];
}

/** Every connection visible locally: the file's, and `UPDRAFT_CONN_*` variables (which win). */
export function listConnections(options: ResolveOptions): ListConnectionsResult {
  const file = connectionsFilePath(options.projectDir);
  const stored = readConnectionsFile(options.projectDir);
  const warnings: string[] = [];
  const byId = new Map<string, LocalConnection>();
  for (const [id, entry] of Object.entries(stored)) {
    byId.set(id, {
      connection: connectionFromEntry(id, entry, shown(file)),
      source: 'file',
      shadowsFile: false,
    });
  }
  for (const [name, text] of Object.entries(options.env)) {
    if (!name.startsWith(ENV_PREFIX) || text === undefined || text.trim() === '') continue;
    const id = name.slice(ENV_PREFIX.length).toLowerCase();
    if (envName(id) !== name || !CONNECTION_ID.test(id) || id.length > MAX_CONNECTION_ID) {
      warnings.push(
        `${name} is ignored: after ${ENV_PREFIX} comes the connection id in upper case (letters, digits and "_", starting with a letter), e.g. UPDRAFT_CONN_WAREHOUSE for "warehouse"`,
      );
      continue;
    }
    byId.set(id, {
      connection: parseConnection(id, text, name),
      source: 'env',
      shadowsFile: Object.hasOwn(stored, id),
    });
  }
  const connections = [...byId.values()].sort((a, b) =>
    a.connection.id < b.connection.id ? -1 : 1,
  );
  return { connections, warnings };
}

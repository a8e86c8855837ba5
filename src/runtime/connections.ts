/**
 * @module runtime/connections
 * Connections as task code sees them (Airflow's Connection): parsed from a URI
 * (`postgres://user:pass@host:5432/db?sslmode=require`) or a JSON object. Locally they come from
 * `UPDRAFT_CONN_<ID>` environment variables or the git-ignored `updraft.connections.json`
 * (`connections-file.ts`); on AWS from Secrets Manager (deployment issue).
 */
import type { Connection } from '../sdk/context.ts';
import { ConfigError } from '../errors.ts';

export const envName = (id: string) => `UPDRAFT_CONN_${id.toUpperCase()}`;

/** ` in <where>` for messages, so the user knows which variable or file to fix. */
const inWhere = (where: string | undefined) => (where ? ` in ${where}` : '');

/** The two forms a connection is written in, for messages about a malformed one. */
export const CONNECTION_FORMS =
  'write it as a URI, scheme://login:password@host:port/schema (e.g. postgres://etl:PASSWORD@db.internal:5432/orders), or as a JSON object (e.g. {"type": "postgres", "host": "db.internal", "port": 5432, "login": "etl", "password": "PASSWORD"})';

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65_535;
const STRING_FIELDS = ['type', 'host', 'login', 'password', 'schema'] as const;

/**
 * JSON.parse's message without the excerpt of the text it quotes for some errors
 * (`Unexpected token 'h', ..."assword": hunter22}" is not valid JSON`): that text holds passwords.
 */
export function jsonErrorMessage(error: unknown): string {
  return (error as Error).message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '');
}

/**
 * A connection from its JSON form (`{ type, host, port, login, password, schema, extra, ... }`);
 * unknown fields join `extra`. `where` names the source in error messages.
 */
export function connectionFromObject(
  id: string,
  json: Readonly<Record<string, unknown>>,
  where?: string,
): Connection {
  const { type, host, port, login, password, schema, extra, ...rest } = json;
  if (Object.keys(json).length === 0)
    throw new ConfigError(
      `connection "${id}"${inWhere(where)} is an empty JSON object; ${CONNECTION_FORMS}`,
    );
  if (port !== undefined && !isPort(Number(port))) {
    throw new ConfigError(
      `connection "${id}"${inWhere(where)} has port ${JSON.stringify(port)}: a port is a whole number from 1 to 65535`,
    );
  }
  for (const field of STRING_FIELDS) {
    const value = json[field];
    // The kind only, never the value: it may be the password.
    if (value !== undefined && typeof value !== 'string') {
      throw new ConfigError(
        `connection "${id}"${inWhere(where)} has ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`} as "${field}", which must be a string`,
      );
    }
  }
  if (
    extra !== undefined &&
    (typeof extra !== 'object' || extra === null || Array.isArray(extra))
  ) {
    throw new ConfigError(
      `connection "${id}"${inWhere(where)} has "extra" that is not a JSON object; put extra settings in an object, e.g. "extra": {"sslmode": "require"}`,
    );
  }
  return {
    id,
    ...(typeof type === 'string' && { type }),
    ...(typeof host === 'string' && { host }),
    ...(port !== undefined && { port: Number(port) }),
    ...(typeof login === 'string' && { login }),
    ...(typeof password === 'string' && { password }),
    ...(typeof schema === 'string' && { schema }),
    extra: {
      ...(typeof extra === 'object' && extra !== null ? (extra as Record<string, unknown>) : {}),
      ...rest,
    },
  };
}

/**
 * A connection from its text: a JSON object when it starts with `{`, else a URI. Messages never
 * repeat the text, which holds the password.
 */
export function parseConnection(id: string, text: string, where?: string): Connection {
  const value = text.trim();
  if (value.startsWith('[')) {
    let isArray = false;
    try {
      isArray = Array.isArray(JSON.parse(value));
    } catch {
      // Not JSON: reported below as neither form.
    }
    if (isArray)
      throw new ConfigError(
        `connection "${id}"${inWhere(where)} is a JSON array, but a connection is one object; ${CONNECTION_FORMS}`,
      );
  }
  if (value.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch (error) {
      throw new ConfigError(
        `connection "${id}"${inWhere(where)} is not valid JSON: ${jsonErrorMessage(error)}`,
      );
    }
    return connectionFromObject(id, json as Record<string, unknown>, where);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    if (badUriPort(value)) throw new ConfigError(portMessage(id, where));
    throw new ConfigError(
      `connection "${id}"${inWhere(where)} is neither a URI (scheme://login:password@host:port/schema) nor a JSON object`,
    );
  }
  if (url.port && !isPort(Number(url.port))) throw new ConfigError(portMessage(id, where));
  return {
    id,
    type: url.protocol.replace(/:$/, ''),
    ...(url.hostname && { host: decodeURIComponent(url.hostname) }),
    ...(url.port && { port: Number(url.port) }),
    ...(url.username && { login: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(url.pathname.length > 1 && { schema: decodeURIComponent(url.pathname.slice(1)) }),
    uri: value,
    extra: Object.fromEntries(url.searchParams),
  };
}

/**
 * Whether a URI that URL could not parse has a port that is not 1-65535 (`host:99999`, `host:abc`).
 * Messages never repeat it: without an "@", "login:password" reads as host and port.
 */
function badUriPort(text: string): boolean {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1];
  if (authority === undefined) return false;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostPort)?.[1];
  return port !== undefined && port !== '' && !(/^\d+$/.test(port) && isPort(Number(port)));
}

function portMessage(id: string, where: string | undefined): string {
  return `connection "${id}"${inWhere(where)} has a port in its URI that is not a whole number from 1 to 65535 (in a password, characters such as / ? # @ : must be URL-encoded, e.g. # as %23); ${CONNECTION_FORMS}`;
}

/**
 * A declared connection from the environment only; a clear error when it is not set.
 * `resolveConnection` (connections-file.ts) also looks in `updraft.connections.json`.
 */
export function connectionFromEnv(
  id: string,
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  const text = env[envName(id)];
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(
      `connection "${id}" is not set: set ${envName(id)} to a URI (postgres://user:pass@host:5432/db) or a JSON object`,
    );
  }
  return parseConnection(id, text);
}

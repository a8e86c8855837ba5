/**
 * @module runtime/connections
 * Connections as task code sees them (Airflow's Connection): parsed from a URI
 * (`postgres://user:pass@host:5432/db?sslmode=require`) or a JSON object. Locally they come from
 * `UPDRAFT_CONN_<ID>` environment variables; on AWS from Secrets Manager (deployment issue).
 */
import type { Connection } from '../sdk/context.ts';
import { ConfigError } from '../sdk/errors.ts';

export const envName = (id: string) => `UPDRAFT_CONN_${id.toUpperCase()}`;

export function parseConnection(id: string, text: string): Connection {
  const value = text.trim();
  if (value.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(value) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`connection "${id}" is not valid JSON: ${(error as Error).message}`);
    }
    const { type, host, port, login, password, schema, extra, ...rest } = json;
    return {
      id,
      ...(typeof type === 'string' && { type }),
      ...(typeof host === 'string' && { host }),
      ...(port !== undefined && { port: Number(port) }),
      ...(typeof login === 'string' && { login }),
      ...(typeof password === 'string' && { password }),
      ...(typeof schema === 'string' && { schema }),
      extra: { ...(typeof extra === 'object' && extra !== null ? (extra as Record<string, unknown>) : {}), ...rest },
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`connection "${id}" is neither a URI (scheme://login:password@host:port/schema) nor a JSON object`);
  }
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

/** A declared connection from the environment; a clear error when it is not set. */
export function connectionFromEnv(id: string, env: Readonly<Record<string, string | undefined>>): Connection {
  const text = env[envName(id)];
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(`connection "${id}" is not set: set ${envName(id)} to a URI (postgres://user:pass@host:5432/db) or a JSON object`);
  }
  return parseConnection(id, text);
}

/**
 * @module runtime/secrets
 * Connections on AWS: one Secrets Manager secret per connection (`<prefix><id>`, the prefix
 * being `updraft/<env>/connections/`), its SecretString a URI or a JSON object as locally. Fetched
 * values are kept per container for a while, so a warm Lambda reads each secret once per
 * `cacheSeconds` however many tasks use it. Written after middy's `@middy/secrets-manager`
 * recipe (defaults, options validated, injectable client); messages name the secret, never its
 * value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Connection } from '../sdk/context.ts';
import { ConfigError } from '../errors.ts';
import { parseConnection } from './connections.ts';

export interface SecretsConnectionsOptions {
  readonly client: SecretsManagerClient;
  /** Secret name prefix (`UPDRAFT_SECRET_PREFIX`, e.g. `updraft/prod/connections/`). */
  readonly prefix: string;
  /** Deployment environment, for the fix in messages (`--env prod`). */
  readonly environment: string;
  /** How long a fetched connection is reused. @default 300 */
  readonly cacheSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Reads connections by id; `clear()` forgets every cached value. */
export interface SecretsConnections {
  (id: string): Promise<Connection>;
  clear(): void;
}

/** Five minutes: a rotated password is picked up within that, and a warm container costs one read per secret per 5 min. */
export const DEFAULT_SECRET_CACHE_SECONDS = 300;

const defaults = { cacheSeconds: DEFAULT_SECRET_CACHE_SECONDS, now: Date.now };
const KNOWN = new Set(['client', 'prefix', 'environment', 'cacheSeconds', 'now']);

function validate(options: SecretsConnectionsOptions): void {
  const unknown = Object.keys(options).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    throw new ConfigError(
      `secrets: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: ${[...KNOWN].join(', ')})`,
    );
  if (typeof options.client?.send !== 'function')
    throw new ConfigError('secrets: client must be a SecretsManagerClient');
  if (typeof options.prefix !== 'string' || options.prefix === '')
    throw new ConfigError(
      'secrets: prefix must be the secret name prefix of connections, e.g. updraft/prod/connections/',
    );
  const seconds = options.cacheSeconds;
  if (
    seconds !== undefined &&
    (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
  ) {
    throw new ConfigError(
      `secrets: cacheSeconds is ${JSON.stringify(seconds)}; it must be a number of seconds, 0 or more (0 reads the secret on every call)`,
    );
  }
}

/** `UPDRAFT_SECRET_CACHE_SECONDS` → seconds; unset means the default. */
export function parseCacheSeconds(
  value: string | undefined,
  variable = 'UPDRAFT_SECRET_CACHE_SECONDS',
): number {
  if (value === undefined || value.trim() === '') return DEFAULT_SECRET_CACHE_SECONDS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new ConfigError(
      `${variable} is ${JSON.stringify(value)}: use a number of seconds, 0 or more (default ${DEFAULT_SECRET_CACHE_SECONDS})`,
    );
  return seconds;
}

export function secretsConnections(options: SecretsConnectionsOptions): SecretsConnections {
  validate(options);
  const { client, prefix, environment, cacheSeconds, now } = { ...defaults, ...options };
  // The promise is cached, so concurrent callers share one request; a failure is not cached.
  const cache = new Map<
    string,
    { readonly expires: number; readonly value: Promise<Connection> }
  >();

  const fetch = async (id: string): Promise<Connection> => {
    const name = `${prefix}${id}`;
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
    } catch (error) {
      throw secretError(error, id, name, environment);
    }
    if (text === undefined || text.trim() === '') {
      throw new ConfigError(
        `connection "${id}": secret "${name}" has no text value (SecretString); store a URI or a JSON object in it: npx updraft connections add ${id} --target aws --env ${environment} --overwrite '<uri-or-json>'`,
      );
    }
    return parseConnection(id, text, `secret "${name}"`);
  };

  const get = (async (id: string) => {
    const at = now();
    const hit = cache.get(id);
    if (hit && hit.expires > at) return hit.value;
    const value = fetch(id);
    cache.set(id, { expires: at + cacheSeconds * 1000, value });
    value.catch(() => {
      if (cache.get(id)?.value === value) cache.delete(id);
    });
    return value;
  }) as SecretsConnections;
  get.clear = () => cache.clear();
  return get;
}

/** A Secrets Manager failure in the user's terms; errors that may pass on retry stay as they are. */
function secretError(error: unknown, id: string, name: string, environment: string): unknown {
  const code = (error as { name?: string }).name;
  switch (code) {
    case 'ResourceNotFoundException':
      return new ConfigError(
        `connection "${id}" is not set up on AWS: secret "${name}" does not exist; create it with: npx updraft connections add ${id} --target aws --env ${environment} '<uri-or-json>'`,
        { cause: error },
      );
    case 'AccessDeniedException':
      // Only declared connections get here (the task runner refuses the others first), and the
      // task role may read exactly their secrets (`<name>-??????`). Secrets Manager checks that
      // policy before it looks the secret up, so a secret that does not exist is refused, not
      // "not found": the likeliest cause is a connection never added to this environment.
      return new ConfigError(
        `connection "${id}" is declared by the task, but its role was refused secret "${name}" (AccessDeniedException): either the secret does not exist in this environment (Secrets Manager refuses a missing secret rather than saying it is not found) — add it with: npx updraft connections add ${id} --target aws --env ${environment} '<uri-or-json>' — or the deployed stack is older than the declaration: redeploy with npm run deploy`,
        { cause: error },
      );
    case 'DecryptionFailure':
      return new ConfigError(
        `secret "${name}" of connection "${id}" cannot be decrypted with its KMS key by the task's role; store it with the default key (aws/secretsmanager) or grant the role kms:Decrypt`,
        { cause: error },
      );
    case 'InvalidRequestException':
      return new ConfigError(
        `secret "${name}" of connection "${id}" cannot be read (is it scheduled for deletion?): restore it or add it again with npx updraft connections add ${id} --target aws --env ${environment}`,
        { cause: error },
      );
    default:
      return error;
  }
}

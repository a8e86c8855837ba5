/**
 * Connections from Secrets Manager (mocked): parsing, the per-container cache and its expiry,
 * errors in the user's terms without the secret's value, options validated.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/runtime/errors.ts';
import { parseCacheSeconds, secretsConnections } from '../../src/runtime/secrets.ts';

const client = new SecretsManagerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const sm = mockClient(client);
const PREFIX = 'updraft/prod/connections/';

beforeEach(() => sm.reset());

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('secretsConnections', () => {
  it('reads <prefix><id> and parses a URI or a JSON object', async () => {
    sm.on(GetSecretValueCommand, { SecretId: `${PREFIX}warehouse` }).resolves({
      SecretString: 'postgres://etl:pw%40x@db:5432/wh',
    });
    sm.on(GetSecretValueCommand, { SecretId: `${PREFIX}api` }).resolves({
      SecretString: '{"type":"http","host":"api.example","password":"tok"}',
    });
    const get = secretsConnections({ client, prefix: PREFIX, environment: 'prod' });
    expect(await get('warehouse')).toEqual({
      id: 'warehouse',
      type: 'postgres',
      host: 'db',
      port: 5432,
      login: 'etl',
      password: 'pw@x',
      schema: 'wh',
      uri: 'postgres://etl:pw%40x@db:5432/wh',
      extra: {},
    });
    expect(await get('api')).toEqual({
      id: 'api',
      type: 'http',
      host: 'api.example',
      password: 'tok',
      extra: {},
    });
  });

  it('fetches once per cache period: concurrent and repeated calls share it, and it is read again after it expires', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'postgres://u:p@h/db' });
    let now = 1_000_000;
    const get = secretsConnections({
      client,
      prefix: PREFIX,
      environment: 'prod',
      cacheSeconds: 60,
      now: () => now,
    });
    await Promise.all([get('warehouse'), get('warehouse')]);
    now += 59_999;
    await get('warehouse');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += 1;
    await get('warehouse');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('does not cache a failure', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ SecretString: 'postgres://u:p@h/db' });
    const get = secretsConnections({ client, prefix: PREFIX, environment: 'prod' });
    await expect(get('warehouse')).rejects.toThrow('Rate exceeded');
    expect((await get('warehouse')).host).toBe('h');
  });

  it('says which secret is missing and how to create it', async () => {
    const get = secretsConnections({ client, prefix: PREFIX, environment: 'prod' });
    sm.on(GetSecretValueCommand).rejects(
      awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
    );
    await expect(get('warehouse')).rejects.toThrow(
      `connection "warehouse" is not set up on AWS: secret "updraft/prod/connections/warehouse" does not exist; create it with: npx updraft connections add warehouse --target aws --env prod '<uri-or-json>'`,
    );
  });

  it('access denied to a declared connection: names the secret, says it may not exist and how to add it or redeploy (not "declare it")', async () => {
    // What AWS answers for a secret that does not exist when the role's policy names the secret's ARN.
    const get = secretsConnections({ client, prefix: PREFIX, environment: 'prod' });
    sm.on(GetSecretValueCommand).rejects(
      awsError(
        'AccessDeniedException',
        'User is not authorized to perform: secretsmanager:GetSecretValue',
      ),
    );
    const error = (await get('warehouse').catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `connection "warehouse" is declared by the task, but its role was refused secret "updraft/prod/connections/warehouse" (AccessDeniedException): either the secret does not exist in this environment (Secrets Manager refuses a missing secret rather than saying it is not found) — add it with: npx updraft connections add warehouse --target aws --env prod '<uri-or-json>' — or the deployed stack is older than the declaration: redeploy with npm run deploy`,
    );
    expect(classifyError(error).error).toBe('Updraft.PermanentError');
  });

  it('a malformed secret names the secret, never its text', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"password": hunter22}' });
    const get = secretsConnections({ client, prefix: PREFIX, environment: 'prod' });
    const error = (await get('warehouse').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^connection "warehouse" in secret "updraft\/prod\/connections\/warehouse" is not valid JSON: /,
    );
    expect(error.message).not.toContain('hunter22');
  });

  it('validates its options', () => {
    expect(() =>
      secretsConnections({ client, prefix: PREFIX, environment: 'prod', cacheSecs: 5 } as never),
    ).toThrow(
      'secrets: unknown option cacheSecs (allowed: client, prefix, environment, cacheSeconds, now)',
    );
    expect(() =>
      secretsConnections({ client, prefix: PREFIX, environment: 'prod', cacheSeconds: -1 }),
    ).toThrow(
      'secrets: cacheSeconds is -1; it must be a number of seconds, 0 or more (0 reads the secret on every call)',
    );
    expect(() => secretsConnections({ client, prefix: '', environment: 'prod' })).toThrow(
      'secrets: prefix must be the secret name prefix of connections, e.g. updraft/prod/connections/',
    );
    expect(parseCacheSeconds(undefined)).toBe(300);
    expect(parseCacheSeconds('30')).toBe(30);
    expect(() => parseCacheSeconds('5m')).toThrow(
      'UPDRAFT_SECRET_CACHE_SECONDS is "5m": use a number of seconds, 0 or more (default 300)',
    );
  });
});

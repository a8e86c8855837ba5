/**
 * The local connections file: add (validated, atomic, mode 0600, no silent overwrite), remove
 * (did-you-mean), malformed files, and the resolver's order (environment, then file).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONNECTIONS_FILE,
  addConnection,
  assertConnectionId,
  listConnections,
  readConnectionsFile,
  removeConnection,
  resolveConnection,
} from '../../src/runtime/connections-file.ts';
import { ConfigError } from '../../src/errors.ts';

const URI = 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'updraft-conn-'));
  file = path.join(dir, CONNECTIONS_FILE);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const stored = () => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('readConnectionsFile', () => {
  it('is empty when there is no file', () => {
    expect(readConnectionsFile(dir)).toEqual({});
  });

  it('names the file and the JSON error when the file is malformed', () => {
    fs.writeFileSync(file, '{ "warehouse": ');
    const error = thrown(() => readConnectionsFile(dir));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `${file} is not valid JSON: Unexpected end of JSON input; fix it, or delete it and add the connections again with \`updraft connections add <id> <uri>\``,
    );
  });

  it('refuses a file that is not an object of URIs and objects', () => {
    fs.writeFileSync(file, '["postgres://x"]');
    expect(() => readConnectionsFile(dir)).toThrow(
      `${file} must hold a JSON object of connections ({ "<id>": "<uri>" or { "type": ..., "host": ... } }), not an array`,
    );
    fs.writeFileSync(file, '{"warehouse": 5432}');
    expect(() => readConnectionsFile(dir)).toThrow(
      `connection "warehouse" in ${file} must be a URI string or a JSON object, not a number`,
    );
    fs.writeFileSync(file, '{"Warehouse": "postgres://x"}');
    expect(() => readConnectionsFile(dir)).toThrow(
      `${file}: connection id "Warehouse" is not valid`,
    );
  });
});

describe('addConnection', () => {
  it('stores a URI as given and JSON as an object, sorted by id, with mode 0600', () => {
    expect(addConnection(dir, 'warehouse', URI)).toEqual({
      replaced: false,
      connection: expect.objectContaining({
        id: 'warehouse',
        host: 'db.internal',
        password: 's@cret',
      }),
    });
    addConnection(dir, 'api', ' {"type":"http","host":"api.example","password":"k3y!"} ');
    expect(fs.readFileSync(file, 'utf8')).toBe(
      `{\n  "api": {\n    "type": "http",\n    "host": "api.example",\n    "password": "k3y!"\n  },\n  "warehouse": "${URI}"\n}\n`,
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([CONNECTIONS_FILE]); // no temp file left behind
  });

  it('makes an existing, too-open file private when it rewrites it', () => {
    fs.writeFileSync(file, '{}', { mode: 0o644 });
    addConnection(dir, 'warehouse', URI);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('accepts the object form directly', () => {
    addConnection(dir, 's3', { type: 'aws', extra: { region: 'eu-west-1' } });
    expect(stored()).toEqual({ s3: { type: 'aws', extra: { region: 'eu-west-1' } } });
  });

  it('refuses to overwrite an existing id unless told to', () => {
    addConnection(dir, 'warehouse', URI);
    expect(() => addConnection(dir, 'warehouse', 'mysql://other')).toThrow(
      `connection "warehouse" already exists in ${file}: pass --overwrite to replace it, or remove it first with \`updraft connections remove warehouse\``,
    );
    expect(stored()).toEqual({ warehouse: URI });
    expect(addConnection(dir, 'warehouse', 'mysql://other', { overwrite: true }).replaced).toBe(
      true,
    );
    expect(stored()).toEqual({ warehouse: 'mysql://other' });
  });

  it('validates the id and the value before touching the file', () => {
    expect(() => addConnection(dir, 'My-DB', URI)).toThrow(
      'connection id "My-DB" is not valid: connection ids are lowercase letters, digits and "_", start with a letter and have at most 64 characters (they become UPDRAFT_CONN_<ID> variables); use "my_db"',
    );
    expect(() => addConnection(dir, 'wh', 'not a uri')).toThrow(
      'connection "wh" is neither a URI (scheme://login:password@host:port/schema) nor a JSON object',
    );
    expect(() => addConnection(dir, 'wh', '{"host": "x",}')).toThrow(
      /^connection "wh" is not valid JSON: /,
    );
    expect(() => addConnection(dir, 'wh', '{"port": "http"}')).toThrow(
      'connection "wh" has port "http": a port is a whole number from 1 to 65535',
    );
    expect(fs.existsSync(file)).toBe(false);
  });

  it('does not quote the value back in a JSON error: it holds the password', () => {
    expect(() => addConnection(dir, 'wh', '{"password": hunter22}')).toThrow(
      new ConfigError('connection "wh" is not valid JSON: Unexpected token \'h\''),
    );
    fs.writeFileSync(file, '{"wh": {"password": hunter22}}');
    expect(() => readConnectionsFile(dir)).toThrow(
      `${file} is not valid JSON: Unexpected token 'h'; fix it`,
    );
  });

  it('leaves a malformed file alone', () => {
    fs.writeFileSync(file, '{oops');
    expect(() => addConnection(dir, 'warehouse', URI)).toThrow(/is not valid JSON/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{oops');
  });
});

describe('assertConnectionId', () => {
  it('accepts what envName can name and proposes a fix otherwise', () => {
    expect(() => assertConnectionId('warehouse_2')).not.toThrow();
    expect(() => assertConnectionId('2fast')).toThrow(/; use "fast"$/);
    expect(() => assertConnectionId('__')).toThrow(/; use a name such as "warehouse"$/);
    expect(() => assertConnectionId(`a${'b'.repeat(64)}`)).toThrow(/at most 64 characters/);
  });
});

describe('removeConnection', () => {
  it('removes one connection and keeps the others', () => {
    addConnection(dir, 'warehouse', URI);
    addConnection(dir, 'api', 'https://api.example');
    removeConnection(dir, 'warehouse');
    expect(stored()).toEqual({ api: 'https://api.example' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('lists the known ids, with a did-you-mean, for an unknown id', () => {
    addConnection(dir, 'warehouse', URI);
    addConnection(dir, 'api', 'https://api.example');
    expect(() => removeConnection(dir, 'wharehouse')).toThrow(
      `connection "wharehouse" is not in ${file} (did you mean "warehouse"?); known connections: api, warehouse`,
    );
    expect(() => removeConnection(dir, 'zzz')).toThrow(
      `connection "zzz" is not in ${file}; known connections: api, warehouse`,
    );
    fs.rmSync(file);
    expect(() => removeConnection(dir, 'zzz')).toThrow(
      `connection "zzz" is not in ${file}; it has no connections`,
    );
  });
});

describe('resolveConnection', () => {
  it('takes UPDRAFT_CONN_<ID> first, then the file', () => {
    addConnection(dir, 'warehouse', URI);
    expect(resolveConnection('warehouse', { env: {}, projectDir: dir })).toMatchObject({
      id: 'warehouse',
      host: 'db.internal',
      password: 's@cret',
      uri: URI,
    });
    expect(
      resolveConnection('warehouse', {
        env: { UPDRAFT_CONN_WAREHOUSE: 'mysql://u:p@env.local/db' },
        projectDir: dir,
      }),
    ).toMatchObject({ type: 'mysql', host: 'env.local' });
    expect(
      resolveConnection('warehouse', { env: { UPDRAFT_CONN_WAREHOUSE: ' ' }, projectDir: dir }),
    ).toMatchObject({ host: 'db.internal' });
  });

  it('reads the object form from the file', () => {
    addConnection(dir, 'api', '{"type":"http","host":"api.example","port":"8443","region":"eu"}');
    expect(resolveConnection('api', { env: {}, projectDir: dir })).toEqual({
      id: 'api',
      type: 'http',
      host: 'api.example',
      port: 8443,
      extra: { region: 'eu' },
    });
  });

  it('says both ways to set a missing connection', () => {
    expect(() => resolveConnection('warehouse', { env: {}, projectDir: dir })).toThrow(
      'connection "warehouse" is not set: set UPDRAFT_CONN_WAREHOUSE to a URI (postgres://user:pass@host:5432/db) or a JSON object, or run `updraft connections add warehouse <uri>`',
    );
  });

  it('names the variable or file holding a malformed connection', () => {
    expect(() =>
      resolveConnection('warehouse', { env: { UPDRAFT_CONN_WAREHOUSE: 'nope' }, projectDir: dir }),
    ).toThrow(
      'connection "warehouse" in UPDRAFT_CONN_WAREHOUSE is neither a URI (scheme://login:password@host:port/schema) nor a JSON object',
    );
    fs.writeFileSync(file, '{"warehouse": "nope"}');
    expect(() => resolveConnection('warehouse', { env: {}, projectDir: dir })).toThrow(
      `connection "warehouse" in ${file} is neither a URI`,
    );
  });
});

describe('listConnections', () => {
  it('merges the file and the environment, which wins, sorted by id', () => {
    addConnection(dir, 'warehouse', URI);
    addConnection(dir, 'api', 'https://api.example');
    const env = {
      UPDRAFT_CONN_WAREHOUSE: 'mysql://u:p@env.local/db',
      UPDRAFT_CONN_CACHE: 'redis://cache:6379',
      UPDRAFT_CONN_my_db: 'x://y',
      UPDRAFT_CONN_EMPTY: '',
      PATH: '/bin',
    };
    const { connections, warnings } = listConnections({ env, projectDir: dir });
    expect(
      connections.map((c) => [c.connection.id, c.source, c.shadowsFile, c.connection.host]),
    ).toEqual([
      ['api', 'file', false, 'api.example'],
      ['cache', 'env', false, 'cache'],
      ['warehouse', 'env', true, 'env.local'],
    ]);
    expect(warnings).toEqual([
      'UPDRAFT_CONN_my_db is ignored: after UPDRAFT_CONN_ comes the connection id in upper case (letters, digits and "_", starting with a letter), e.g. UPDRAFT_CONN_WAREHOUSE for "warehouse"',
    ]);
  });
});

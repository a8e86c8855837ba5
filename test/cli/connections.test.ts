/**
 * `updraft connections add|list|remove` end to end in a temporary project folder, asserting
 * stdout, stderr, exit codes and the file it writes: in process through `main(argv, io)`, and as
 * the real binary (bin/updraft.js) where a message names the connections file, which it does
 * relative to the process's working directory (runtime/connections-file's `shown`, not io.cwd).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updraftInProcess, updraftProcess, type CliResult } from '../support/cli.ts';

const FILE = 'updraft.connections.json';
const URI = 'postgres://etl:s%40cret!@db.internal:5432/analytics?sslmode=require';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'updraft-cli-conn-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A clean environment: no UPDRAFT_CONN_* from the machine running the tests. */
function cleanEnv(env: Record<string, string>): Record<string, string | undefined> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('UPDRAFT_CONN_')),
  );
  return { ...base, NO_COLOR: '1', ...env };
}

/** `updraft connections …` in process. */
function updraft(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return updraftInProcess(['connections', ...args], { cwd: dir, env: cleanEnv(env) });
}

/** `updraft connections …` as the real binary (the command family's smoke test). */
function spawned(args: string[], env: Record<string, string> = {}): CliResult {
  return updraftProcess(['connections', ...args], { cwd: dir, env: cleanEnv(env) });
}

describe('updraft connections', () => {
  it('adds, lists (JSON and table) and removes, never printing a password', async () => {
    expect(await updraft(['add', 'warehouse', URI])).toEqual({
      code: 0,
      out: `✔ Added connection "warehouse" to ${FILE}`,
      err: '',
    });
    expect(
      await updraft([
        'add',
        'api',
        '{"type":"http","host":"api.example","password":"hunter22","api_key":"abc-123","region":"eu"}',
      ]),
    ).toMatchObject({ code: 0, out: `✔ Added connection "api" to ${FILE}` });
    const file = path.join(dir, FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      api: {
        type: 'http',
        host: 'api.example',
        password: 'hunter22',
        api_key: 'abc-123',
        region: 'eu',
      },
      warehouse: URI,
    });

    const env = { UPDRAFT_CONN_CACHE: 'redis://:r3dis-pw@cache.local:6379' };
    const json = await updraft(['list', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([
      {
        id: 'api',
        source: 'file',
        type: 'http',
        host: 'api.example',
        port: null,
        login: null,
        password: '***',
        schema: null,
        extra: { api_key: '***', region: 'eu' },
      },
      {
        id: 'cache',
        source: 'env',
        type: 'redis',
        host: 'cache.local',
        port: 6379,
        login: null,
        password: '***',
        schema: null,
        extra: {},
      },
      {
        id: 'warehouse',
        source: 'file',
        type: 'postgres',
        host: 'db.internal',
        port: 5432,
        login: 'etl',
        password: '***',
        schema: 'analytics',
        extra: { sslmode: 'require' },
      },
    ]);

    const table = await updraft(['list'], env);
    expect(table.code).toBe(0);
    expect(table.out).toBe(
      [
        '┌───────────┬──────────┬─────────────┬──────┬───────┬──────────┬───────────┬────────┐',
        '│ id        │ type     │ host        │ port │ login │ password │ schema    │ source │',
        '├───────────┼──────────┼─────────────┼──────┼───────┼──────────┼───────────┼────────┤',
        '│ api       │ http     │ api.example │      │       │ ***      │           │ file   │',
        '├───────────┼──────────┼─────────────┼──────┼───────┼──────────┼───────────┼────────┤',
        '│ cache     │ redis    │ cache.local │ 6379 │       │ ***      │           │ env    │',
        '├───────────┼──────────┼─────────────┼──────┼───────┼──────────┼───────────┼────────┤',
        '│ warehouse │ postgres │ db.internal │ 5432 │ etl   │ ***      │ analytics │ file   │',
        '└───────────┴──────────┴─────────────┴──────┴───────┴──────────┴───────────┴────────┘',
      ].join('\n'),
    );
    for (const output of [json.out, json.err, table.out, table.err]) {
      for (const secret of ['s@cret', 's%40cret', 'hunter22', 'abc-123', 'r3dis-pw'])
        expect(output).not.toContain(secret);
    }

    expect(await updraft(['remove', 'warehouse'])).toEqual({
      code: 0,
      out: `✔ Removed connection "warehouse" from ${FILE}`,
      err: '',
    });
    expect(await updraft(['delete', 'api'])).toEqual({
      code: 0,
      out: `✔ Removed connection "api" from ${FILE}`,
      err: '',
    });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({});
    expect(await updraft(['list'])).toEqual({
      code: 0,
      out: 'No connections. Add one with `updraft connections add <id> <uri>`, or set UPDRAFT_CONN_<ID>.',
      err: '',
    });
  });

  it('refuses an invalid URI or id with exit 1 and writes nothing', async () => {
    expect(await updraft(['add', 'warehouse', 'not a uri'])).toEqual({
      code: 1,
      out: '',
      err: '✖ connection "warehouse" is neither a URI (scheme://login:password@host:port/schema) nor a JSON object',
    });
    expect(await updraft(['add', 'Ware-House', URI])).toEqual({
      code: 1,
      out: '',
      err: '✖ connection id "Ware-House" is not valid: connection ids are lowercase letters, digits and "_", start with a letter and have at most 64 characters (they become UPDRAFT_CONN_<ID> variables); use "ware_house"',
    });
    const json = await updraft(['add', 'api', '{"password": hunter22}']);
    expect(json).toEqual({
      code: 1,
      out: '',
      err: '✖ connection "api" is not valid JSON: Unexpected token \'h\'',
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  // Before: a bad port read as "neither a URI nor a JSON object" (or port 0 was accepted), {} was
  // accepted as a connection with nothing in it, and a JSON array read as "neither" too.
  it('refuses a bad port, an empty JSON object or a JSON array, naming what is wrong and the accepted forms, and writes nothing', async () => {
    await updraft(['add', 'warehouse', URI]);
    const file = path.join(dir, FILE);
    const before = fs.readFileSync(file, 'utf8');
    const forms =
      'write it as a URI, scheme://login:password@host:port/schema (e.g. postgres://etl:PASSWORD@db.internal:5432/orders), or as a JSON object (e.g. {"type": "postgres", "host": "db.internal", "port": 5432, "login": "etl", "password": "PASSWORD"})';
    const badPort = `has a port in its URI that is not a whole number from 1 to 65535 (in a password, characters such as / ? # @ : must be URL-encoded, e.g. # as %23); ${forms}`;

    for (const uri of [
      'postgres://etl:hunter22@db.internal:99999/orders',
      'postgres://etl:hunter22@db.internal:0/orders',
      'postgres://etl:hunter22@db.internal:5432x/orders',
      'postgres://etl:hun#ter22@db.internal:5432/orders',
    ]) {
      expect(await updraft(['add', 'orders', uri])).toEqual({
        code: 1,
        out: '',
        err: `✖ connection "orders" ${badPort}`,
      });
    }
    expect(await updraft(['add', 'orders', '{}'])).toEqual({
      code: 1,
      out: '',
      err: `✖ connection "orders" is an empty JSON object; ${forms}`,
    });
    expect(
      await updraft(['add', 'orders', '["postgres://etl:hunter22@db.internal/orders"]']),
    ).toEqual({
      code: 1,
      out: '',
      err: `✖ connection "orders" is a JSON array, but a connection is one object; ${forms}`,
    });
    expect(await updraft(['add', 'orders', '{"host": "db.internal", "password": 1234}'])).toEqual({
      code: 1,
      out: '',
      err: '✖ connection "orders" has a number as "password", which must be a string',
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(before);

    // The same checks name the variable (or the file) the connection came from.
    expect(
      await updraft(['list'], {
        UPDRAFT_CONN_ORDERS: 'postgres://etl:hunter22@db.internal:99999/orders',
      }),
    ).toEqual({ code: 1, out: '', err: `✖ connection "orders" in UPDRAFT_CONN_ORDERS ${badPort}` });
    fs.writeFileSync(file, '{"orders": {}}');
    // Spawned: the file is named relative to the process's working directory.
    expect(spawned(['list'])).toEqual({
      code: 1,
      out: '',
      err: `✖ connection "orders" in ${FILE} is an empty JSON object; ${forms}`,
    });
  });

  it('refuses to replace an existing id without --overwrite', async () => {
    await updraft(['add', 'warehouse', URI]);
    // Spawned: the file is named relative to the process's working directory.
    expect(spawned(['add', 'warehouse', 'mysql://u:p@other/db'])).toEqual({
      code: 1,
      out: '',
      err: `✖ connection "warehouse" already exists in ${FILE}: pass --overwrite to replace it, or remove it first with \`updraft connections remove warehouse\``,
    });
    expect(JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8'))).toEqual({ warehouse: URI });
    expect(await updraft(['add', 'warehouse', 'mysql://u:p@other/db', '--overwrite'])).toEqual({
      code: 0,
      out: `✔ Replaced connection "warehouse" in ${FILE}`,
      err: '',
    });
    expect(JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8'))).toEqual({
      warehouse: 'mysql://u:p@other/db',
    });
  });

  it('names the known ids, with a did-you-mean, when removing an unknown one', async () => {
    await updraft(['add', 'warehouse', URI]);
    // Spawned: the file is named relative to the process's working directory.
    expect(spawned(['remove', 'wharehouse'])).toEqual({
      code: 1,
      out: '',
      err: `✖ connection "wharehouse" is not in ${FILE} (did you mean "warehouse"?); known connections: warehouse`,
    });
    expect(spawned(['remove', 'cache'], { UPDRAFT_CONN_CACHE: 'redis://cache' })).toEqual({
      code: 1,
      out: '',
      err: `✖ connection "cache" comes from the environment variable UPDRAFT_CONN_CACHE, not from ${FILE}: unset the variable to remove it`,
    });
  });

  // Spawned: the message names the file relative to the process's working directory, the project here.
  it('reports a malformed file without a stack trace (the real binary)', () => {
    fs.writeFileSync(path.join(dir, FILE), '{"warehouse": "postgres://x",}');
    const r = spawned(['list']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^✖ ${FILE} is not valid JSON: .+; fix it, or delete it and add the connections again with \`updraft connections add <id> <uri>\`$`,
      ),
    );
    expect(r.err).not.toContain('    at ');
  });
});

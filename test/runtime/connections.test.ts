import { describe, expect, it } from 'vitest';
import { connectionFromEnv, parseConnection } from '../../src/runtime/connections.ts';
import { dag, task } from '../../src/sdk/index.ts';
import { buildDagIR } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { runMachine } from '../../src/engine/run-machine.ts';
import { RUN } from '../compiler/harness.ts';

describe('connections', () => {
  it('parses a URI like Airflow', () => {
    expect(
      parseConnection(
        'warehouse',
        'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require',
      ),
    ).toEqual({
      id: 'warehouse',
      type: 'postgres',
      host: 'db.internal',
      port: 5432,
      login: 'etl',
      password: 's@cret',
      schema: 'analytics',
      uri: 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require',
      extra: { sslmode: 'require' },
    });
  });

  it('parses JSON, keeping unknown fields as extra', () => {
    expect(
      parseConnection('api', '{"type":"http","host":"api.example","password":"k","region":"eu"}'),
    ).toEqual({
      id: 'api',
      type: 'http',
      host: 'api.example',
      password: 'k',
      extra: { region: 'eu' },
    });
  });

  it('says which variable to set when a connection is missing or malformed', () => {
    expect(() => connectionFromEnv('warehouse', {})).toThrow(
      'connection "warehouse" is not set: set UPDRAFT_CONN_WAREHOUSE to a URI (postgres://user:pass@host:5432/db) or a JSON object',
    );
    expect(() => connectionFromEnv('warehouse', { UPDRAFT_CONN_WAREHOUSE: 'not a uri' })).toThrow(
      'connection "warehouse" is neither a URI (scheme://login:password@host:port/schema) nor a JSON object',
    );
  });

  it('task code reads its declared connection from the environment', async () => {
    const d = dag(
      'conn',
      {},
      () =>
        void task(
          'q',
          { connections: ['warehouse'] },
          async (ctx) => (await ctx.connection('warehouse')).host,
        )(),
    );
    const { ir } = buildDagIR(d, 'x.ts');
    const r = await runMachine({
      dag: d,
      ir,
      compiled: compileDag(ir),
      run: { ...RUN, dagId: 'conn' },
      env: { UPDRAFT_CONN_WAREHOUSE: 'postgres://u:p@wh.local/db' },
    });
    expect(r.tasks.q).toEqual({ state: 'success', attempts: 1, output: 'wh.local' });
  });
});

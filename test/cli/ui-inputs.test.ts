/**
 * What a task of a run was given (cli/ui-inputs, GET /api/runs/:run/tasks/:task/inputs): literal
 * arguments, an upstream output and a field of it as the machine picks it, a nested object, the
 * list a mapped task maps over, and an output offloaded as a reference.
 */
import { describe, expect, it } from 'vitest';
import { apiAfterRun } from '../support/dev-api-run.ts';
import { dag, task } from '../../src/sdk/index.ts';

const given = dag('given', { startDate: '2026-11-01' }, () => {
  const extract = task('extract', async () => ({ rows: 3, files: ['a.csv', 'b.csv'] }))();
  const big = task('big', async () => 'x'.repeat(300 * 1024))();
  task('load', async (_ctx, n: number, region: string, o: { all: unknown }) => [n, region, o])(
    extract.get('rows'),
    'eu',
    { all: extract },
  );
  task('size', async (_ctx, s: string) => s.length)(big);
  task('each', async (_ctx, f: string) => f).map(extract.get('files'));
});

describe('a task’s inputs', () => {
  it('shows each argument with the task it comes from, as the machine gave it', async () => {
    const { run, app, store } = await apiAfterRun(given, 'dags/given.ts');
    const inputs = async (taskId: string) => {
      const r = await app.request(`/api/runs/${run.runId}/tasks/${taskId}/inputs`);
      return { status: r.status, body: (await r.json()) as any };
    };
    expect((await inputs('load')).body).toEqual({
      inputs: [
        { name: 'argument 1', from: ['extract'], value: 3 },
        { name: 'argument 2', from: [], value: 'eu' },
        {
          name: 'argument 3',
          from: ['extract'],
          value: { all: { rows: 3, files: ['a.csv', 'b.csv'] } },
        },
      ],
    });
    expect((await inputs('each')).body).toEqual({
      inputs: [{ name: 'mapped over', from: ['extract'], value: ['a.csv', 'b.csv'] }],
    });
    const size = (await inputs('size')).body.inputs[0];
    expect(size).toMatchObject({ name: 'argument 1', from: ['big'] });
    expect(size.value).toEqual({
      $ref: expect.stringMatching(/^memory:\/\//),
      bytes: 300 * 1024 + 2,
    });
    expect(await inputs('extract')).toEqual({ status: 200, body: { inputs: [] } });
    expect(await inputs('nope')).toEqual({
      status: 404,
      body: { error: 'task "nope" of DAG "given" not found' },
    });
    await store.close();
  });
});

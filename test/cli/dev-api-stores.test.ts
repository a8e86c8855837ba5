/**
 * The UI's API over both stores — the embedded SQLite store and the DynamoDB store of a
 * deployment (on dynalite) — with the same records: what `updraft dev` and `updraft ui --target
 * aws` serve is the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devApi } from '../../src/cli/dev-api.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, group, task } from '../../src/sdk/index.ts';
import { SqliteStore, taskStatesOf, type Store, type TaskRecord } from '../../src/store/index.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

const ir = buildDagIR(
  dag('nightly', { schedule: '@daily', startDate: '2026-11-01' }, () => {
    const a = task('extract', async () => 1)();
    const b = group('transform', () => task('clean', async () => 1)());
    a.then(b.output);
  }),
  'dags/n.ts',
).ir;

async function fill(store: Store) {
  for (const [day, status] of [
    ['2026-11-19', 'success'],
    ['2026-11-20', 'failed'],
  ] as const) {
    const runId = `nightly-${day}T00-00-00Z`;
    const tasks: TaskRecord[] = [
      { runId, dagId: 'nightly', taskId: 'extract', state: 'success', attempts: 1 },
      {
        runId,
        dagId: 'nightly',
        taskId: 'transform.clean',
        state: status === 'failed' ? 'failed' : 'success',
        attempts: status === 'failed' ? 3 : 1,
      },
    ];
    await store.createRun({
      runId,
      dagId: 'nightly',
      key: `${day}T00-00-00Z`,
      logicalDate: `${day}T00:00:00.000Z`,
      dataIntervalStart: `${day}T00:00:00.000Z`,
      dataIntervalEnd: `${day}T00:00:00.000Z`,
      triggeredBy: 'schedule',
      conf: {},
      status,
      attempt: 1,
      queuedAt: `${day}T00:00:00.000Z`,
      taskStates: taskStatesOf(tasks)!,
    });
    await store.putTasks(tasks);
  }
}

let local: Dynalite;
const stores: [string, () => Store][] = [];
beforeAll(async () => {
  local = await startDynalite();
  const sqlite = new SqliteStore({ file: ':memory:' });
  await fill(sqlite);
  await fill(local.store);
  stores.push(['sqlite', () => sqlite], ['dynamodb (dynalite)', () => local.store]);
});
afterAll(() => local.close());

describe('the API over both stores', () => {
  it('answers the DAG list, the grid and a run the same', async () => {
    const answers: unknown[] = [];
    for (const [, store] of stores) {
      const app = devApi({
        store: store(),
        dags: () => [ir],
        now: () => new Date('2026-11-21T06:00:00Z'),
      });
      const get = async (path: string) => (await app.request(path)).json();
      answers.push({
        dags: ((await get('/api/dags')) as { recentRuns: unknown }[]).map((d) => d.recentRuns),
        grid: await get('/api/dags/nightly/grid'),
        run: await get('/api/runs/nightly-2026-11-20T00-00-00Z'),
      });
    }
    expect(answers[0]).toMatchObject({
      grid: {
        tasks: ['extract', 'transform.clean'],
        runs: [
          {
            runId: 'nightly-2026-11-20T00-00-00Z',
            status: 'failed',
            states: 'sf',
            tries: { 'transform.clean': 3 },
          },
          { runId: 'nightly-2026-11-19T00-00-00Z', status: 'success', states: 'ss' },
        ],
      },
      run: {
        run: { status: 'failed' },
        tasks: [{ taskId: 'extract' }, { taskId: 'transform.clean' }],
      },
    });
    expect(answers[1]).toEqual(answers[0]);
  });
});

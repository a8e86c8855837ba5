/**
 * `updraft dev`'s HTTP JSON API over a real run store: DAGs with schedule, pause and recent runs;
 * a DAG's runs; a run with its tasks, tries, lineage and notifications; datasets; pause and
 * unpause; JSON errors for what does not exist or a bad query.
 */
import { describe, expect, it } from 'vitest';
import { devApi } from '../../src/cli/dev-api.ts';
import { compileDag } from '../../src/compiler/index.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, dataset, param, task } from '../../src/sdk/index.ts';
import { resolveParams } from '../../src/runtime/params.ts';
import { SqliteStore } from '../../src/store/index.ts';

const orders = dataset('s3://lake/orders');
const producer = dag(
  'load_orders',
  { schedule: '@daily', startDate: '2026-11-01', owner: 'data' },
  () => {
    task('write', { outlets: [orders] }, async () => 1)();
  },
);
const consumer = dag('orders_mart', { schedule: [orders] }, () => {
  task('build', async () => 1)();
});

async function setup() {
  const store = new SqliteStore({ file: ':memory:' });
  const now = Date.parse('2026-11-21T06:00:00Z');
  const dags = [producer, consumer].map((d) => ({ dag: d, ir: buildDagIR(d, 'dags/x.ts').ir }));
  const engine = new LocalEngine({
    store,
    objects: new MemoryObjectStore(),
    dags,
    wall: () => now,
    workers: false,
  });
  await engine.trigger('load_orders', { date: '2026-11-20' });
  const app = devApi({ store, dags: () => dags.map((d) => d.ir), now: () => new Date(now) });
  const get = async (path: string, init?: RequestInit) => {
    const response = await app.request(path, init);
    return { status: response.status, body: (await response.json()) as any };
  };
  return { store, get };
}

describe('the dev API', () => {
  it("lists DAGs with their schedule, pause and recent runs, and a DAG's runs", async () => {
    const { store, get } = await setup();
    const dags = await get('/api/dags');
    expect(dags.status).toBe(200);
    expect(dags.body).toMatchObject([
      {
        id: 'load_orders',
        owner: 'data',
        schedule: 'At 00:00 every day (UTC)',
        paused: false,
        nextRuns: [{ logicalDate: '2026-11-21T00:00:00.000Z' }, {}, {}],
        recentRuns: [
          { runId: 'load_orders-2026-11-20T00-00-00Z', status: 'success', triggeredBy: 'manual' },
        ],
      },
      {
        id: 'orders_mart',
        schedule: 'When s3://lake/orders is updated',
        recentRuns: [{ status: 'queued', triggeredBy: 'dataset' }],
      },
    ]);
    // The grid reads the runs alone: an ended run carries its tasks' states (one character each).
    const grid = await get('/api/dags/load_orders/grid');
    expect(grid.body).toMatchObject({
      tasks: ['write'],
      codes: { success: 's', failed: 'f', none: '-' },
      runs: [{ runId: 'load_orders-2026-11-20T00-00-00Z', status: 'success', states: 's' }],
    });
    expect((await store.getRun('load_orders-2026-11-20T00-00-00Z'))?.taskStates).toEqual({
      s: { write: 's' },
    });
    expect((await get('/api/dags/orders_mart/grid')).body.runs).toMatchObject([
      { status: 'queued', states: '-' },
    ]);
    // Cost: the compiled machine's price per run, the schedule's runs in 30 days, the actual month.
    const cost = await get('/api/cost');
    const perRun = compileDag(buildDagIR(producer, 'dags/x.ts').ir).analysis.costPerRunUsd;
    const ran = await store.getRun('load_orders-2026-11-20T00-00-00Z');
    expect(cost.body).toEqual({
      mwaaSmallPerMonthUsd: 0.49 * 730,
      dags: [
        {
          dagId: 'load_orders',
          perRunUsd: perRun,
          transitionsPerRun: perRun / 0.000025,
          runsPerMonth: 30,
          estimateMonthUsd: 30 * perRun,
          runsLast30Days: 1,
          actualLast30DaysUsd: ran!.transitions! * 0.000025,
        },
        expect.objectContaining({ dagId: 'orders_mart', runsLast30Days: 0 }),
      ],
    });
    expect(cost.body.dags[1]).not.toHaveProperty('runsPerMonth');
    const runs = await get('/api/dags/load_orders/runs?limit=5');
    expect(runs.body.map((r: { runId: string }) => r.runId)).toEqual([
      'load_orders-2026-11-20T00-00-00Z',
    ]);
    expect(await get('/api/dags/nope/runs')).toEqual({
      status: 404,
      body: { error: 'DAG "nope" not found' },
    });
    expect(await get('/api/dags/load_orders/runs?limit=0')).toEqual({
      status: 400,
      body: { error: 'limit must be a whole number from 1 to 1000' },
    });
    await store.close();
  });

  it('shows a run with its tasks, tries and lineage; datasets; pause and unpause', async () => {
    const { store, get } = await setup();
    const run = await get('/api/runs/load_orders-2026-11-20T00-00-00Z');
    expect(run.body).toMatchObject({
      run: { status: 'success', dagId: 'load_orders' },
      tasks: [{ taskId: 'write', state: 'success' }],
      tries: [{ taskId: 'write', tryNumber: 1, state: 'success' }],
      lineage: [{ dataset: 's3://lake/orders', direction: 'out' }],
      notifications: [],
    });
    expect((await get('/api/runs/missing')).status).toBe(404);
    const datasets = await get('/api/datasets');
    expect(datasets.body.datasets).toMatchObject([
      { uri: 's3://lake/orders', producers: ['load_orders.write'], consumers: ['orders_mart'] },
    ]);
    const json = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    // Not JSON: a form post is what another site could send (Hono's csrf refuses it).
    expect(await get('/api/dags/load_orders/pause', { method: 'POST' })).toEqual({
      status: 403,
      body: { error: 'refused: a cross-site request (an action is a JSON POST from this UI)' },
    });
    expect(
      await get('/api/dags/load_orders/pause', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.example',
        },
        body: 'x=1',
      }),
    ).toMatchObject({ status: 403 });
    expect(await store.pausedAt('load_orders')).toBeUndefined();
    expect(await get('/api/dags/load_orders/pause', json)).toEqual({
      status: 200,
      body: { dagId: 'load_orders', paused: true },
    });
    expect(await store.pausedAt('load_orders')).toBe('2026-11-21T06:00:00.000Z');
    expect((await get('/api/dags')).body[0].paused).toBe(true);
    await get('/api/dags/load_orders/unpause', json);
    expect(await store.pausedAt('load_orders')).toBeUndefined();
    expect(await get('/api/nothing')).toEqual({
      status: 404,
      body: { error: 'GET /api/nothing not found' },
    });
    await store.close();
  });

  it('actions: trigger queues a run with its checked conf; retry and clear answer as the CLI does', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const now = Date.parse('2026-11-21T06:00:00Z');
    const withParams = dag(
      'with_params',
      { params: { limit: param.integer({ default: 10, minimum: 1 }) } },
      () => void task('t', async () => 1)(),
    );
    const dags = [producer, withParams].map((d) => ({ dag: d, ir: buildDagIR(d, 'dags/x.ts').ir }));
    const engine = new LocalEngine({
      store,
      objects: new MemoryObjectStore(),
      dags,
      wall: () => now,
      workers: false,
    });
    const { run } = await engine.trigger('load_orders', { date: '2026-11-20' });
    const app = devApi({
      store,
      dags: () => dags.map((d) => d.ir),
      now: () => new Date(now),
      engine,
    });
    const send = async (path: string, body: unknown) => {
      const response = await app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const cliMessage = (() => {
      try {
        resolveParams(dags[1]!.ir, { limit: 0 });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(await send('/api/dags/with_params/trigger', { conf: { limit: 0 } })).toEqual({
      status: 400,
      body: { error: cliMessage },
    });
    const queued = await send('/api/dags/with_params/trigger', { conf: { limit: 3 } });
    expect(queued).toMatchObject({ status: 202, body: { created: true, status: 'queued' } });
    expect(await store.getRun(queued.body.runId)).toMatchObject({
      status: 'queued',
      conf: { limit: 3 },
      triggeredBy: 'manual',
    });
    const backfill = await send('/api/dags/load_orders/backfill', {
      from: '2026-11-18',
      to: '2026-11-20',
    });
    expect(backfill).toEqual({
      status: 202,
      body: {
        dagId: 'load_orders',
        intervals: [
          { runId: 'load_orders-2026-11-18T00-00-00Z', status: 'queued', action: 'queued' },
          { runId: 'load_orders-2026-11-19T00-00-00Z', status: 'queued', action: 'queued' },
          { runId: 'load_orders-2026-11-20T00-00-00Z', status: 'success', action: 'existing' },
        ],
      },
    });
    expect((await store.getRun('load_orders-2026-11-18T00-00-00Z'))?.triggeredBy).toBe('backfill');
    expect(
      (await send('/api/dags/load_orders/backfill', { from: '2026-11-20', to: '2026-11-18' })).body,
    ).toEqual({
      error: '--to 2026-11-18 is before --from 2026-11-20',
    });
    expect(await send(`/api/runs/${run.runId}/retry`, {})).toEqual({
      status: 400,
      body: {
        error: `run "${run.runId}" succeeded; nothing to retry (to run tasks again: updraft clear ${run.runId} --task <task>)`,
      },
    });
    expect((await send(`/api/runs/${run.runId}/clear`, { tasks: ['nope'] })).status).toBe(400);
    expect(await send(`/api/runs/${run.runId}/clear`, { tasks: 'write' })).toEqual({
      status: 400,
      body: { error: 'tasks must be a list of task ids, e.g. ["load"]' },
    });
    const cleared = await send(`/api/runs/${run.runId}/clear`, { tasks: ['write'] });
    expect(cleared).toEqual({ status: 202, body: { runId: run.runId, status: 'queued' } });
    for (let i = 0; i < 50 && (await store.getRun(run.runId))?.attempt !== 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await store.getRun(run.runId)).toMatchObject({ attempt: 2 });
    await store.close();
  });

  it("reads a task's offloaded output from where it was put, on demand", async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const objects = new MemoryObjectStore();
    const big = dag(
      'big_output',
      {},
      () => void task('make', async () => ({ blob: 'x'.repeat(60_000) }))(),
    );
    const dags = [{ dag: big, ir: buildDagIR(big, 'dags/x.ts').ir }];
    const engine = new LocalEngine({
      store,
      objects,
      dags,
      wall: () => Date.parse('2026-11-21T06:00:00Z'),
      workers: false,
    });
    const { run } = await engine.trigger('big_output');
    const [record] = await store.listTasks(run.runId);
    expect(record!.output).toMatchObject({ $ref: expect.any(String), bytes: 60_011 });
    const app = devApi({
      store,
      dags: () => dags.map((d) => d.ir),
      now: () => new Date(),
      objects,
    });
    const answer = await app.request(`/api/runs/${run.runId}/tasks/make/output`);
    expect(((await answer.json()) as { output: { blob: string } }).output.blob).toHaveLength(
      60_000,
    );
    const blind = devApi({ store, dags: () => dags.map((d) => d.ir), now: () => new Date() });
    const refused = await blind.request(`/api/runs/${run.runId}/tasks/make/output`);
    expect(refused.status).toBe(400);
    expect((await blind.request(`/api/runs/${run.runId}/tasks/nope/output`)).status).toBe(404);
    await store.close();
  });

  it('beyond loopback every request needs the token: a header, or the cookie a ?token= visit sets', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const token = 'a-token-of-24-characters';
    const app = devApi({ store, dags: () => [], now: () => new Date(), token });
    expect((await app.request('/api/dags')).status).toBe(401);
    expect(await (await app.request('/api/dags')).json()).toEqual({
      error: 'a token is required: open the address with ?token=<UPDRAFT_UI_TOKEN>',
    });
    expect(
      (
        await app.request('/api/dags', {
          headers: { authorization: 'Bearer wrong-token-of-24-chars!' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await app.request('/api/dags', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const visit = await app.request(`/?token=${token}`);
    expect(visit.status).toBe(302);
    expect(visit.headers.get('location')).toBe('/');
    const cookie = visit.headers.get('set-cookie')!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const withCookie = await app.request('/api/dags', {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(withCookie.status).toBe(200);
    await store.close();
  });
});

/**
 * Data-aware runs locally, through the CLI (in process): a producer run that makes a consumer's
 * dataset condition hold queues one consumer run and says so; `updraft datasets` shows producers,
 * consumers, last updates and what each consumer still waits for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as root, updraftInProcess } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-datasets-${process.pid}`);

const DAGS = `
import { allOf, anyOf, dag, dataset, onDatasets, task } from 'updraft';
const orders = dataset('s3://lake/orders');
const customers = dataset('s3://lake/customers');
const prices = dataset('s3://lake/prices');
export const o = dag('load_orders', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('write', { outlets: [orders] }, async (ctx) => {
    ctx.datasetExtra(orders, { rows: 7, ds: ctx.ds });
    return 1;
  })();
});
export const bad = dag('bad_extra', {}, () => {
  task('write', { outlets: [orders] }, async (ctx) => {
    ctx.datasetExtra(prices, { rows: 1 });
    return 1;
  })();
});
export const c = dag('load_customers', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('write', { outlets: [customers] }, async () => 1)();
});
export const f = dag('load_prices', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('fail', async () => { throw new Error('no prices today'); })();
  task('write', { outlets: [prices] }, async () => 1)();
});
export const mart = dag('orders_mart', { schedule: [orders, customers] }, () => {
  task('build', { inlets: [orders, customers] }, async () => 1)();
});
export const pricing = dag('pricing', { schedule: onDatasets(anyOf(prices, allOf(orders, customers))) }, () => {
  task('reprice', async () => 1)();
});
`;

let now = Date.UTC(2026, 10, 21, 6);
async function cli(...args: string[]) {
  now += 60_000;
  const r = await updraftInProcess([...args, '--no-color'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    now: () => new Date(now),
  });
  return { code: r.code, out: r.out, err: r.err };
}

beforeAll(() => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'lake.ts'), DAGS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data-aware runs on the embedded engine', () => {
  it('queues a consumer run when a producer run makes its condition hold, and says which', async () => {
    const first = await cli('run', 'load_orders', '--date', '2026-11-20');
    expect(first.code).toBe(0);
    expect(first.out).not.toContain('queued');

    const second = await cli('run', 'load_customers', '--date', '2026-11-20');
    expect(second.code).toBe(0);
    const queued = second.out.split('\n').filter((l) => l.startsWith('⧗'));
    expect(queued).toEqual([
      "⧗ queued orders_mart-2026-11-21T06-02-00Z-d1: orders_mart's dataset condition holds (updated: s3://lake/customers, s3://lake/orders)",
      "⧗ queued pricing-2026-11-21T06-02-00Z-d1: pricing's dataset condition holds (updated: s3://lake/customers, s3://lake/orders)",
    ]);
    const runs = JSON.parse((await cli('runs', 'orders_mart', '--json')).out);
    expect(runs).toMatchObject([
      { runId: 'orders_mart-2026-11-21T06-02-00Z-d1', status: 'queued', triggeredBy: 'dataset' },
    ]);
  });

  it('counts a dataset updated by a task that succeeded in a run that failed', async () => {
    const r = await cli('run', 'load_prices', '--date', '2026-11-20', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      status: 'failed',
      datasetRuns: [
        {
          runId: 'pricing-2026-11-21T06-04-00Z-d2',
          dagId: 'pricing',
          datasets: ['s3://lake/prices'],
        },
      ],
    });
  });

  it('lists datasets and what each consumer waits for', async () => {
    await cli('run', 'load_orders', '--date', '2026-11-21');
    const overview = JSON.parse((await cli('datasets', '--json')).out);
    expect(overview.datasets.map((d: { uri: string }) => d.uri)).toEqual([
      's3://lake/customers',
      's3://lake/orders',
      's3://lake/prices',
    ]);
    expect(overview.datasets[1]).toMatchObject({
      uri: 's3://lake/orders',
      producers: ['load_orders.write', 'bad_extra.write'],
      readers: ['orders_mart.build'],
      consumers: ['orders_mart', 'pricing'],
      lastEvent: {
        runId: 'load_orders-2026-11-21T00-00-00Z',
        taskId: 'write',
        direction: 'out',
        extra: { rows: 7, ds: '2026-11-21' },
      },
    });
    expect(overview.consumers).toEqual([
      {
        dagId: 'orders_mart',
        condition: 's3://lake/orders & s3://lake/customers',
        updated: ['s3://lake/orders'],
        waitingFor: 's3://lake/customers',
        lastRunId: 'orders_mart-2026-11-21T06-02-00Z-d1',
      },
      {
        dagId: 'pricing',
        condition: 's3://lake/prices | (s3://lake/orders & s3://lake/customers)',
        updated: ['s3://lake/orders'],
        waitingFor: 's3://lake/prices | s3://lake/customers',
        lastRunId: 'pricing-2026-11-21T06-04-00Z-d2',
      },
    ]);
    const text = (await cli('datasets')).out;
    expect(text).toContain('load_orders.write');
    expect(text).toContain('s3://lake/prices | s3://lake/customers');
  });

  it('an extra for a dataset the task does not write fails the task, saying how to declare it', async () => {
    const r = await cli('run', 'bad_extra', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).tasks).toMatchObject({
      write: {
        state: 'failed',
        error: {
          error: 'Updraft.PermanentError',
          cause:
            'task "write" called ctx.datasetExtra for "s3://lake/prices", which is not one of its outlets (s3://lake/orders); declare it: outlets: [dataset(\'s3://lake/prices\')]',
        },
      },
    });
  });
});

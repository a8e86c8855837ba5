/**
 * Daily ETL: extract yesterday's orders from the warehouse, check them, transform them in a
 * task group, load them to the lake and publish the dataset. Shows connections, datasets,
 * retries with backoff and jitter, a pool, a group with defaults, and typed data passing.
 */
import { cron, dag, dataset, group, notify, pool, PermanentError, task } from 'updraft';

export const warehouse = pool('warehouse', { slots: 4 });
const ordersRaw = dataset('s3://acme-lake/raw/orders');
const ordersClean = dataset('s3://acme-lake/clean/orders');

interface Extracted {
  readonly rows: number;
  readonly key: string;
}

export default dag(
  'daily_orders',
  {
    description: 'Orders from the warehouse to the lake, every night at 02:00 Berlin time.',
    owner: 'data-platform',
    tags: ['etl', 'orders'],
    schedule: cron('0 2 * * *', { timezone: 'Europe/Berlin' }),
    startDate: '2026-01-01',
    catchup: false,
    maxActiveRuns: 1,
    retry: { attempts: 3, delay: '1m', backoff: 2, maxDelay: '30m', jitter: 'full' },
    runTimeout: '2h',
    notify: [notify.slack('slack_alerts', { on: ['failure', 'deadline_missed'] })],
    deadline: '4h',
  },
  () => {
    const extract = task('extract', { connections: ['warehouse'], pool: warehouse, outlets: [ordersRaw], timeout: '10m' }, async (ctx): Promise<Extracted> => {
      const db = await ctx.connection('warehouse');
      ctx.log.info('extracting', { host: db.host, ds: ctx.ds });
      return { rows: 1200, key: `raw/orders/${ctx.ds}.parquet` };
    });

    const check = task('check', async (_ctx, e: Extracted) => {
      if (e.rows === 0) throw new PermanentError(`no orders for ${e.key}: the export is empty`);
      return e;
    });

    const checked = check(extract());

    const transformed = group('transform', { defaults: { timeout: '15m' } }, () => {
      const clean = task('clean', async (_ctx, e: Extracted) => ({ rows: e.rows - 3, key: e.key.replace('raw/', 'clean/') }));
      const dedupe = task('dedupe', async (_ctx, c: { rows: number; key: string }) => ({ ...c, rows: c.rows - 10 }));
      return dedupe(clean(checked));
    });

    const load = task('load', { inlets: [ordersRaw], outlets: [ordersClean], connections: ['warehouse'], pool: warehouse }, async (ctx, d: { rows: number; key: string }) => {
      ctx.log.info('loaded', { rows: d.rows });
      ctx.datasetExtra(ordersClean, { rows: d.rows }); // consumers see it (orders_mart)
      return { loaded: d.rows };
    });

    load(transformed.output);
  },
);

/**
 * Data-aware: rebuilds the orders mart whenever daily_orders publishes clean orders, and at 07:00
 * Berlin time whether or not it did (on datasets or a schedule). Shows a dataset consumer, the
 * triggering events in the context (with the rows the producer attached), and a deadline counted
 * from the run's start.
 */
import { cron, dag, dataset, notify, onDatasets, task } from 'updraft';

const ordersClean = dataset('s3://acme-lake/clean/orders');

export default dag(
  'orders_mart',
  {
    description: 'The orders mart, rebuilt when clean orders land, and every morning at 07:00 Berlin time.',
    owner: 'analytics',
    tags: ['orders', 'mart'],
    schedule: onDatasets([ordersClean], { or: cron('0 7 * * *', { timezone: 'Europe/Berlin' }) }),
    startDate: '2026-01-01',
    deadline: { after: '30m', from: 'run_start' },
    notify: [notify.webhook('ops_hook', { on: ['failure', 'deadline_missed'] })],
  },
  () => {
    task('build', { inlets: [ordersClean] }, async (ctx) => {
      const events = ctx.triggeringDatasetEvents ?? [];
      const rows = events.reduce((n, e) => n + Number(e.extra?.rows ?? 0), 0);
      ctx.log.info('building the mart', { triggeredBy: ctx.triggeredBy, events: events.length, rows });
      return { rows };
    })();
  },
);

import { dag, dataset, onDatasets, task } from 'updraft';

const ordersClean = dataset('s3://acme-lake/clean/orders');
const customers = dataset('postgres://warehouse/public.customers');

export const producer = dag('publish_orders', { schedule: '@daily', startDate: '2026-01-01' }, () => {
  task('write', { inlets: [customers], outlets: [ordersClean] }, async () => 'written')();
});

export const consumer = dag('orders_mart', { schedule: [ordersClean] }, () => {
  task('build_mart', { inlets: [ordersClean] }, async () => 'built')();
});

export const either = dag('orders_or_customers', { schedule: onDatasets([ordersClean, customers], { mode: 'any' }) }, () => {
  task('refresh', async () => 'ok')();
});

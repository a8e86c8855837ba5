import { cron, dag, dataset, manual, onDatasets, rate, task } from 'updraft';

const t = () => task('t', async () => 1)();
export const s1 = dag('s1', { schedule: cron('30 2 * * *', { timezone: 'America/New_York' }), startDate: '2026-01-01' }, t);
export const s2 = dag('s2', { schedule: '0 6 * * 1-5', timezone: 'Europe/Berlin' }, t);
export const s3 = dag('s3', { schedule: '@hourly' }, t);
export const s4 = dag('s4', { schedule: rate('6h'), startDate: '2026-01-01T00:00' }, t);
export const s5 = dag('s5', { schedule: manual() }, t);
export const s6 = dag('s6', { schedule: onDatasets([dataset('s3://acme-lake/clean/orders')], { mode: 'any' }) }, t);

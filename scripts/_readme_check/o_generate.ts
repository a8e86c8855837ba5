import { cron, dag, task } from 'updraft';

const SOURCES = [
  { name: 'crm', schedule: '0 3 * * *', connection: 'crm_db' },
  { name: 'billing', schedule: '30 3 * * *', connection: 'billing_db' },
] as const;

export default SOURCES.map((source) =>
  dag(`ingest_${source.name}`, { schedule: cron(source.schedule), startDate: '2026-10-01' }, () => {
    task('extract', { connections: [source.connection] }, async (ctx) => (await ctx.connection(source.connection)).host)();
  }),
);

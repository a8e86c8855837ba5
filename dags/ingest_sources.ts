/**
 * Dynamic DAG generation: one ingestion DAG per source in a config list (`_sources.ts`), each
 * with its own schedule and connection. The file exports an array of DAGs.
 */
import { cron, dag, dataset, task } from 'updraft';
import { SOURCES } from './_sources.ts';

export default SOURCES.map((source) =>
  dag(
    `ingest_${source.name}`,
    {
      description: `Copy ${source.table} into the lake.`,
      owner: 'ingest',
      tags: ['ingest', 'generated', source.name],
      schedule: cron(source.schedule, { timezone: 'UTC' }),
      startDate: '2026-10-01',
      retry: { attempts: 4, delay: '2m', backoff: 2, maxDelay: '20m' },
    },
    () => {
      const extract = task('extract', { connections: [source.connection] }, async (ctx) => {
        const conn = await ctx.connection(source.connection);
        return { table: source.table, host: conn.host ?? 'unknown', rows: 100 };
      });
      const store = task('store', { outlets: [dataset(`s3://acme-lake/raw/${source.name}`)] }, async (_ctx, e: { table: string; rows: number }) => ({
        key: `raw/${source.name}/${e.table}.parquet`,
        rows: e.rows,
      }));
      store(extract());
    },
  ),
);

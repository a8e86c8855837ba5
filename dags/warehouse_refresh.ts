/**
 * A DAG whose shape is not fork-join (not series-parallel): `build_facts` needs both staging
 * tables while `build_dims` needs only customers —
 *
 *   stage_customers ──▶ build_dims
 *          └──────────▶ build_facts ◀── stage_orders
 *
 * Step Functions `Parallel` cannot express this exactly; the compiler (next milestone) adds the
 * least synchronization it can and reports it. Expected durations guide where it costs least. Also shows
 * setup/teardown (a scratch schema created first and always dropped) and a native operator.
 */
import { athenaQuery, dag, setup, task, teardown } from 'updraft';

export default dag(
  'warehouse_refresh',
  {
    description: 'Rebuild the dimension and fact tables from staging.',
    owner: 'analytics',
    tags: ['warehouse', 'non-fork-join'],
    schedule: '0 4 * * 1-5',
    timezone: 'America/New_York',
    startDate: '2026-09-01',
    defaults: { retry: { attempts: 2, delay: '1m' } },
  },
  () => {
    const scratch = setup('create_scratch', { connections: ['warehouse'] }, async () => ({ schema: 'scratch_refresh' }));
    const stageCustomers = task('stage_customers', { expectedDuration: '4m' }, async (_ctx, s: { schema: string }) => ({ table: `${s.schema}.customers` }));
    const stageOrders = task('stage_orders', { expectedDuration: '9m' }, async (_ctx, s: { schema: string }) => ({ table: `${s.schema}.orders` }));
    const buildDims = task('build_dims', { expectedDuration: '3m' }, async (_ctx, c: { table: string }) => ({ dims: [c.table] }));
    const buildFacts = task('build_facts', { expectedDuration: '6m' }, async (_ctx, c: { table: string }, o: { table: string }) => ({ facts: [c.table, o.table] }));
    const dropScratch = teardown('drop_scratch', { setups: [scratch], connections: ['warehouse'] }, async () => ({ dropped: true }));

    const schema = scratch();
    const customers = stageCustomers(schema);
    const orders = stageOrders(schema);
    const dims = buildDims(customers);
    const facts = buildFacts(customers, orders);
    const stats = athenaQuery('refresh_stats', {
      query: 'MSCK REPAIR TABLE analytics.facts',
      database: 'analytics',
      workGroup: 'primary',
      // Where Athena writes query results (the task's role is granted exactly this prefix).
      outputLocation: 's3://analytics-athena-results/warehouse_refresh/',
      // On the embedded engine (updraft run, tests) this stands in for Athena.
      local: (request) => ({ QueryExecution: { QueryExecutionId: `local-${String(request.QueryString).length}` } }),
    });
    facts.then(stats);
    dims.then(dropScratch);
    stats.then(dropScratch);
  },
);

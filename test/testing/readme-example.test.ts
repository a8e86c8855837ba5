/** The example of docs/testing.md#testing-your-dags, kept true. */
import { expect, it } from 'vitest';
import { runDag } from 'updraft/testing';
import dailyOrders from '../fixtures/examples/dags/daily_orders.ts';

it('an empty export fails check and nothing is loaded', async () => {
  const r = await runDag(dailyOrders, {
    date: '2026-11-20',
    env: { UPDRAFT_CONN_WAREHOUSE: 'postgres://u:p@localhost/dw' },
    mocks: { extract: async () => ({ rows: 0, key: 'raw/orders/empty.parquet' }) },
  });
  expect(r.status).toBe('failed');
  expect(r.states).toMatchObject({ extract: 'success', check: 'failed', load: 'upstream_failed' });
  expect(r.tasks.check!.error).toEqual({
    error: 'Updraft.PermanentError',
    cause: 'no orders for raw/orders/empty.parquet: the export is empty',
  });
});

/**
 * Dataset-triggered runs on the engine: a producer's run queues the consumer's run; starting it
 * (what `updraft dev` does) runs the consumer with the triggering events in its tasks' context;
 * of two starts of one queued run, one runs it and the other is told.
 */
import { describe, expect, it } from 'vitest';
import { LocalEngine } from '../../src/engine/engine.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, dataset, task, type Dag, type DatasetEvent } from '../../src/sdk/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const orders = dataset('s3://lake/orders');
const seen: (readonly DatasetEvent[] | undefined)[] = [];

const producer = dag('load_orders', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  task('write', { outlets: [orders] }, async (ctx) => {
    ctx.datasetExtra(orders, { rows: 42, version: 'v7' });
    return 'written';
  })();
});
const consumer = dag('orders_mart', { schedule: [orders] }, () => {
  task('build', async (ctx) => {
    seen.push(ctx.triggeringDatasetEvents);
    return ctx.triggeredBy;
  })();
});

function engine(store: SqliteStore, now: () => number) {
  const dags = [producer, consumer].map((d: Dag) => ({
    dag: d,
    ir: buildDagIR(d, 'dags/lake.ts').ir,
  }));
  return new LocalEngine({
    store,
    objects: new MemoryObjectStore(),
    dags,
    wall: now,
    workers: false,
  });
}

describe('dataset-triggered runs on the engine', () => {
  it('queues the consumer after the producer, then runs it with the triggering events in its context', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const now = () => Date.parse('2026-11-21T06:00:00.500Z');
    const e = engine(store, now);
    const produced = await e.trigger('load_orders', { date: '2026-11-20' });
    expect(produced.run.status).toBe('success');
    const [queued] = produced.datasetRuns ?? [];
    expect(queued).toMatchObject({
      runId: 'orders_mart-2026-11-21T06-00-00Z-d1',
      status: 'queued',
      triggeredBy: 'dataset',
    });

    const ran = await e.startQueued(queued!.runId);
    expect(ran.run).toMatchObject({ runId: queued!.runId, status: 'success' });
    expect(ran.result?.tasks.build).toMatchObject({ state: 'success', output: 'dataset' });
    expect(seen).toEqual([
      [
        {
          dataset: 's3://lake/orders',
          at: '2026-11-21T06:00:00.500Z',
          dagId: 'load_orders',
          runId: 'load_orders-2026-11-20T00-00-00Z',
          taskId: 'write',
          extra: { rows: 42, version: 'v7' },
        },
      ],
    ]);
    await expect(e.startQueued(queued!.runId)).rejects.toThrow(
      `run "${queued!.runId}" is success, not queued: another process started it, or it already ran`,
    );
    await store.close();
  });

  it('two starts of one queued run at once: one runs it', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const e1 = engine(store, () => Date.parse('2026-11-22T06:00:00Z'));
    const e2 = engine(store, () => Date.parse('2026-11-22T06:00:00Z'));
    const [queued] = (await e1.trigger('load_orders', { date: '2026-11-21' })).datasetRuns ?? [];
    const results = await Promise.allSettled([
      e1.startQueued(queued!.runId),
      e2.startQueued(queued!.runId),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await store.getRun(queued!.runId))?.status).toBe('success');
    await store.close();
  });
});

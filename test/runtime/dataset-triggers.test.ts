/**
 * Data-aware runs (runtime/dataset-triggers), on both stores: a consumer gets one run each time
 * its condition holds over the events since its last dataset-triggered run; events are consumed
 * once, also when producers finish at the same instant; a run whose creator died after consuming
 * its events is created by the next evaluation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagIR, DatasetCondition } from '../../src/ir/types.ts';
import { datasetsOf } from '../../src/schedule/index.ts';
import {
  triggerDatasetConsumers,
  type DatasetConsumer,
} from '../../src/runtime/dataset-triggers.ts';
import { SqliteStore, type LineageRecord, type Store } from '../../src/store/index.ts';
import { startDynalite } from '../support/dynalite.ts';
import { all, any, ds } from '../schedule/factories.ts';

const [A, B, C] = ['s3://lake/a', 's3://lake/b', 's3://lake/c'];

function consumer(id: string, condition: DatasetCondition): DagIR & DatasetConsumer {
  return {
    id,
    file: `dags/${id}.ts`,
    tags: [],
    timezone: 'UTC',
    schedule: { kind: 'datasets' as const, condition, datasets: datasetsOf(condition) },
    catchup: false,
    maxActiveRuns: 16,
    params: {},
    notifications: [],
    tasks: [],
    groups: [],
    edges: [],
  };
}

const stores: { name: string; open(): Promise<{ store: Store; close(): Promise<void> }> }[] = [
  {
    name: 'sqlite',
    open: async () => {
      const store = new SqliteStore({ file: ':memory:' });
      return { store, close: () => store.close() };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    open: async () => {
      const d = await startDynalite();
      return { store: d.store, close: () => d.close() };
    },
  },
];

describe.each(stores)('dataset-triggered runs: $name', (impl) => {
  let store: Store;
  let close: () => Promise<void>;
  let n = 0;
  beforeAll(async () => ({ store, close } = await impl.open()));
  afterAll(() => close());

  /** A producer task's success with `dataset` in its outlets, at minute `minute`. */
  async function produce(
    dataset: string,
    minute: number,
    producer = 'producer',
  ): Promise<LineageRecord> {
    const at = new Date(Date.UTC(2026, 10, 20, 0, minute)).toISOString();
    const record: LineageRecord = {
      runId: `${producer}-run-${++n}`,
      dagId: producer,
      taskId: 'write',
      direction: 'out',
      dataset,
      at,
    };
    await store.putLineage([record]);
    return record;
  }
  const now = (minute: number) => new Date(Date.UTC(2026, 10, 20, 1, minute, 0, 250));
  let dagN = 0;
  const dagId = () => `consumer_${impl.name.slice(0, 3)}_${++dagN}`;

  it('all of: waits for every dataset, then one run with both events; the events count once', async () => {
    const dag = consumer(dagId(), all(ds(A), ds(B)));
    const a = await produce(A, 1);
    expect(await triggerDatasetConsumers(store, [dag], now(1))).toEqual([]);
    const b = await produce(B, 2);
    const [run, ...more] = await triggerDatasetConsumers(store, [dag], now(2));
    expect(more).toEqual([]);
    expect(run).toEqual({
      runId: `${dag.id}-2026-11-20T01-02-00Z-d1`,
      dagId: dag.id,
      key: '2026-11-20T01-02-00Z',
      logicalDate: '2026-11-20T01:02:00.000Z',
      dataIntervalStart: a.at,
      dataIntervalEnd: b.at,
      triggeredBy: 'dataset',
      conf: {},
      status: 'queued',
      attempt: 1,
      queuedAt: '2026-11-20T01:02:00.250Z',
      triggeringEvents: [a, b],
    });
    expect(await store.getRun(run!.runId)).toEqual(run);
    // Consumed: evaluating again makes nothing, until both are updated again.
    expect(await triggerDatasetConsumers(store, [dag], now(3))).toEqual([]);
    await produce(A, 4);
    expect(await triggerDatasetConsumers(store, [dag], now(4))).toEqual([]);
    await produce(B, 5);
    expect((await triggerDatasetConsumers(store, [dag], now(5))).map((r) => r.runId)).toEqual([
      `${dag.id}-2026-11-20T01-05-00Z-d2`,
    ]);
  });

  it('any of, nested (a | (b & c)): a alone, or b and c together', async () => {
    const dag = consumer(dagId(), any(ds(A), all(ds(B), ds(C))));
    const fired = async (minute: number) =>
      (await triggerDatasetConsumers(store, [dag], now(minute))).map((r) =>
        r.triggeringEvents?.map((e) => e.dataset),
      );
    // A is updated by the first test's producers already: it holds at once, consuming A.
    expect(await fired(10)).toEqual([[A, B]]);
    await produce(B, 11);
    expect(await fired(11)).toEqual([]);
    await produce(C, 12);
    expect(await fired(12)).toEqual([[B, C]]);
    await produce(A, 13);
    expect(await fired(13)).toEqual([[A]]);
  });

  it('only looks at the consumers of the datasets a run updated', async () => {
    const onC = consumer(dagId(), ds(C));
    const onA = consumer(dagId(), ds(A));
    await produce(C, 20);
    const runs = await triggerDatasetConsumers(store, [onA, onC], now(20), {
      updated: new Set([C]),
    });
    expect(runs.map((r) => r.dagId)).toEqual([onC.id]);
  });

  it('two producers finishing at once: one consumer run for the condition they make hold', async () => {
    const dag = consumer(dagId(), all(ds(A), ds(B)));
    await Promise.all([produce(A, 30, 'p1'), produce(B, 30, 'p2')]);
    // Both producers' processes (or launchers) evaluate at the same instant, several times over.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => triggerDatasetConsumers(store, [dag], now(30))),
    );
    const runs = results.flat();
    expect(runs).toHaveLength(1);
    expect((await store.listRuns({ dagId: dag.id })).map((r) => r.runId)).toEqual([runs[0]!.runId]);
    expect(await store.datasetCursor(dag.id)).toMatchObject({ version: 1 });
  });

  it('creates the run an evaluation consumed events for but died before creating', async () => {
    const dag = consumer(dagId(), ds(C));
    const lost = {
      runId: `${dag.id}-2026-11-20T01-40-00Z-d1`,
      dagId: dag.id,
      key: '2026-11-20T01-40-00Z',
      logicalDate: '2026-11-20T01:40:00.000Z',
      dataIntervalStart: '2026-11-20T00:40:00.000Z',
      dataIntervalEnd: '2026-11-20T00:40:00.000Z',
      triggeredBy: 'dataset' as const,
      conf: {},
      status: 'queued' as const,
      attempt: 1,
      queuedAt: '2026-11-20T01:40:00.000Z',
    };
    const [latest] = await store.datasetEvents(C, 1);
    await store.advanceDatasetCursor({
      dagId: dag.id,
      version: 1,
      consumed: { [C]: `${latest!.at}#${latest!.runId}#${latest!.taskId}` },
      lastRun: lost,
    });
    expect(await store.getRun(lost.runId)).toBeUndefined();
    expect(await triggerDatasetConsumers(store, [dag], now(41))).toEqual([]);
    expect(await store.getRun(lost.runId)).toEqual(lost);
  });
});

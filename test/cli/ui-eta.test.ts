/**
 * A running run's expected end (cli/ui-eta): what is left, each task at its median duration in
 * recent successful runs, along the DAG's dependencies; a running task counts from its start.
 */
import { describe, expect, it } from 'vitest';
import { devApi } from '../../src/cli/dev-api.ts';
import { runEta } from '../../src/cli/ui-eta.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, task } from '../../src/sdk/index.ts';
import type { RunRecord, TaskRecord } from '../../src/store/types.ts';

const ir = buildDagIR(
  dag('eta', {}, () => {
    const a = task('a', async () => 1)();
    const b = task('b', async (_c, x: number) => x)(a);
    task('c', async (_c, x: number) => x)(b);
    task('d', async (_c, x: number) => x)(a);
  }),
  'dags/eta.ts',
).ir;

const T = Date.parse('2026-11-21T12:00:00Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const record = (taskId: string, state: TaskRecord['state'], from?: number, to?: number) =>
  ({
    runId: 'r',
    dagId: 'eta',
    taskId,
    state,
    attempts: 1,
    ...(from !== undefined && { startedAt: at(from) }),
    ...(to !== undefined && { endedAt: at(to) }),
  }) as TaskRecord;
/** A successful run whose tasks took these many seconds. */
const past = (took: Record<string, number>) =>
  Object.entries(took).map(([id, s]) => record(id, 'success', -1000, -1000 + s));
const run = { runId: 'r', dagId: 'eta', status: 'running' } as RunRecord;
const now = new Date(T);
const current = [record('a', 'success', -30, -20), record('b', 'running', -10)];

describe('a running run’s expected end', () => {
  it('follows the longest way through what is left, at the median of recent durations', () => {
    const history = [
      past({ a: 10, b: 60, c: 30, d: 100 }),
      past({ a: 10, b: 50, c: 40, d: 90 }),
      past({ a: 10, b: 70, c: 30, d: 120 }),
    ];
    // b: started 10 s ago, median 60 → ends at +50; c then +30 → +80; d: from a's end, 100 → +100.
    expect(runEta(ir, run, current, history, now)).toEqual({
      at: at(100),
      basedOnRuns: 3,
      criticalPath: ['d'],
    });
    const quickD = history.map((h) => h.map((t) => (t.taskId === 'd' ? past({ d: 40 })[0]! : t)));
    expect(runEta(ir, run, current, quickD, now)).toEqual({
      at: at(80),
      basedOnRuns: 3,
      criticalPath: ['b', 'c'],
    });
  });

  it('a running task past its median ends no earlier than now; no history, no ETA', () => {
    const late = [record('a', 'success', -300, -290), record('b', 'running', -280)];
    expect(runEta(ir, run, late, [past({ a: 10, b: 60, c: 30, d: 5 })], now)?.at).toBe(at(30));
    expect(runEta(ir, run, current, [], now)).toBeUndefined();
    expect(
      runEta(ir, { ...run, status: 'success' }, current, [past({ a: 1 })], now),
    ).toBeUndefined();
  });

  it('GET /api/runs/:run answers it while the run runs, from the DAG’s successful runs in the store', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const base = {
      dagId: 'eta',
      dataIntervalStart: at(-3600),
      dataIntervalEnd: at(0),
      triggeredBy: 'manual' as const,
      conf: {},
      attempt: 1,
      queuedAt: at(-3600),
    };
    for (const [i, status] of [
      [1, 'success'],
      [2, 'failed'],
      [3, 'running'],
    ] as const) {
      const runId = `eta-${i}`;
      await store.createRun({ ...base, runId, key: `k${i}`, logicalDate: at(-3600 + i), status });
      const records =
        status === 'running'
          ? current
          : past(
              status === 'success' ? { a: 10, b: 60, c: 30, d: 100 } : { a: 1, b: 1, c: 1, d: 1 },
            );
      for (const t of records) await store.putTask({ ...t, runId });
    }
    const app = devApi({ store, dags: () => [ir], now: () => now });
    const detail = (await (await app.request('/api/runs/eta-3')).json()) as any;
    // The failed run's durations are not learnt from.
    expect(detail.eta).toEqual({ at: at(100), basedOnRuns: 1, criticalPath: ['d'] });
    expect(((await (await app.request('/api/runs/eta-1')).json()) as any).eta).toBeUndefined();
    await store.close();
  });
});

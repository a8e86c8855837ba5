/**
 * Distributed Maps on the embedded engine (engine/distributed-map), which aws-local-stepfunctions
 * does not run: a mapped task over thousands of items runs each as a child execution with its own
 * history (the run's stays small where an inline Map would pass 25,000 events), the list and the
 * results travel through the payload store, and a retry hands back every instance that
 * succeeded — from the store, as thousands of answers do not fit an execution's input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDagIR, dag, PermanentError, task } from 'updraft';
import { openLocalStore, type LocalStore } from '../../src/store/index.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { LocalEngine } from '../../src/engine/engine.ts';

let local: LocalStore;
beforeEach(async () => {
  local = await openLocalStore({});
});
afterEach(async () => {
  await local.close();
});

const ITEMS = 3000;

function wide(calls: number[], failing: { item: number | undefined }) {
  return dag('wide', {}, () => {
    const list = task('list', async () => Array.from({ length: ITEMS }, (_, i) => i));
    const each = task('each', async (_c, x: number) => {
      calls.push(x);
      if (x === failing.item) throw new PermanentError(`item ${x} is bad`);
      return { v: x, pad: 'y'.repeat(100) };
    });
    // The number of outputs when they arrive in item order, else -1.
    task('count', async (_c, xs: { v: number }[]) =>
      xs.every((x, i) => x.v === i) ? xs.length : -1,
    )(each.map(list()));
  });
}

describe('a Distributed Map on the engine', () => {
  it('3,000 instances run as child executions: the run stays under its history limit, the outputs come back in order', async () => {
    const calls: number[] = [];
    const d = wide(calls, { item: undefined });
    const { ir } = buildDagIR(d, 'wide.ts');
    const objects = new MemoryObjectStore();
    const engine = new LocalEngine({ store: local.store, objects, dags: [{ dag: d, ir }] });
    const { run } = await engine.trigger('wide', { date: '2026-11-20' });
    expect(run.status).toBe('success');
    expect(calls).toHaveLength(ITEMS);
    const tasks = new Map((await local.store.listTasks(run.runId)).map((t) => [t.taskId, t]));
    expect(tasks.get('count')?.output).toBe(ITEMS);
    // The run's own history: the Map Run is a few events; its children's are their own.
    // Inline, 3,000 instances would make over 25,000 events in the run's history.
    expect(run.historyEvents).toBeLessThan(200);
    // Every instance's transitions are billed to the run: at least one per instance.
    expect(run.transitions).toBeGreaterThan(ITEMS);
    // The list, the Map Run's results and the collected outputs are objects of the run.
    const keys = [...objects.objects.keys()];
    expect(keys.filter((k) => k.endsWith('/manifest.json'))).toHaveLength(1);
    expect(keys.some((k) => /\/list-1-list0\.json$/.test(k))).toBe(true);
    expect(keys.some((k) => /\/each-outputs\.json$/.test(k))).toBe(true);
  });

  it('a retry runs only the failed instance again, in one child execution; the 2,999 answers it hands back wait in the payload store', async () => {
    const calls: number[] = [];
    const failing = { item: 7 as number | undefined };
    const d = wide(calls, failing);
    const { ir } = buildDagIR(d, 'wide.ts');
    const objects = new MemoryObjectStore();
    const engine = new LocalEngine({ store: local.store, objects, dags: [{ dag: d, ir }] });
    const first = await engine.trigger('wide', { date: '2026-11-20' });
    expect(first.run.status).toBe('failed');
    const states = new Map(
      (await local.store.listTasks(first.run.runId)).map((t) => [t.taskId, t.state]),
    );
    expect(Object.fromEntries(states)).toEqual({
      list: 'success',
      each: 'failed',
      count: 'upstream_failed',
    });
    failing.item = undefined;
    calls.length = 0;
    const again = await engine.retry(first.run.runId);
    expect(again.run.status).toBe('success');
    expect(calls).toEqual([7]);
    // The resumed Map started one child execution, for the instance still to run; the collect
    // state took the 2,999 others' answers from what the retry handed back.
    // (The run's transitions add up its executions': what it cost.)
    expect(first.run.transitions).toBeGreaterThan(ITEMS);
    expect(again.run.transitions! - first.run.transitions!).toBeGreaterThan(0);
    expect(again.run.transitions! - first.run.transitions!).toBeLessThan(20);
    const pending = [...objects.objects.keys()].filter((k) =>
      k.endsWith('/done-each-pending.json'),
    );
    expect(pending.map((k) => JSON.parse(objects.objects.get(k)!))).toEqual([[{ i: 7, v: 7 }]]);
    // Every output, in item order: the one that ran and the 2,999 handed back.
    const records = await local.store.listTasks(again.run.runId);
    expect(records.find((t) => t.taskId === 'count')?.output).toBe(ITEMS);
    const given = [...objects.objects.keys()].filter((k) => k.includes('/done-each.json'));
    expect(given).toHaveLength(1);
    expect(JSON.parse(objects.objects.get(given[0]!)!)).toHaveLength(ITEMS);
  });

  it("a retry tolerates the whole list's percentage of failed instances, not the instances it runs again", async () => {
    // 300 items, 1 % tolerated: 3 may fail. The first run fails 5 (past it: the task fails); the
    // retry runs those 5 again (and any not started), and 2 fail again: within 3 of 300, though
    // 2 of 5 is 40 %.
    const failing = new Set([10, 20, 30, 40, 50]);
    const d = dag('tolerant', {}, () => {
      const list = task('list', async () => Array.from({ length: 300 }, (_, i) => i));
      const each = task('each', { toleratedFailures: '1%' }, async (_c, x: number) => {
        if (failing.has(x)) throw new PermanentError(`item ${x} is bad`);
        return x;
      });
      task(
        'count',
        async (_c, xs: (number | null)[]) => xs.filter((x) => x === null).length,
      )(each.map(list()));
    });
    const { ir } = buildDagIR(d, 'tolerant.ts');
    const objects = new MemoryObjectStore();
    const engine = new LocalEngine({ store: local.store, objects, dags: [{ dag: d, ir }] });
    const first = await engine.trigger('tolerant', { date: '2026-11-20' });
    expect(first.run.status).toBe('failed');
    for (const ok of [10, 20, 30]) failing.delete(ok);
    const again = await engine.retry(first.run.runId);
    expect(again.run.status).toBe('success');
    const records = await local.store.listTasks(again.run.runId);
    // Two instances failed within the tolerance: their outputs are null.
    expect(records.find((t) => t.taskId === 'count')?.output).toBe(2);
    const pending = [...objects.objects.keys()].filter((k) =>
      k.endsWith('/done-each-pending.json'),
    );
    expect(pending).toHaveLength(1);
  });
});

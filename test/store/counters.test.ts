// The task-runner Lambda's counters on the real store (dynalite): try numbers and sensor poke state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore, type LocalStore, type Store } from '../../src/store/index.ts';

let local: LocalStore;
let store: Store;
let unique = 0;
const runId = () => `counters-run-${++unique}`;

beforeAll(async () => {
  local = await openLocalStore();
  store = local.store;
});
afterAll(async () => {
  await local.close();
});

describe('try counter', () => {
  it('counts 1, 2, 3 per task instance, separately for each task and map index', async () => {
    const run = runId();
    expect([await store.nextTry(run, 'a', -1), await store.nextTry(run, 'a', -1), await store.nextTry(run, 'a', -1)]).toEqual([1, 2, 3]);
    expect(await store.nextTry(run, 'a', 0)).toBe(1);
    expect(await store.nextTry(run, 'ab', -1)).toBe(1);
    expect(await store.nextTry(runId(), 'a', -1)).toBe(1);
  });

  it('never gives two concurrent callers the same number', async () => {
    const run = runId();
    const numbers = await Promise.all(Array.from({ length: 20 }, () => store.nextTry(run, 'a', 3)));
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('keeps poke state beside the counter without disturbing it, and out of task and try listings', async () => {
    const run = runId();
    expect(await store.getPokes(run, 's', -1)).toBeUndefined();
    await store.nextTry(run, 's', -1);
    await store.putPokes(run, 's', -1, { waited: 60, n: 1, runAttempt: 1 });
    expect(await store.nextTry(run, 's', -1)).toBe(2);
    await store.putPokes(run, 's', -1, { waited: 180, n: 2, runAttempt: 1 });
    expect(await store.getPokes(run, 's', -1)).toEqual({ waited: 180, n: 2, runAttempt: 1 });
    expect(await store.listTasks(run)).toEqual([]);
    expect(await store.listTries(run)).toEqual([]);
  });
});

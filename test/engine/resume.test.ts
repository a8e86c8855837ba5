/**
 * The engine over the store: deterministic runs (one per interval, however often triggered),
 * resuming a failed run without re-running what succeeded, clearing tasks, backfill, and 50
 * runs at once with every record present exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildDagIR,
  dag,
  lambdaInvoke,
  PermanentError,
  setup,
  task,
  teardown,
  type Dag,
} from 'updraft';
import { openLocalStore, type LocalStore } from '../../src/store/index.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { LocalEngine, type EngineOptions } from '../../src/engine/engine.ts';

let local: LocalStore;
beforeEach(async () => {
  local = await openLocalStore({});
});
afterEach(async () => {
  await local.close();
});

function engineFor(dags: readonly Dag[], extra: Partial<EngineOptions> = {}): LocalEngine {
  return new LocalEngine({
    store: local.store,
    objects: new MemoryObjectStore(),
    dags: dags.map((d) => ({ dag: d, ir: buildDagIR(d, 'test.ts').ir })),
    ...extra,
  });
}

describe('one run per interval', () => {
  it('the same interval triggered twice at once gives one run; each task ran once', async () => {
    let calls = 0;
    const d = dag('twice', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      task('a', async () => ++calls)();
    });
    const engine = engineFor([d]);
    const [x, y] = await Promise.all([
      engine.trigger('twice', { date: '2026-11-20' }),
      engine.trigger('twice', { date: '2026-11-20' }),
    ]);
    expect([x.created, y.created].sort()).toEqual([false, true]);
    expect(x.run.runId).toBe('twice-2026-11-20T00-00-00Z');
    expect(y.run.runId).toBe(x.run.runId);
    expect(calls).toBe(1);
    // And from another engine (another command) later: still one run.
    const again = await engineFor([d]).trigger('twice', { date: '2026-11-20' });
    expect(again.created).toBe(false);
    expect(again.run.status).toBe('success');
    expect((await local.store.listRuns({ dagId: 'twice' })).length).toBe(1);
    expect(calls).toBe(1);
  });
});

describe('retry and clear', () => {
  const counts: Record<string, number> = {};
  let broken = true;
  const d = dag('resumable', {}, () => {
    const count = (id: string) => (counts[id] = (counts[id] ?? 0) + 1);
    const a = task('a', async () => (count('a'), { rows: 3 }));
    const b = task('b', async (_ctx, x: { rows: number }) => {
      count('b');
      if (broken) throw new Error('b is broken');
      return x.rows * 2;
    });
    const c = task('c', async (_ctx, n: number) => (count('c'), n + 1));
    const side = task('side', async () => (count('side'), 'side'));
    c(b(a()));
    side();
  });

  it('retry re-runs the failed task and its downstream, reusing what succeeded', async () => {
    for (const k of Object.keys(counts)) delete counts[k];
    broken = true;
    const engine = engineFor([d]);
    const first = await engine.trigger('resumable', { date: '2026-11-20T00:00:00Z' });
    expect(first.run.status).toBe('failed');
    expect(first.result?.tasks.c?.state).toBe('upstream_failed');
    expect(counts).toEqual({ a: 1, b: 1, side: 1 });

    broken = false;
    const second = await engine.retry(first.run.runId);
    expect(second.run.status).toBe('success');
    expect(second.run.attempt).toBe(2);
    expect(counts).toEqual({ a: 1, b: 2, c: 1, side: 1 });
    const tasks = Object.fromEntries(
      (await local.store.listTasks(first.run.runId)).map((t) => [t.taskId, t]),
    );
    expect(tasks.a).toMatchObject({ state: 'success', reused: true, output: { rows: 3 } });
    expect(tasks.b).toMatchObject({ state: 'success', attempts: 1, output: 6 });
    expect(tasks.c).toMatchObject({ state: 'success', output: 7 });
    // What the run cost is both executions' transitions, the run's and each task's.
    expect(second.run.transitions).toBe(first.run.transitions! + second.result!.transitions);
    expect(tasks.b!.transitions).toBe(
      first.result!.details.b!.transitions! + second.result!.details.b!.transitions!,
    );
    // Try numbers continue across executions, as Airflow's try_number does.
    const bTries = (await local.store.listTries(first.run.runId, 'b')).map((t) => [
      t.tryNumber,
      t.runAttempt,
      t.state,
    ]);
    expect(bTries).toEqual([
      [1, 1, 'failed'],
      [2, 2, 'success'],
    ]);
    await expect(engine.retry(first.run.runId)).rejects.toThrow(
      `run "${first.run.runId}" succeeded; nothing to retry (to run tasks again: updraft clear ${first.run.runId} --task <task>)`,
    );
  });

  it('clear --downstream re-runs the chosen task and what depends on it; the rest keep their outcome', async () => {
    for (const k of Object.keys(counts)) delete counts[k];
    broken = false;
    const engine = engineFor([d]);
    const first = await engine.trigger('resumable', { date: '2026-11-21T00:00:00Z' });
    expect(first.run.status).toBe('success');
    const cleared = await engine.clear(first.run.runId, ['b'], { downstream: true });
    expect(cleared.run.status).toBe('success');
    expect(counts).toEqual({ a: 1, b: 2, c: 2, side: 1 });
    const onlyA = await engine.clear(first.run.runId, ['a']);
    expect(onlyA.run.status).toBe('success');
    expect(counts).toEqual({ a: 2, b: 2, c: 2, side: 1 });
    await expect(engine.clear(first.run.runId, ['nope'])).rejects.toThrow(
      'task "nope" is not in DAG "resumable" (tasks: a, b, c, side)',
    );
    await expect(engine.retry('resumable-1999-01-01T00-00-00Z')).rejects.toThrow(
      'run "resumable-1999-01-01T00-00-00Z" not found; updraft runs <dag> lists the runs of a DAG',
    );
  });
});

describe('time', () => {
  it('--real-time honours retry delays; the virtual clock skips them but still counts them', async () => {
    const make = () => {
      let tries = 0;
      return dag('delayed', {}, () => {
        task('a', { retry: { attempts: 2, delay: '1s' } }, async () => {
          if (++tries === 1) throw new Error('first try fails');
          return tries;
        })();
      });
    };
    const wallReal = Date.now();
    const real = await engineFor([make()], { realTime: true }).trigger('delayed', {
      date: '2026-11-20T00:00:00Z',
    });
    expect(real.run.status).toBe('success');
    expect(Date.now() - wallReal).toBeGreaterThanOrEqual(1000);
    const virtual = await engineFor([make()]).trigger('delayed', { date: '2026-11-21T00:00:00Z' });
    expect(virtual.run.status).toBe('success');
    expect(
      Date.parse(virtual.run.endedAt!) - Date.parse(virtual.run.startedAt!),
    ).toBeGreaterThanOrEqual(1000);
  });
});

describe('backfill', () => {
  it('runs every interval once, throttled; a repeat starts nothing new', async () => {
    let running = 0;
    let most = 0;
    const d = dag('hourly_fill', { schedule: '@hourly', startDate: '2026-11-01' }, () => {
      task('t', async (ctx) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return ctx.logicalDate.toISOString();
      })();
    });
    const engine = engineFor([d]);
    const first = await engine.backfill('hourly_fill', '2026-11-20T00:00Z', '2026-11-20T07:00Z', {
      maxConcurrency: 3,
    });
    expect(first.map((i) => [i.runId, i.status, i.action])).toEqual(
      Array.from({ length: 8 }, (_, h) => [
        `hourly_fill-2026-11-20T0${h}-00-00Z`,
        'success',
        'ran',
      ]),
    );
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
    const again = await engine.backfill('hourly_fill', '2026-11-20T00:00Z', '2026-11-20T07:00Z', {
      maxConcurrency: 3,
    });
    expect(again.every((i) => i.action === 'existing' && i.status === 'success')).toBe(true);
    expect((await local.store.listRuns({ dagId: 'hourly_fill' })).length).toBe(8);
    await expect(engine.backfill('hourly_fill', '2026-11-20', '2026-11-19')).rejects.toThrow(
      '--to 2026-11-19 is before --from 2026-11-20',
    );
  });
});

describe('50 runs at once', () => {
  it('all 50 runs and all their task records are present, none lost or duplicated', async () => {
    const d = dag('many', { schedule: '@hourly', startDate: '2026-01-01' }, () => {
      const a = task('a', async (ctx) => ctx.runId);
      const b = task('b', async (_ctx, x: string) => `${x}/b`);
      const c = task('c', async (_ctx, x: string) => `${x}/c`);
      const e = task('e', async (_ctx, n: number) => n * 2).map([1, 2, 3]);
      const out = a();
      b(out).then(c(out));
      e.then(task('f', async () => 'f')());
    });
    const engine = engineFor([d]);
    const hours = Array.from({ length: 50 }, (_, i) =>
      new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
    );
    const outcomes = await Promise.all(hours.map((h) => engine.trigger('many', { date: h })));
    expect(outcomes.every((o) => o.created && o.run.status === 'success')).toBe(true);
    await engine.flush();
    const runs = await local.store.listRuns({ dagId: 'many', limit: 100 });
    expect(runs.length).toBe(50);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(50);
    for (const run of runs) {
      const tasks = await local.store.listTasks(run.runId);
      expect(tasks.map((t) => `${t.taskId}:${t.state}`).sort()).toEqual([
        'a:success',
        'b:success',
        'c:success',
        'e:success',
        'f:success',
      ]);
      expect(tasks.find((t) => t.taskId === 'b')!.output).toBe(`${run.runId}/b`);
      const tries = await local.store.listTries(run.runId);
      // a, b, c, f once each and three mapped instances of e: seven tries, no duplicates.
      expect(tries.length).toBe(7);
      expect(new Set(tries.map((t) => `${t.taskId}|${t.mapIndex}|${t.tryNumber}`)).size).toBe(7);
    }
  });
});

describe('setup and teardown around a resume (Airflow: clearing work clears its setup and teardown)', () => {
  const counts: Record<string, number> = {};
  let broken = true;
  const d = dag('scoped', {}, () => {
    const count = (id: string) => (counts[id] = (counts[id] ?? 0) + 1);
    const make = setup(
      'make_schema',
      async () => (count('make_schema'), { schema: `s${counts.make_schema}` }),
    );
    const a = task('a', async (_ctx, s: { schema: string }) => (count('a'), `${s.schema}.a`));
    const b = task('b', async (_ctx, s: { schema: string }) => {
      count('b');
      if (broken) throw new PermanentError('b is broken');
      return `${s.schema}.b`;
    });
    const drop = teardown(
      'drop_schema',
      { setups: [make] },
      async () => (count('drop_schema'), 'dropped'),
    );
    const outside = task('outside', async () => (count('outside'), 'o'));
    const schema = make();
    a(schema).then(drop);
    b(schema).then(drop);
    outside();
  });

  it('retry runs the setup and the teardown again around the failed work, not the work that succeeded', async () => {
    const engine = engineFor([d]);
    const first = await engine.trigger('scoped', { date: '2026-11-20' });
    expect(first.run.status).toBe('failed');
    expect(counts).toEqual({ make_schema: 1, a: 1, b: 1, drop_schema: 1, outside: 1 });
    broken = false;
    const second = await engine.retry(first.run.runId);
    expect(second.run.status).toBe('success');
    expect(counts).toEqual({ make_schema: 2, a: 1, b: 2, drop_schema: 2, outside: 1 });
    const outputs = Object.fromEntries(
      (await local.store.listTasks(first.run.runId)).map((t) => [t.taskId, t.output]),
    );
    expect(outputs).toMatchObject({
      make_schema: { schema: 's2' },
      a: 's1.a',
      b: 's2.b',
      drop_schema: 'dropped',
      outside: 'o',
    });
  });

  it('clear of a task outside every scope leaves setups and teardowns alone; clear of the setup runs its teardown again', async () => {
    const engine = engineFor([d]);
    const run = (await engine.trigger('scoped', { date: '2026-11-21' })).run;
    expect(run.status).toBe('success');
    const before = { ...counts };
    await engine.clear(run.runId, ['outside']);
    expect(counts).toEqual({ ...before, outside: before.outside! + 1 });
    await engine.clear(run.runId, ['make_schema']);
    expect(counts).toEqual({
      ...before,
      outside: before.outside! + 1,
      make_schema: before.make_schema! + 1,
      drop_schema: before.drop_schema! + 1,
    });
  });
});

describe('operators on resume', () => {
  it("retry does not call an operator's service again; clear keeps its failure and does not call it either", async () => {
    const calls: string[] = [];
    let failB = true;
    let failOp = false;
    const d = dag('ops_resume', {}, () => {
      const inv = lambdaInvoke<{ n: number }>('inv', { functionName: 'my-fn' });
      const b = task('b', async (_ctx, v: { n: number }) => {
        calls.push('b');
        if (failB) throw new PermanentError('b is broken');
        return v.n + 1;
      });
      b(inv);
    });
    const engine = engineFor([d], {
      overrides: {
        ops_resume: {
          inv: () => {
            calls.push('inv');
            if (failOp) throw new Error('service down');
            return { Payload: { n: 7 } };
          },
        },
      },
    });
    const first = await engine.trigger('ops_resume', { date: '2026-11-20T00:00:00Z' });
    expect(first.run.status).toBe('failed');
    expect(calls).toEqual(['inv', 'b']);

    failB = false;
    const second = await engine.retry(first.run.runId);
    expect(second.run.status).toBe('success');
    expect(calls).toEqual(['inv', 'b', 'b']); // the service was not called again
    expect(second.result?.tasks.b?.output).toBe(8);
    const tasks = Object.fromEntries(
      (await local.store.listTasks(first.run.runId)).map((t) => [t.taskId, t]),
    );
    expect(tasks.inv).toMatchObject({ state: 'success', reused: true, output: { n: 7 } });

    // A run whose operator failed: clearing the task after it keeps the operator's failure.
    failOp = true;
    const other = await engine.trigger('ops_resume', { date: '2026-11-21T00:00:00Z' });
    expect(other.run.status).toBe('failed');
    expect(other.result?.tasks.inv?.state).toBe('failed');
    calls.length = 0;
    failOp = false;
    const cleared = await engine.clear(other.run.runId, ['b']);
    expect(calls).toEqual([]); // b is upstream_failed again, inv keeps its failure, nothing ran
    expect(cleared.result?.tasks.inv).toMatchObject({
      state: 'failed',
      error: { error: 'Updraft.PermanentError', cause: 'service down' },
    });
    expect(cleared.result?.tasks.b?.state).toBe('upstream_failed');
  });
});

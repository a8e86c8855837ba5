/**
 * Conformance: resuming a run is a new execution of the same compiled machine whose input hands
 * back, per task key, what tasks that must not run again answered before (`done`, see
 * compiler/document and runtime/resume). These run the machine exactly as AWS would receive it
 * from `updraft retry --target aws`: function tasks answer through the task runner without
 * running their code; operators route around their service call and record the output given.
 */
import { expect } from 'vitest';
import { dag, lambdaInvoke, task } from 'updraft';
import type { Done } from '../../../src/runtime/resume.ts';
import { defineCases, type Run } from '../case.ts';

/** Why the cases that hand back earlier answers run on runMachine only. */
const NO_DONE =
  'updraft/testing starts fresh runs; the engine resumes through retry/clear (test/engine/resume.test.ts)';

/** a → inv (an operator) and items → each (mapped) → after; counts what ran, in a fresh DAG per run. */
async function runPipeline(run: Run, done?: Done) {
  const calls: Record<string, number> = {};
  const count = (id: string) => (calls[id] = (calls[id] ?? 0) + 1);
  const pipeline = dag('resume_mix', {}, () => {
    const a = task('a', async () => (count('a'), { rows: 3 }))();
    const inv = lambdaInvoke<{ n: number }>('inv', {
      functionName: 'my-fn',
      payload: { rows: a.get('rows') },
    });
    const items = task('items', async () => (count('items'), [1, 2, 3]))();
    const each = task('each', async (_ctx, x: number) => (count(`each ${x}`), x * 10)).map(items);
    task(
      'after',
      async (_ctx, v: { n: number }, xs: number[]) => (count('after'), v.n + xs.length),
    )(inv, each);
  });
  const overrides = { inv: () => (count('inv'), { Payload: { n: 7 } }) };
  const r = await run(pipeline, { overrides, ...(done && { done }) });
  return { r, calls };
}

export const resume = defineCases('resume', (it) => {
  it('a first execution has nothing given: every task runs', async (run) => {
    const { r, calls } = await runPipeline(run);
    expect(r.status).toBe('success');
    expect(calls).toEqual({
      a: 1,
      inv: 1,
      items: 1,
      'each 1': 1,
      'each 2': 1,
      'each 3': 1,
      after: 1,
    });
    expect(r.tasks.after!.output).toBe(10);
  });

  it('given responses are handed back: no code runs and no service is called for them, and the records are the same', {
    unsupported: { engine: NO_DONE },
  }, async (run) => {
    const { r: first } = await runPipeline(run);
    const done: Done = {
      a: { r: { rows: 3 } },
      inv: { o: { n: 7 } },
      items: { r: [1, 2, 3] },
      each: { g: [{ r: 10 }, null, { r: 30 }] }, // instance 1 failed before: it runs again
    };
    const { r, calls } = await runPipeline(run, done);
    expect(r.status).toBe('success');
    expect(calls).toEqual({ 'each 2': 1, after: 1 });
    for (const id of ['a', 'inv', 'items', 'each', 'after'])
      expect(r.tasks[id]!.output, id).toEqual(first.tasks[id]!.output);
    expect(r.tasks.inv).toMatchObject({ reused: true });
    expect(r.tasks.a).toMatchObject({ reused: true });
  });

  it('a failure that stays (clear) is a failure again, without running the task or calling the service', {
    unsupported: { engine: NO_DONE },
  }, async (run) => {
    const kept = { e: { Error: 'Updraft.PermanentError', Cause: 'the service said no' } };
    const { r, calls } = await runPipeline(run, {
      a: { r: { rows: 3 } },
      inv: kept,
      items: { r: [1, 2, 3] },
      each: { g: [{ r: 10 }, { r: 20 }, { r: 30 }] },
    });
    expect(r.status).toBe('failed');
    expect(r.states).toMatchObject({
      a: 'success',
      inv: 'failed',
      items: 'success',
      each: 'success',
      after: 'upstream_failed',
    });
    expect(r.tasks.inv!.error).toEqual({
      error: 'Updraft.PermanentError',
      cause: 'the service said no',
    });
    expect(calls).toEqual({});

    const { r: fn, calls: fnCalls } = await runPipeline(run, {
      a: { e: { Error: 'Updraft.PermanentError', Cause: 'a broke' } },
    });
    expect(fn.states.a).toBe('failed');
    expect(fn.tasks.a!.error).toEqual({ error: 'Updraft.PermanentError', cause: 'a broke' });
    expect(fnCalls.a).toBeUndefined();
  });
});

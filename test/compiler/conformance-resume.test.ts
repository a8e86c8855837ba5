/**
 * Conformance: resuming a run is a new execution of the same compiled machine whose input hands
 * back, per task key, what tasks that must not run again answered before (`done`, see
 * compiler/document and runtime/resume). These run the machine exactly as AWS would receive it
 * from `updraft retry --target aws`: function tasks answer through the task runner without
 * running their code; operators route around their service call and record the output given.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { runMachine } from '../../src/engine/run-machine.ts';
import { buildDone, type Done } from '../../src/runtime/resume.ts';
import type { TryRecord } from '../../src/store/types.ts';
import { dag, lambdaInvoke, task } from './imports.ts';
import { RUN } from './harness.ts';

const calls: Record<string, number> = {};
const count = (id: string) => (calls[id] = (calls[id] ?? 0) + 1);

const pipeline = dag('resume_mix', {}, () => {
  const a = task('a', async () => (count('a'), { rows: 3 }))();
  const inv = lambdaInvoke<{ n: number }>('inv', { functionName: 'my-fn', payload: { rows: a.get('rows') } });
  const items = task('items', async () => (count('items'), [1, 2, 3]))();
  const each = task('each', async (_ctx, x: number) => (count(`each ${x}`), x * 10)).map(items);
  task('after', async (_ctx, v: { n: number }, xs: number[]) => (count('after'), v.n + xs.length))(inv, each);
});

async function run(done?: Done) {
  for (const k of Object.keys(calls)) delete calls[k];
  const { ir } = buildDagIR(pipeline, 'test.ts');
  const compiled = compileDag(ir);
  const overrides = { inv: () => (count('inv'), { Payload: { n: 7 } }) };
  const r = await runMachine({ dag: pipeline, ir, compiled, run: { ...RUN, dagId: ir.id }, overrides, ...(done && { done }) });
  return { ...r, states: Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, t.state])) };
}

describe('conformance: resume (one mechanism on both targets)', () => {
  it('a first execution has nothing given: every task runs', async () => {
    const r = await run();
    expect(r.status).toBe('success');
    expect(calls).toEqual({ a: 1, inv: 1, items: 1, 'each 1': 1, 'each 2': 1, 'each 3': 1, after: 1 });
    expect(r.tasks.after!.output).toBe(10);
  });

  it('given responses are handed back: no code runs and no service is called for them, and the records are the same', async () => {
    const first = await run();
    const done: Done = {
      a: { r: { rows: 3 } },
      inv: { o: { n: 7 } },
      items: { r: [1, 2, 3] },
      each: { g: [{ r: 10 }, null, { r: 30 }] }, // instance 1 failed before: it runs again
    };
    const r = await run(done);
    expect(r.status).toBe('success');
    expect(calls).toEqual({ 'each 2': 1, after: 1 });
    for (const id of ['a', 'inv', 'items', 'each', 'after']) expect(r.tasks[id]!.output, id).toEqual(first.tasks[id]!.output);
    expect(r.details.inv).toMatchObject({ reused: true });
    expect(r.details.a).toMatchObject({ reused: true });
  });

  it('a failure that stays (clear) is a failure again, without running the task or calling the service', async () => {
    const kept = { e: { Error: 'Updraft.PermanentError', Cause: 'the service said no' } };
    const r = await run({ a: { r: { rows: 3 } }, inv: kept, items: { r: [1, 2, 3] }, each: { g: [{ r: 10 }, { r: 20 }, { r: 30 }] } });
    expect(r.status).toBe('failed');
    expect(r.states).toMatchObject({ a: 'success', inv: 'failed', items: 'success', each: 'success', after: 'upstream_failed' });
    expect(r.tasks.inv!.error).toEqual({ Error: 'Updraft.PermanentError', Cause: 'the service said no' });
    expect(calls).toEqual({});

    const fn = await run({ a: { e: { Error: 'Updraft.PermanentError', Cause: 'a broke' } } });
    expect(fn.states.a).toBe('failed');
    expect(fn.tasks.a!.error).toEqual({ Error: 'Updraft.PermanentError', Cause: 'a broke' });
    expect(calls.a).toBeUndefined();
  });

  it('buildDone turns the latest tries into done: responses, operator outputs, kept failures, a mapped task per instance', () => {
    const tries = [
      { taskId: 'a', mapIndex: -1, state: 'success', response: { rows: 3 } },
      { taskId: 'each', mapIndex: 0, state: 'success', response: 10 },
      { taskId: 'each', mapIndex: 2, state: 'success', response: 30 },
      { taskId: 'each', mapIndex: 1, state: 'failed', error: { error: 'Error', cause: 'boom' } },
    ] as unknown as TryRecord[];
    const latest = new Map(tries.map((t) => [`${t.taskId}|${t.mapIndex}`, t]));
    const tasks = [
      { id: 'a', key: 'a', mapped: false },
      { id: 'b', key: 'b', mapped: false },
      { id: 'each', key: 'each', mapped: true },
    ];
    const retry = buildDone(tasks, tries, (id, i) => {
      const t = latest.get(`${id}|${i}`);
      return t?.state === 'success' ? { response: t.response } : undefined;
    });
    expect(retry).toEqual({ a: { r: { rows: 3 } }, each: { g: [{ r: 10 }, null, { r: 30 }] } });
    expect(buildDone([{ id: 'inv', key: 'inv', mapped: false }], [], () => ({ output: { n: 7 } }))).toEqual({ inv: { o: { n: 7 } } });
    const clear = buildDone(tasks, tries, (id, i) => {
      const t = latest.get(`${id}|${i}`);
      return t?.state === 'success' ? { response: t.response } : t?.error ? { error: t.error } : undefined;
    });
    expect(clear.each).toEqual({ g: [{ r: 10 }, { e: { Error: 'Updraft.PermanentError', Cause: 'boom' } }, { r: 30 }] });
  });
});

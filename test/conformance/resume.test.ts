/** The resume cases (cases/resume.ts) on every runner (and with Distributed Maps), and how `done` is built from a run's tries. */
import { expect, it } from 'vitest';
import { buildDone } from '../../src/runtime/resume.ts';
import type { TryRecord } from '../../src/store/types.ts';
import { resume } from './cases/resume.ts';
import { conform } from './conform.ts';
import { distributedRunner, runners } from './runners.ts';

conform(resume, [...runners, distributedRunner]);

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
  expect(
    buildDone([{ id: 'inv', key: 'inv', mapped: false }], [], () => ({ output: { n: 7 } })),
  ).toEqual({ inv: { o: { n: 7 } } });
  const clear = buildDone(tasks, tries, (id, i) => {
    const t = latest.get(`${id}|${i}`);
    return t?.state === 'success'
      ? { response: t.response }
      : t?.error
        ? { error: t.error }
        : undefined;
  });
  expect(clear.each).toEqual({
    g: [{ r: 10 }, { e: { Error: 'Updraft.PermanentError', Cause: 'boom' } }, { r: 30 }],
  });
});

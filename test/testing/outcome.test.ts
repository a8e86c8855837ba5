/** What `runDag` from `updraft/testing` promises (README "Testing your DAGs"): an Outcome, plus the run record and its children. */
import { expect, it } from 'vitest';
import { dag, PermanentError, task } from 'updraft';
import { runDag } from 'updraft/testing';

it('the result is an Outcome with the run and its children; a task is its outcome, not the store record', async () => {
  const d = dag('outcome_shape', {}, () => {
    const a = task('a', async (ctx) => (ctx.log.info('hi'), { rows: 2 }))();
    a.then(
      task('b', async () => {
        throw new PermanentError('no rows');
      }),
    );
  });
  const r = await runDag(d, { date: '2026-11-20' });
  expect(Object.keys(r).sort()).toEqual([
    'children',
    'historyEvents',
    'logs',
    'outbox',
    'outputs',
    'run',
    'runId',
    'started',
    'states',
    'status',
    'tasks',
    'transitions',
    'tries',
  ]);
  expect(r).toMatchObject({
    status: 'failed',
    runId: 'outcome_shape-2026-11-20T00-00-00Z',
    states: { a: 'success', b: 'failed' },
    outputs: { a: { rows: 2 } },
    started: ['a', 'b'],
    children: [],
    outbox: [],
  });
  expect(r.tasks).toEqual({
    a: { state: 'success', attempts: 1, output: { rows: 2 } },
    b: {
      state: 'failed',
      attempts: 1,
      error: { error: 'Updraft.PermanentError', cause: 'no rows' },
    },
  });
  expect(r.run).toMatchObject({
    runId: r.runId,
    status: 'failed',
    error: { error: 'Updraft.PermanentError', cause: 'task "b" failed: no rows' },
  });
  expect(r.transitions).toBeGreaterThan(0);
  expect(r.historyEvents).toBeGreaterThan(r.transitions);
  expect(r.tries.map((t) => `${t.taskId} #${t.tryNumber} ${t.state}`)).toEqual([
    'a #1 success',
    'b #1 failed',
  ]);
  expect(r.logs).toMatchObject([
    { task: 'a', message: 'hi' },
    { task: 'b', try: 1, message: 'try 1 failed: no rows' },
  ]);
});

/**
 * The engine's live task events (what `updraft run` prints and the UI shows while a run goes on)
 * end in the state the run's outcome records, whichever state wrote the record: a Task state's
 * own answer, its Catch (a failure in place), the runner's decision without running the code, or
 * the last task of a Parallel branch answering the branch's own records — as soon as that state
 * ends, not when the fork joins.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR, dag, PermanentError, task } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { runMachine } from '../../src/engine/run-machine.ts';
import type { EngineEvent } from '../../src/engine/engine-event.ts';
import { RUN } from '../compiler/harness.ts';

const ok = (id: string) => task(id, async () => id);
const boom = (id: string) =>
  task(id, async () => {
    throw new PermanentError(`${id} broke`);
  });

const shaped = dag('live_states', {}, () => {
  const a = ok('a')();
  // A two-task branch whose last task fails in place, and a one-task branch after it.
  const b2 = a.then(ok('b1')).then(boom('b2'));
  const slow = task(
    'c3',
    async () => new Promise((resolve) => setTimeout(() => resolve('c3'), 150)),
  );
  const c = a.then(ok('c1')).then(ok('c2')).then(slow);
  const d = a.then(ok('d')); // a one-task branch
  d.then(ok('after_d'));
  b2.then(ok('after_b')); // upstream_failed, decided by the runner
  c.then(ok('after_c'));
});

describe('live task states', () => {
  it('the last task event of every task is its recorded state', async () => {
    const { ir } = buildDagIR(shaped, 'live.ts');
    const compiled = compileDag(ir);
    const last = new Map<string, string>();
    const order: string[] = [];
    const r = await runMachine({
      dag: shaped,
      ir,
      compiled,
      run: { ...RUN, dagId: 'live_states' },
      onEvent: (e: EngineEvent) => {
        if (e.type !== 'task' || e.mapIndex !== undefined) return;
        last.set(e.taskId, e.state);
        order.push(`${e.taskId} ${e.state}`);
      },
    });
    const states = Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, t.state]));
    expect(states).toEqual({
      a: 'success',
      b1: 'success',
      b2: 'failed',
      c1: 'success',
      c2: 'success',
      c3: 'success',
      d: 'success',
      after_d: 'success',
      after_b: 'upstream_failed',
      after_c: 'success',
    });
    expect(Object.fromEntries(last)).toEqual(states);
    // Reported when the branch's last state answers, not when the slow branch lets the fork join.
    for (const early of ['b2 failed', 'd success'])
      expect(order.indexOf(early)).toBeLessThan(order.indexOf('c3 success'));
  });
});

/**
 * Conformance: task groups on compiled machines. Tasks inside get the group id as prefix and
 * inherit the group's defaults (retry, timeout, trigger rule); an edge into a group reaches its
 * first tasks and an edge out of it leaves from its last ones. Group-level retry (re-running the
 * whole group) is being implemented: its scenarios are `it.todo` below.
 */
import { describe, expect, it } from 'vitest';
import { chain, dag, group, PermanentError, task } from './imports.ts';
import { runDag } from './harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('conformance: groups', () => {
  it('edges into and out of a group reach its first and last tasks', async () => {
    const d = dag('group_edges', {}, () => {
      const start = task('start', async () => 1)();
      const g = group('transform', () => {
        const clean = task('clean', async () => 'c')();
        const a = task('enrich_a', async () => 'a')();
        const b = task('enrich_b', async () => 'b')();
        chain(clean, [a, b]);
      });
      const end = task('end', async () => 'end')();
      start.then(g);
      g.then(end);
    });
    const r = await runDag(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ start: 'success', 'transform.clean': 'success', 'transform.enrich_a': 'success', 'transform.enrich_b': 'success', end: 'success' });
    expect(r.started[0]).toBe('start');
    expect(r.started[1]).toBe('transform.clean');
    expect(r.started.at(-1)).toBe('end');
  });

  it('a failure inside a group makes the tasks after the group upstream_failed', async () => {
    const d = dag('group_failure', {}, () => {
      const g = group('g', () => {
        task('ok', async () => 1)();
        task('bad', async () => {
          throw new PermanentError('bad inside');
        })();
      });
      chain(task('start', async () => 0), g, task('end', async () => 2));
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ start: 'success', 'g.ok': 'success', 'g.bad': 'failed', end: 'upstream_failed' });
  });

  it('group output passes data out of the group; nested groups prefix ids', async () => {
    const d = dag('group_data', {}, () => {
      const g = group('outer', () =>
        group('inner', () => {
          const n = task('n', async () => 20)();
          return task('double', async (_ctx, x: number) => x * 2)(n);
        }),
      );
      task('report', async (_ctx, v: number) => `v=${v}`)(g.output.output);
    });
    const r = await runDag(d);
    expect(r.states).toEqual({ 'outer.inner.n': 'success', 'outer.inner.double': 'success', report: 'success' });
    expect(r.tasks.report!.output).toBe('v=40');
  });

  it('group default retry is inherited by its tasks and nested groups', async () => {
    const d = dag('group_retry_defaults', {}, () => {
      group('g', { defaults: { retry: { attempts: 3, delay: '1s' } } }, () => {
        task('a', async (ctx) => {
          if (ctx.attempt < 3) throw new Error('flaky');
          return ctx.attempt;
        })();
        group('inner', () => {
          task('b', async () => {
            throw new Error('always');
          })();
        });
      });
    });
    const r = await runDag(d);
    expect(r.tasks['g.a']).toEqual({ state: 'success', attempts: 3, output: 3 });
    expect(r.tasks['g.inner.b']).toEqual({ state: 'failed', attempts: 3, error: { Error: 'Updraft.TaskFailed', Cause: 'always' } });
  });

  it('group default timeout is inherited: a slow task times out', async () => {
    const d = dag('group_timeout_default', {}, () => {
      group('g', { defaults: { timeout: '1s' } }, () => {
        task('slow', async () => {
          await sleep(1500);
          return 'late';
        })();
        task('fast', async () => 'fast')();
      });
    });
    const r = await runDag(d);
    expect(r.states).toEqual({ 'g.slow': 'failed', 'g.fast': 'success' });
    expect(r.tasks['g.slow']!.error?.Error).toBe('States.Timeout');
  });

  it('a task overrides the group default timeout', async () => {
    const d = dag('group_timeout_override', { defaults: { timeout: '1s' } }, () => {
      group('g', () => {
        task('patient', { timeout: '5s' }, async () => {
          await sleep(1200);
          return 'done';
        })();
      });
    });
    const r = await runDag(d);
    expect(r.tasks['g.patient']).toEqual({ state: 'success', attempts: 1, output: 'done' });
  });

  it('group default trigger rule applies to its tasks', async () => {
    const d = dag('group_trigger_default', {}, () => {
      const bad = task('bad', async () => {
        throw new PermanentError('x');
      })();
      const g = group('cleanup', { defaults: { triggerRule: 'all_done' } }, () => {
        task('first', async () => 'first ran')();
      });
      bad.then(g);
    });
    const r = await runDag(d);
    expect(r.states).toEqual({ bad: 'failed', 'cleanup.first': 'success' });
    expect(r.status).toBe('success');
  });

  it('two groups in sequence and one in parallel', async () => {
    const d = dag('group_shapes', {}, () => {
      const a = group('a', () => {
        chain(task('x', async () => 1), task('y', async () => 2));
      });
      const b = group('b', () => {
        task('x', async () => 3)();
      });
      const c = group('c', () => {
        task('x', async () => 4)();
      });
      a.then(b);
      chain(c);
    });
    const r = await runDag(d);
    expect(r.states).toEqual({ 'a.x': 'success', 'a.y': 'success', 'b.x': 'success', 'c.x': 'success' });
    expect(r.started.indexOf('a.y')).toBeLessThan(r.started.indexOf('b.x'));
  });

  // Group-level retry (DESIGN §2: "task groups (nested, with group-level retry)"), being implemented.
  // Expected: when a task of a group with `retry: { attempts: n }` still fails after its own retries,
  // the whole group re-runs from its first tasks (every task of the group again, attempts counted
  // per task across group tries), up to n group tries; tasks after the group wait for the final try.
  it.todo('group retry: a task failing once makes the whole group re-run; on the 2nd group try all succeed (every task of the group runs twice)');
  it.todo('group retry: attempts exhausted → the failing task is failed, the group tasks after it upstream_failed, tasks after the group upstream_failed');
  it.todo('group retry: task-level retries are used up first (task attempts 2 × group attempts 2 = 4 tries of the failing task)');
  it.todo('group retry: a PermanentError inside the group does not re-run the group');
  it.todo('group retry: nested group with its own retry re-runs only the inner group before the outer group re-runs');
  it.todo('group retry: a branch/skip inside the group is re-decided on each group try');
  it.todo('group retry: tasks outside the group running in parallel are not re-run');
});

/**
 * Conformance: task groups on compiled machines. Tasks inside get the group id as prefix and
 * inherit the group's defaults (retry, timeout, trigger rule); an edge into a group reaches its
 * first tasks and an edge out of it leaves from its last ones. A group-level retry re-runs the whole
 * group when one of its tasks still fails after its own retries, up to the group's attempts.
 */
import { expect } from 'vitest';
import { branch, chain, dag, group, PermanentError, task } from 'updraft';
import { defineCases } from '../case.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body failing with a transient error on its first `failures` calls (counted in `calls`). */
const flakyBody = (calls: string[], id: string, failures: number) => async () => {
  calls.push(id);
  if (calls.filter((c) => c === id).length <= failures) throw new Error(`${id} flaky`);
  return id;
};

export const groups = defineCases('groups', (it) => {
  it('edges into and out of a group reach its first and last tasks', async (run) => {
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
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      start: 'success',
      'transform.clean': 'success',
      'transform.enrich_a': 'success',
      'transform.enrich_b': 'success',
      end: 'success',
    });
    expect(r.started[0]).toBe('start');
    expect(r.started[1]).toBe('transform.clean');
    expect(r.started.at(-1)).toBe('end');
  });

  it('a failure inside a group makes the tasks after the group upstream_failed', async (run) => {
    const d = dag('group_failure', {}, () => {
      const g = group('g', () => {
        task('ok', async () => 1)();
        task('bad', async () => {
          throw new PermanentError('bad inside');
        })();
      });
      chain(
        task('start', async () => 0),
        g,
        task('end', async () => 2),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      start: 'success',
      'g.ok': 'success',
      'g.bad': 'failed',
      end: 'upstream_failed',
    });
  });

  it('group output passes data out of the group; nested groups prefix ids', async (run) => {
    const d = dag('group_data', {}, () => {
      const g = group('outer', () =>
        group('inner', () => {
          const n = task('n', async () => 20)();
          return task('double', async (_ctx, x: number) => x * 2)(n);
        }),
      );
      task('report', async (_ctx, v: number) => `v=${v}`)(g.output.output);
    });
    const r = await run(d);
    expect(r.states).toEqual({
      'outer.inner.n': 'success',
      'outer.inner.double': 'success',
      report: 'success',
    });
    expect(r.tasks.report!.output).toBe('v=40');
  });

  it('group default retry is inherited by its tasks and nested groups', async (run) => {
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
    const r = await run(d);
    expect(r.tasks['g.a']).toEqual({ state: 'success', attempts: 3, output: 3 });
    expect(r.tasks['g.inner.b']).toEqual({
      state: 'failed',
      attempts: 3,
      error: { error: 'Updraft.TaskFailed', cause: 'always' },
    });
  });

  it('group default timeout is inherited: a slow task times out', {
    unsupported: {
      parts:
        "a task timeout is its Task state's TimeoutSeconds, the same in a part; runMachine runs it (each case waits a real second)",
    },
  }, async (run) => {
    const d = dag('group_timeout_default', {}, () => {
      group('g', { defaults: { timeout: '1s' } }, () => {
        task('slow', async () => {
          await sleep(1500);
          return 'late';
        })();
        task('fast', async () => 'fast')();
      });
    });
    const r = await run(d);
    expect(r.states).toEqual({ 'g.slow': 'failed', 'g.fast': 'success' });
    expect(r.tasks['g.slow']!.error?.error).toBe('States.Timeout');
  });

  it('a task overrides the group default timeout', {
    unsupported: {
      parts:
        "a task timeout is its Task state's TimeoutSeconds, the same in a part; runMachine runs it (each case waits a real second)",
    },
  }, async (run) => {
    const d = dag('group_timeout_override', { defaults: { timeout: '1s' } }, () => {
      group('g', () => {
        task('patient', { timeout: '5s' }, async () => {
          await sleep(1200);
          return 'done';
        })();
      });
    });
    const r = await run(d);
    expect(r.tasks['g.patient']).toEqual({ state: 'success', attempts: 1, output: 'done' });
  });

  it('group default trigger rule applies to its tasks', async (run) => {
    const d = dag('group_trigger_default', {}, () => {
      const bad = task('bad', async () => {
        throw new PermanentError('x');
      })();
      const g = group('cleanup', { defaults: { triggerRule: 'all_done' } }, () => {
        task('first', async () => 'first ran')();
      });
      bad.then(g);
    });
    const r = await run(d);
    expect(r.states).toEqual({ bad: 'failed', 'cleanup.first': 'success' });
    expect(r.status).toBe('success');
  });

  it('two groups in sequence and one in parallel', async (run) => {
    const d = dag('group_shapes', {}, () => {
      const a = group('a', () => {
        chain(
          task('x', async () => 1),
          task('y', async () => 2),
        );
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
    const r = await run(d);
    expect(r.states).toEqual({
      'a.x': 'success',
      'a.y': 'success',
      'b.x': 'success',
      'c.x': 'success',
    });
    expect(r.started.indexOf('a.y')).toBeLessThan(r.started.indexOf('b.x'));
  });

  it('group-level retry: a task failing once makes the whole group re-run; on the 2nd try all succeed', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_once', {}, () => {
      const g = group('load', { retry: { attempts: 3, delay: '1m' } }, () => {
        chain(
          task('stage', flakyBody(calls, 'stage', 0)),
          task('commit', flakyBody(calls, 'commit', 1)),
          task('verify', flakyBody(calls, 'verify', 0)),
        );
      });
      chain(
        task('start', flakyBody(calls, 'start', 0)),
        g,
        task('end', flakyBody(calls, 'end', 0)),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      start: 'success',
      'load.stage': 'success',
      'load.commit': 'success',
      'load.verify': 'success',
      end: 'success',
    });
    expect(calls).toEqual(['start', 'stage', 'commit', 'stage', 'commit', 'verify', 'end']);
    expect(Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, t.attempts]))).toEqual({
      start: 1,
      'load.stage': 2,
      'load.commit': 2,
      'load.verify': 1,
      end: 1,
    });
  });

  it('group-level retry: attempts exhausted: the failing task failed, the rest of the group and what follows upstream_failed', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_exhausted', {}, () => {
      const g = group('load', { retry: { attempts: 2, delay: '1m' } }, () => {
        chain(
          task('stage', flakyBody(calls, 'stage', 0)),
          task('commit', flakyBody(calls, 'commit', 9)),
          task('verify', flakyBody(calls, 'verify', 0)),
        );
      });
      chain(g, task('end', flakyBody(calls, 'end', 0)));
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      'load.stage': 'success',
      'load.commit': 'failed',
      'load.verify': 'upstream_failed',
      end: 'upstream_failed',
    });
    expect(calls).toEqual(['stage', 'commit', 'stage', 'commit']);
    expect(r.tasks['load.commit']!.error).toEqual({
      error: 'Updraft.TaskFailed',
      cause: 'commit flaky',
    });
  });

  it('group-level retry: task-level retries are used up first: 2 task attempts × 2 group attempts = 4 tries', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_nested_counts', {}, () => {
      group('load', { retry: { attempts: 2, delay: '1m' } }, () => {
        task('commit', { retry: { attempts: 2, delay: '1s' } }, flakyBody(calls, 'commit', 9))();
      });
    });
    const r = await run(d);
    expect(r.tasks['load.commit']!.state).toBe('failed');
    expect(calls).toHaveLength(4);
    expect(r.tasks['load.commit']!.attempts).toBe(4);
  });

  it('group-level retry: tasks outside the group, running in parallel with it, are not re-run', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_parallel_outside', {}, () => {
      const start = task('start', flakyBody(calls, 'start', 0))();
      const g = group('load', { retry: { attempts: 2, delay: '1m' } }, () => {
        task('commit', flakyBody(calls, 'commit', 1))();
      });
      start.then(g);
      start.then(task('side', flakyBody(calls, 'side', 0)));
    });
    const r = await run(d);
    expect(r.states).toEqual({ start: 'success', 'load.commit': 'success', side: 'success' });
    expect(calls.filter((c) => c === 'side')).toEqual(['side']);
    expect(calls.filter((c) => c === 'start')).toEqual(['start']);
    expect(calls.filter((c) => c === 'commit')).toEqual(['commit', 'commit']);
  });

  it('group-level retry: parallel tasks in a retried group: the task that succeeds on the retry ends success', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_parallel_inside', {}, () => {
      group('g', { retry: { attempts: 2, delay: '1m' } }, () => {
        task('a', flakyBody(calls, 'a', 1))();
        task('b', flakyBody(calls, 'b', 0))();
      });
    });
    const r = await run(d);
    expect(calls.filter((c) => c === 'a')).toEqual(['a', 'a']);
    expect(r.states).toEqual({ 'g.a': 'success', 'g.b': 'success' });
    expect(r.status).toBe('success');
  });

  it('group-level retry: a branch inside the group is decided again on each group try', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_branch', {}, () => {
      group('g', { retry: { attempts: 2, delay: '1m' } }, () => {
        let tries = 0;
        const pick = branch('pick', async () => (++tries === 1 ? 'g.risky' : 'g.safe'))();
        pick.then(
          task('risky', flakyBody(calls, 'risky', 9)),
          task('safe', flakyBody(calls, 'safe', 0)),
        );
      });
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ 'g.pick': 'success', 'g.risky': 'skipped', 'g.safe': 'success' });
    expect(calls).toEqual(['risky', 'safe']);
  });

  it('group-level retry: a mapped task with a failing instance re-runs the group', async (run) => {
    let tries = 0;
    const d = dag('gr_mapped', {}, () => {
      group('g', { retry: { attempts: 2, delay: '1m' } }, () => {
        task('m', async (_ctx, n: number) => {
          if (n === 2 && ++tries === 1) throw new Error('flaky item');
          return n;
        }).map([1, 2, 3]);
      });
    });
    const r = await run(d);
    expect(r.tasks['g.m']).toEqual({
      state: 'success',
      attempts: 2,
      output: [1, 2, 3],
      mapped: { count: 3, failed: 0 },
    });
    expect(r.status).toBe('success');
  });

  it('group-level retry: a nested group with its own retry re-runs alone before the outer group re-runs', async (run) => {
    const calls: string[] = [];
    const d = dag('gr_nested', {}, () => {
      group('outer', { retry: { attempts: 2, delay: '1m' } }, () => {
        const first = task('first', flakyBody(calls, 'first', 0))();
        const inner = group('inner', { retry: { attempts: 2, delay: '1m' } }, () => {
          task('x', flakyBody(calls, 'x', 2))();
        });
        first.then(inner);
      });
    });
    const r = await run(d);
    // x fails twice in the first outer try (inner tries 1 and 2), then succeeds in the second outer try.
    expect(calls).toEqual(['first', 'x', 'x', 'first', 'x']);
    expect(r.states).toEqual({ 'outer.first': 'success', 'outer.inner.x': 'success' });
    expect(r.status).toBe('success');
  });

  // Decided: a PermanentError fails at once and does not re-run its group either (docs/authoring.md#task-groups);
  // see test/compiler/group-retry.test.ts ("does not re-run the group for a permanent error").
});

/**
 * Conformance: retries and timeouts on compiled machines. `attempts` counts every try (the
 * first included); transient errors are retried, `PermanentError` fails at once; policies are
 * inherited from the DAG and from group defaults unless a task sets its own (or `retry: false`).
 */
import { expect } from 'vitest';
import { chain, dag, group, PermanentError, task } from 'updraft';
import { defineCases } from '../case.ts';

/** A task body that throws a transient error on the first `failures` tries, then returns `value`. */
function flaky(failures: number, value: unknown = 'ok') {
  return async (ctx: { attempt: number }) => {
    if (ctx.attempt <= failures) throw new Error(`transient ${ctx.attempt}`);
    return value;
  };
}

export const retries = defineCases('retries', (it) => {
  it('fails twice, succeeds on the 3rd of 3 attempts', async (run) => {
    const seen: number[] = [];
    const d = dag('retry_ok', {}, () => {
      const a = task('a', { retry: { attempts: 3, delay: '1s' } }, async (ctx) => {
        seen.push(ctx.attempt);
        return flaky(2, 'third time')(ctx);
      });
      chain(
        a,
        task('b', async () => 'after'),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ a: 'success', b: 'success' });
    expect(r.tasks.a).toEqual({ state: 'success', attempts: 3, output: 'third time' });
    expect(seen).toEqual([1, 2, 3]);
    expect(r.started).toEqual(['a', 'b']);
    // Billed as on AWS: a, b, the run's end (a Choice on b's record, then Succeed: b's runner
    // decides its trigger rule, so b may have been upstream_failed), and each of a's 2 retries.
    expect(r.transitions).toBe(4 + 2);
  });

  it('2 attempts are not enough for a task failing twice', async (run) => {
    const d = dag('retry_short', {}, () => {
      chain(
        task('a', { retry: { attempts: 2, delay: '1s' } }, flaky(2)),
        task('b', async () => 1),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ a: 'failed', b: 'upstream_failed' });
    expect(r.tasks.a!.attempts).toBe(2);
    expect(r.tasks.a!.error).toEqual({ error: 'Updraft.TaskFailed', cause: 'transient 2' });
  });

  it('PermanentError is never retried', async (run) => {
    const d = dag('retry_permanent', {}, () => {
      task('a', { retry: { attempts: 5, delay: '1s' } }, async () => {
        throw new PermanentError('schema mismatch');
      })();
    });
    const r = await run(d);
    expect(r.states).toEqual({ a: 'failed' });
    expect(r.tasks.a!.attempts).toBe(1);
    expect(r.tasks.a!.error).toEqual({ error: 'Updraft.PermanentError', cause: 'schema mismatch' });
  });

  it('a transient error then a PermanentError stops retrying at once', async (run) => {
    const d = dag('retry_then_permanent', {}, () => {
      task('a', { retry: { attempts: 5, delay: '1s' } }, async (ctx) => {
        if (ctx.attempt === 1) throw new Error('flaky network');
        throw new PermanentError('now it is permanent');
      })();
    });
    const r = await run(d);
    expect(r.tasks.a).toEqual({
      state: 'failed',
      attempts: 2,
      error: { error: 'Updraft.PermanentError', cause: 'now it is permanent' },
    });
  });

  it('no retry policy: one attempt', async (run) => {
    const d = dag('no_retry', {}, () => {
      task('a', flaky(1))();
    });
    const r = await run(d);
    expect(r.tasks.a!.state).toBe('failed');
    expect(r.tasks.a!.attempts).toBe(1);
  });

  it('the DAG default retry is inherited; a task can override it or turn it off', async (run) => {
    const d = dag('dag_default', { retry: { attempts: 3, delay: '1s' } }, () => {
      task('inherits', flaky(2, 'i'))();
      task('own', { retry: { attempts: 4, delay: '1s' } }, flaky(3, 'o'))();
      task('off', { retry: false }, flaky(1))();
      task('exhausts', flaky(5))();
    });
    const r = await run(d);
    expect(r.states).toEqual({
      inherits: 'success',
      own: 'success',
      off: 'failed',
      exhausts: 'failed',
    });
    expect(Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, t.attempts]))).toEqual({
      inherits: 3,
      own: 4,
      off: 1,
      exhausts: 3,
    });
    expect(r.status).toBe('failed');
  });

  it('group defaults override the DAG default for the tasks inside, nested groups inherit', async (run) => {
    const d = dag('group_default', { retry: { attempts: 2, delay: '1s' } }, () => {
      group('g', { defaults: { retry: { attempts: 4, delay: '1s' } } }, () => {
        task('a', flaky(10))();
        group('inner', () => {
          task('b', flaky(10))();
        });
        task('c', { retry: { attempts: 1 } }, flaky(10))();
      });
      task('outside', flaky(10))();
    });
    const r = await run(d);
    expect(r.states).toEqual({
      'g.a': 'failed',
      'g.inner.b': 'failed',
      'g.c': 'failed',
      outside: 'failed',
    });
    expect(Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, t.attempts]))).toEqual({
      'g.a': 4,
      'g.inner.b': 4,
      'g.c': 1,
      outside: 2,
    });
  });

  it('a group can turn the inherited retry off', async (run) => {
    const d = dag('group_off', { retry: { attempts: 3, delay: '1s' } }, () => {
      group('g', { defaults: { retry: false } }, () => {
        task('a', flaky(1))();
      });
    });
    const r = await run(d);
    expect(r.tasks['g.a']).toEqual({
      state: 'failed',
      attempts: 1,
      error: { error: 'Updraft.TaskFailed', cause: 'transient 1' },
    });
  });

  it('retries of a mapped task count per instance', async (run) => {
    const d = dag('retry_mapped', {}, () => {
      task('m', { retry: { attempts: 3, delay: '1s' } }, async (ctx, x: number) => {
        if (x === 2 && ctx.attempt < 3) throw new Error('flaky item');
        return x * 10;
      }).map([1, 2, 3]);
    });
    const r = await run(d);
    expect(r.states).toEqual({ m: 'success' });
    expect(r.tasks.m!.output).toEqual([10, 20, 30]);
    expect(r.tasks.m!.attempts).toBe(3);
  });

  it('a try that runs longer than the task timeout fails with States.Timeout', {
    unsupported: {
      parts:
        "a task timeout is its Task state's TimeoutSeconds, the same in a part; runMachine runs it (each case waits a real second)",
    },
  }, async (run) => {
    const d = dag('timeout', {}, () => {
      chain(
        task('slow', { timeout: '1s' }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return 'too late';
        }),
        task('after', async () => 1),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ slow: 'failed', after: 'upstream_failed' });
    expect(r.tasks.slow!.error?.error).toBe('States.Timeout');
    expect(r.status).toBe('failed');
  });

  it('a timed-out try is retried', {
    unsupported: {
      parts:
        "a task timeout is its Task state's TimeoutSeconds, the same in a part; runMachine runs it (each case waits a real second)",
    },
  }, async (run) => {
    const d = dag('timeout_retry', {}, () => {
      task('slow_once', { timeout: '1s', retry: { attempts: 2, delay: '1s' } }, async (ctx) => {
        if (ctx.attempt === 1) await new Promise((resolve) => setTimeout(resolve, 1500));
        return ctx.attempt;
      })();
    });
    const r = await run(d);
    expect(r.tasks.slow_once).toEqual({ state: 'success', attempts: 2, output: 2 });
  });
});

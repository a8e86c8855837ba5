/**
 * Conformance: failures on compiled machines. Airflow semantics: a failure never cancels
 * unrelated branches, tasks downstream of it end upstream_failed (all_success), cleanup tasks
 * with all_done still run, and the run fails iff a leaf ends failed or upstream_failed.
 */
import { expect } from 'vitest';
import { chain, dag, PermanentError, snsPublish, task } from 'updraft';
import { defineCases } from '../case.ts';

const ok = (id: string, value: unknown = id) => task(id, async () => value);
const boom = (id: string) =>
  task(id, async () => {
    throw new PermanentError(`${id} broke`);
  });

export const failures = defineCases('failures', (it) => {
  it('independent branches keep running when one fails', async (run) => {
    const d = dag('independent', {}, () => {
      const a = ok('a')();
      a.then(boom('b'));
      a.then(ok('c')).then(ok('d', 'dd'));
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ a: 'success', b: 'failed', c: 'success', d: 'success' });
    expect(r.tasks.d!.output).toBe('dd');
    expect(r.tasks.b!.error).toEqual({ error: 'Updraft.PermanentError', cause: 'b broke' });
    expect(r.started).toContain('d');
    expect(r.started.indexOf('c')).toBeLessThan(r.started.indexOf('d'));
  });

  it('a slow sibling branch is not cancelled by a fast failure', async (run) => {
    let finished = false;
    const d = dag('slow_sibling', {}, () => {
      const a = ok('a')();
      a.then(boom('fast'));
      a.then(
        task('slow', async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          finished = true;
          return 'done';
        }),
      );
    });
    const r = await run(d);
    expect(finished).toBe(true);
    expect(r.states).toEqual({ a: 'success', fast: 'failed', slow: 'success' });
    expect(r.tasks.slow!.output).toBe('done');
    expect(r.status).toBe('failed');
  });

  it('diamond with a failing side: the join is upstream_failed, the other side succeeds', async (run) => {
    const d = dag('diamond', {}, () => {
      const a = ok('a')();
      const b = a.then(boom('b'));
      const c = a.then(ok('c'));
      chain([b, c], ok('d'));
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ a: 'success', b: 'failed', c: 'success', d: 'upstream_failed' });
    expect(r.started).not.toContain('d');
    expect(r.tasks.d!.attempts).toBe(0);
  });

  it('a failure in the middle of a chain: downstream upstream_failed, earlier tasks and a parallel chain unaffected', async (run) => {
    const d = dag('middle', {}, () => {
      chain(ok('a'), ok('b'), boom('c'), ok('d'), ok('e'));
      chain(ok('x'), ok('y'));
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      a: 'success',
      b: 'success',
      c: 'failed',
      d: 'upstream_failed',
      e: 'upstream_failed',
      x: 'success',
      y: 'success',
    });
    expect(r.started.filter((t) => ['a', 'b', 'c'].includes(t))).toEqual(['a', 'b', 'c']);
    expect(r.started).not.toContain('d');
    expect(r.started).not.toContain('e');
  });

  it('a cleanup task with all_done runs after a failure, and a task after it too', async (run) => {
    const d = dag('cleanup', {}, () => {
      chain(
        ok('extract'),
        boom('load'),
        task('cleanup', { triggerRule: 'all_done' }, async () => 'cleaned'),
        ok('report'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({
      extract: 'success',
      load: 'failed',
      cleanup: 'success',
      report: 'success',
    });
    expect(r.tasks.cleanup!.output).toBe('cleaned');
    expect(r.started).toEqual(['extract', 'load', 'cleanup', 'report']);
    // The only leaf (report) succeeded: the run succeeds although load failed.
    expect(r.status).toBe('success');
  });

  it('run status: a failed leaf fails the run', async (run) => {
    const d = dag('failed_leaf', {}, () => {
      chain(ok('a'), boom('b'));
    });
    const r = await run(d);
    expect(r.states).toEqual({ a: 'success', b: 'failed' });
    expect(r.status).toBe('failed');
  });

  it('run status: a failed non-leaf followed by an all_done leaf succeeds', async (run) => {
    const d = dag('failed_non_leaf', {}, () => {
      chain(
        boom('a'),
        task('b', { triggerRule: 'all_done' }, async () => 1),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ a: 'failed', b: 'success' });
    expect(r.status).toBe('success');
  });

  it('run status: an upstream_failed leaf fails the run even when another leaf succeeds', async (run) => {
    const d = dag('upstream_failed_leaf', {}, () => {
      chain(boom('a'), ok('b'));
      task('c', { triggerRule: 'all_done' }, async () => 1)();
    });
    const r = await run(d);
    expect(r.states).toEqual({ a: 'failed', b: 'upstream_failed', c: 'success' });
    expect(r.status).toBe('failed');
  });

  it('run status: a leaf that fails inside an all_done fan-in still fails the run', async (run) => {
    const d = dag('all_done_fails', {}, () => {
      chain(
        [boom('a'), ok('b')],
        task('c', { triggerRule: 'all_done' }, async () => {
          throw new PermanentError('c broke too');
        }),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ a: 'failed', b: 'success', c: 'failed' });
    expect(r.tasks.c!.error).toEqual({ error: 'Updraft.PermanentError', cause: 'c broke too' });
    expect(r.status).toBe('failed');
  });

  it('a non-series-parallel (N-shaped) DAG: a failure reaches only its own downstream tasks', async (run) => {
    const d = dag('n_shape', {}, () => {
      const a = ok('a')();
      const b = boom('b')();
      const c = ok('c')();
      chain(a, [c, ok('e')()]);
      chain(b, [c, ok('d')()]);
    });
    const r = await run(d);
    expect(r.states).toEqual({
      a: 'success',
      b: 'failed',
      c: 'upstream_failed',
      d: 'upstream_failed',
      e: 'success',
    });
    expect([...r.started].sort()).toEqual(['a', 'b', 'e']);
    expect(r.status).toBe('failed');
  });

  it('a run that exceeds runTimeout is a failed run, and nothing starts after', async (run) => {
    // Three tasks: cut into parts of two, slow runs inside a part, which stops with its run.
    const d = dag('run_timeout', { runTimeout: '1s' }, () => {
      chain(
        task('slow', async () => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return 1;
        }),
        ok('b'),
        ok('c'),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    // Past the moment slow returns: what follows it was stopped with the run, not merely unseen.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(r.started).toEqual(['slow']);
  });

  it('a non-Error throw is recorded as a task failure with its text', async (run) => {
    const d = dag('throws_string', {}, () => {
      task('a', async () => {
        throw 'plain string';
      })();
    });
    const r = await run(d);
    expect(r.states).toEqual({ a: 'failed' });
    expect(r.tasks.a!.error).toEqual({ error: 'Updraft.TaskFailed', cause: 'plain string' });
    expect(r.status).toBe('failed');
  });

  it('a task that fails in place (its error as its state): an all_done reader of its output gets null, and Choice-gated operators read it as failed', async (run) => {
    const d = dag('failed_in_place', {}, () => {
      const a = boom('a')();
      task(
        'b',
        { triggerRule: 'all_done' },
        async (_c, x: unknown) => `got ${JSON.stringify(x)}`,
      )(a);
      a.then(
        snsPublish('alert', { topic: 'alerts', message: 'a broke', triggerRule: 'one_failed' }),
      );
      a.then(snsPublish('report', { topic: 'alerts', message: 'all good' }));
      a.then(snsPublish('done', { topic: 'alerts', message: 'a ran', triggerRule: 'all_done' }));
    });
    const r = await run(d);
    expect(r.states).toEqual({
      a: 'failed',
      b: 'success',
      alert: 'success',
      report: 'upstream_failed',
      done: 'success',
    });
    expect(r.tasks.a!.error).toEqual({ error: 'Updraft.PermanentError', cause: 'a broke' });
    expect(r.tasks.b!.output).toBe('got null');
    expect(r.started).not.toContain('report');
    expect(r.status).toBe('failed');
  });

  it('a branch ends with its last task answering its records: the join reads every output of it, after a success and after a failure in place', async (run) => {
    for (const breaks of [false, true]) {
      const d = dag(breaks ? 'branch_records_failed' : 'branch_records', {}, () => {
        const a = task('a', async () => 1)();
        const b1 = task('b1', async (_c, x: number) => x + 1)(a);
        const b2 = task('b2', async (_c, x: number) => {
          if (breaks) throw new PermanentError('b2 broke');
          return x * 10;
        })(b1);
        const c1 = task('c1', async (_c, x: number) => x + 100)(a);
        const c2 = task('c2', async (_c, x: number) => x + 1)(c1);
        const c3 = task('c3', async (_c, x: number) => x + 1)(c2);
        task('d', { triggerRule: 'all_done' }, async (_c, p: number, q: number | null, r: number) =>
          [p, q, r].join(' '),
        )(b1, b2, c3);
      });
      const r = await run(d);
      expect(r.states).toEqual({
        a: 'success',
        b1: 'success',
        b2: breaks ? 'failed' : 'success',
        c1: 'success',
        c2: 'success',
        c3: 'success',
        d: 'success',
      });
      expect(r.tasks.d!.output).toBe(breaks ? '2  103' : '2 20 103');
      expect(r.status).toBe('success');
    }
  });

  it('one_failed alerting task runs only on the failing path', async (run) => {
    const d = dag('alerting', {}, () => {
      const a = ok('a')();
      const b = a.then(boom('b'));
      b.then(task('alert_b', { triggerRule: 'one_failed' }, async () => 'alerted'));
      a.then(ok('c')).then(task('alert_c', { triggerRule: 'one_failed' }, async () => 'alerted'));
    });
    const r = await run(d);
    expect(r.states).toEqual({
      a: 'success',
      b: 'failed',
      alert_b: 'success',
      c: 'success',
      alert_c: 'skipped',
    });
    expect(r.started).not.toContain('alert_c');
    // Leaves: alert_b success, alert_c skipped → the run succeeds.
    expect(r.status).toBe('success');
  });
});

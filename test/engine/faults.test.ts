/**
 * Fault scenarios on the embedded engine, through the testing helper DAG authors use
 * (`updraft/testing`): transient failures retried to success, permanent errors, timeouts, one
 * run per interval however often it is triggered, and the cloud's limits.
 */
import { describe, expect, it } from 'vitest';
import {
  chain,
  dag,
  lambdaInvoke,
  PermanentError,
  snsPublish,
  task,
  triggerDag,
  externalDagSensor,
  s3KeySensor,
} from 'updraft';
import { runDag } from 'updraft/testing';

describe('fault scenarios', () => {
  it('a task failing transiently twice then succeeding: 3 attempts, success; the clock shows the retry delays', async () => {
    let calls = 0;
    const d = dag('flaky', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      const a = task('a', { retry: { attempts: 3, delay: '10m', backoff: 2 } }, async (ctx) => {
        calls++;
        if (ctx.attempt < 3) throw new Error(`warehouse busy (try ${ctx.attempt})`);
        return ctx.attempt;
      });
      a().then(task('b', async () => 'b'));
    });
    const wall = Date.now();
    const r = await runDag(d, { date: '2026-11-20' });
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ a: 'success', b: 'success' });
    expect(r.tasks.a!.attempts).toBe(3);
    expect(r.outputs.a).toBe(3);
    expect(calls).toBe(3);
    expect(
      r.tries.filter((t) => t.taskId === 'a').map((t) => [t.tryNumber, t.state, t.error?.cause]),
    ).toEqual([
      [1, 'failed', 'warehouse busy (try 1)'],
      [2, 'failed', 'warehouse busy (try 2)'],
      [3, 'success', undefined],
    ]);
    // Retry delays (10m, then 20m) are skipped but counted: the run's times are the cloud's.
    const took = Date.parse(r.run.endedAt!) - Date.parse(r.run.startedAt!);
    expect(took).toBeGreaterThanOrEqual(30 * 60_000);
    expect(Date.now() - wall).toBeLessThan(30 * 60_000);
    expect(r.run.runId).toBe('flaky-2026-11-20T00-00-00Z');
  });

  it('a permanent error: 1 attempt, downstream upstream_failed, run failed, independent tasks unaffected', async () => {
    const d = dag('permanent', { retry: { attempts: 5, delay: '1m' } }, () => {
      const bad = task('bad', async () => {
        throw new PermanentError('the export is empty');
      });
      bad().then(task('after_bad', async () => 1));
      task('independent', async () => 'fine')();
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      bad: 'failed',
      after_bad: 'upstream_failed',
      independent: 'success',
    });
    expect(r.tasks.bad!.attempts).toBe(1);
    expect(r.tasks.bad!.error).toEqual({
      error: 'Updraft.PermanentError',
      cause: 'the export is empty',
    });
    expect(r.run.error).toEqual({
      error: 'Updraft.PermanentError',
      cause: 'task "bad" failed: the export is empty',
    });
    expect(r.logs.map((l) => [l.task, l.level, l.message])).toEqual([
      ['bad', 'error', 'try 1 failed: the export is empty'],
    ]);
  });

  it('a task exceeding its timeout fails with States.Timeout after its retries', async () => {
    const d = dag('slow', {}, () => {
      chain(
        task(
          'slow',
          { timeout: '1s', retry: { attempts: 2, delay: '1s' } },
          async () => new Promise((resolve) => setTimeout(() => resolve('late'), 1500)),
        ),
        task('next', async () => 1),
      );
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ slow: 'failed', next: 'upstream_failed' });
    expect(r.tasks.slow!.attempts).toBe(2);
    expect(r.tasks.slow!.error?.error).toBe('States.Timeout');
  });

  it('mocks replace task code; the real code is not called', async () => {
    let real = 0;
    const d = dag('mocked', {}, () => {
      const e = task('extract', async () => {
        real++;
        return { rows: 10 };
      });
      task('check', async (_ctx, x: { rows: number }) => {
        if (x.rows === 0) throw new PermanentError('no rows');
        return x.rows;
      })(e());
    });
    const r = await runDag(d, { mocks: { extract: async () => ({ rows: 0 }) } });
    expect(real).toBe(0);
    expect(r.states).toEqual({ extract: 'success', check: 'failed' });
    expect(r.tasks.check!.error?.cause).toBe('no rows');
  });
});

describe('native operators and sensors on the engine', () => {
  it('SNS goes to the outbox; triggerDag runs the child DAG locally and waits for it', async () => {
    const child = dag('child_dag', {}, () => {
      task('work', async (ctx) => `child of ${ctx.triggeredBy}`)();
    });
    const parent = dag('parent_dag', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      chain(
        triggerDag('start_child', { dagId: 'child_dag' }),
        snsPublish('notify', { topic: 'alerts', message: 'done' }),
      );
    });
    const r = await runDag(parent, { date: '2026-11-20', dags: [child] });
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ start_child: 'success', notify: 'success' });
    expect(r.children.map((c) => [c.runId, c.status, c.triggeredBy, c.logicalDate])).toEqual([
      ['child_dag-2026-11-20T00-00-00Z-t', 'success', 'dag', '2026-11-20T00:00:00.000Z'],
    ]);
    expect(r.outbox.map((m) => [m.service, m.target, m.taskId, m.message])).toEqual([
      ['sns', 'arn:aws:sns:us-east-1:000000000000:alerts', 'notify', { Message: 'done' }],
    ]);
  });

  it('a failing child run fails the triggering task with States.TaskFailed', async () => {
    const child = dag('child_fails', {}, () => {
      task('boom', async () => {
        throw new PermanentError('child broke');
      })();
    });
    const parent = dag('parent_of_failing', {}, () => {
      triggerDag('start_child', { dagId: 'child_fails' });
    });
    const r = await runDag(parent, { dags: [child] });
    expect(r.states).toEqual({ start_child: 'failed' });
    expect(r.tasks.start_child!.error?.error).toBe('States.TaskFailed');
    expect(r.tasks.start_child!.error?.cause).toMatch(
      /^DAG "child_fails" run child_fails-.*-t failed: task "boom" failed: child broke$/,
    );
  });

  it("an operator without a stand-in fails saying how to give one; the DAG's own local option is used", async () => {
    const d = dag('ops', {}, () => {
      lambdaInvoke('with_local', {
        functionName: 'f',
        local: (req) => ({ Payload: { got: req.FunctionName } }),
      });
      lambdaInvoke('without', { functionName: 'g' });
    });
    const r = await runDag(d);
    expect(r.states).toEqual({ with_local: 'success', without: 'failed' });
    expect(r.outputs.with_local).toEqual({ got: 'g'.replace('g', 'f') });
    expect(r.tasks.without!.error).toEqual({
      error: 'Updraft.NoLocalOverride',
      cause: `task "without" (lambdaInvoke) calls an existing Lambda function, which the embedded engine cannot reach. Give it a local stand-in that returns what the service would: lambdaInvoke('without', { ..., local: (request) => ({ ... }) }), or pass overrides: { 'without': (request) => ({ ... }) } to runDag() in a test.`,
    });
  });

  it("externalDagSensor waits for the other DAG's run of the same interval; s3KeySensor uses its stand-in", async () => {
    const upstream = dag('upstream_dag', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      task('u', async () => 1)();
    });
    const d = dag('downstream_dag', { schedule: '@daily', startDate: '2026-11-01' }, () => {
      chain(
        externalDagSensor('wait_upstream', {
          dagId: 'upstream_dag',
          pokeInterval: '5m',
          timeout: '20m',
        }),
        s3KeySensor('landed', {
          bucket: 'b',
          key: 'k',
          pokeInterval: '1m',
          timeout: '5m',
          local: () => true,
        }),
      );
    });
    const r = await runDag(d, { date: '2026-11-20', dags: [upstream] });
    // The upstream DAG never ran in this store: the sensor pokes until its timeout.
    expect(r.states).toEqual({ wait_upstream: 'failed', landed: 'upstream_failed' });
    expect(r.tasks.wait_upstream!.error).toEqual({
      error: 'Updraft.SensorTimeout',
      cause: 'sensor wait_upstream was not satisfied within 1200s',
    });
    expect(r.tries.filter((t) => t.taskId === 'wait_upstream').length).toBe(5);
  });
});

describe('cloud limits', () => {
  it('more than 25,000 history events fails the run the way AWS does', async () => {
    const items = Array.from({ length: 4000 }, (_, i) => i);
    const d = dag('too_long', {}, () => {
      task('each', async (_ctx, i: number) => i).map(items);
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.run.error?.error).toBe('Updraft.HistoryLimitExceeded');
    expect(r.run.error?.cause).toMatch(
      /^the run reached Step Functions' limit of 25,000 execution history events/,
    );
  });

  it('a conf over 256 KiB is refused before anything starts', async () => {
    const d = dag('big_conf', { params: {} }, () => {
      task('a', async () => 1)();
    });
    await expect(runDag(d, { conf: { blob: 'x'.repeat(300 * 1024) } })).rejects.toThrow(
      /over Step Functions' 256 KiB input limit/,
    );
  });
});

/**
 * Conformance: native operators on compiled machines. A local override stands in for the AWS
 * service: it receives the Task state's Parameters after JSONPath processing (upstream outputs,
 * run values and `format` templates filled in) and returns the service's response, from which
 * the task records its compact output.
 */
import { expect } from 'vitest';
import {
  athenaQuery,
  chain,
  dag,
  eventBridgePut,
  format,
  glueJob,
  lambdaInvoke,
  runValues,
  snsPublish,
  sqsSend,
  task,
  triggerDag,
} from 'updraft';
import { defineCases } from '../case.ts';

/** An override that records the Parameters it receives and answers `response`. */
function recorder(response: unknown) {
  const seen: Record<string, unknown>[] = [];
  return {
    seen,
    override: (parameters: Record<string, unknown>) => (seen.push(parameters), response),
  };
}

const cfgTask = () => task('cfg', async () => ({ table: 'orders', n: 3, nested: { a: [1, 2] } }))();

export const operators = defineCases('operators', (it) => {
  it('lambdaInvoke: payload with upstream values, run values and a format template', async (run) => {
    const inv = recorder({ Payload: { ok: 1 } });
    const d = dag('op_lambda', {}, () => {
      const cfg = cfgTask();
      lambdaInvoke('inv', {
        functionName: 'my-fn',
        payload: {
          table: cfg.get('table'),
          day: runValues.ds,
          nested: cfg.get('nested'),
          lit: 5,
          msg: format`t=${cfg.get('table')} d=${runValues.ds}`,
        },
      });
    });
    const r = await run(d, { overrides: { inv: inv.override } });
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ cfg: 'success', inv: 'success' });
    expect(inv.seen).toEqual([
      {
        FunctionName: 'my-fn',
        Payload: {
          table: 'orders',
          day: '2026-11-20',
          nested: { a: [1, 2] },
          lit: 5,
          msg: 't=orders d=2026-11-20',
        },
      },
    ]);
  });

  it('lambdaInvoke: the output is the response payload, passed downstream as is', async (run) => {
    const d = dag('op_lambda_output', {}, () => {
      const l = lambdaInvoke<{ n: number }>('inv', { functionName: 'my-fn' });
      task('after', async (_ctx, v: { n: number }) => v.n + 1)(l);
    });
    const r = await run(d, { overrides: { inv: () => ({ Payload: { n: 1 } }) } });
    expect(r.tasks.inv!.output).toEqual({ n: 1 });
    expect(r.tasks.after!.output).toBe(2);
  });

  it("lambdaInvoke: a stand-in that returns the function's result, not Lambda's answer, fails the task and says how to answer", async (run) => {
    const d = dag('op_lambda_bare', {}, () => {
      const l = lambdaInvoke('inv', { functionName: 'my-fn' });
      task('after', async (_ctx, _v: unknown) => 1)(l);
    });
    const r = await run(d, { overrides: { inv: () => ({ ok: true }) } });
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ inv: 'failed', after: 'upstream_failed' });
    expect(r.tasks.inv!.error).toEqual({
      error: 'Updraft.PermanentError',
      cause:
        'lambdaInvoke "inv": its local stand-in returned {"ok":true}, but a stand-in answers as Lambda\'s Invoke does; ' +
        "return { Payload: <the function's result> } (for example local: async (request) => ({ Payload: { ok: true } }))",
    });
  });

  it('glueJob: arguments from upstream and run values; output jobRunId', async (run) => {
    const glue = recorder({ Id: 'jr_1' });
    const d = dag('op_glue', {}, () => {
      const cfg = cfgTask();
      const g = glueJob('glue', {
        jobName: 'etl',
        arguments: {
          '--table': cfg.get('table'),
          '--day': format`${runValues.ds}`,
          '--mode': 'full',
        },
      });
      task('after', async (_ctx, run: { jobRunId: string }) => `run ${run.jobRunId}`)(g);
    });
    const r = await run(d, { overrides: { glue: glue.override } });
    expect(glue.seen).toEqual([
      {
        JobName: 'etl',
        Arguments: { '--table': 'orders', '--day': '2026-11-20', '--mode': 'full' },
      },
    ]);
    expect(r.tasks.glue!.output).toEqual({ jobRunId: 'jr_1' });
    expect(r.tasks.after!.output).toBe('run jr_1');
    expect(r.states).toEqual({ cfg: 'success', glue: 'success', after: 'success' });
  });

  it('athenaQuery: the query template is filled in; output queryExecutionId', async (run) => {
    const ath = recorder({ QueryExecution: { QueryExecutionId: 'q1' } });
    const d = dag('op_athena', {}, () => {
      const cfg = cfgTask();
      athenaQuery('ath', {
        query: format`SELECT * FROM ${cfg.get('table')} WHERE ds = '${runValues.ds}'`,
        database: 'lake',
        workGroup: 'wg',
        outputLocation: 's3://out/',
      });
    });
    const r = await run(d, { overrides: { ath: ath.override } });
    expect(ath.seen).toEqual([
      {
        QueryString: "SELECT * FROM orders WHERE ds = '2026-11-20'",
        QueryExecutionContext: { Database: 'lake' },
        WorkGroup: 'wg',
        ResultConfiguration: { OutputLocation: 's3://out/' },
      },
    ]);
    expect(r.tasks.ath!.output).toEqual({ queryExecutionId: 'q1' });
  });

  it('snsPublish: a format message and a whole upstream output (serialized); output messageId', async (run) => {
    const plain = recorder({ MessageId: 'm1' });
    const whole = recorder({ MessageId: 'm2' });
    const d = dag('op_sns', {}, () => {
      const cfg = cfgTask();
      snsPublish('plain', {
        topic: 'alerts',
        message: format`loaded ${cfg.get('table')} for ${runValues.ds}`,
        subject: 'daily',
      });
      snsPublish('whole', { topic: 'alerts', message: cfg });
    });
    const r = await run(d, { overrides: { plain: plain.override, whole: whole.override } });
    expect(plain.seen).toEqual([
      {
        TopicArn: expect.stringMatching(/:alerts$/),
        Message: 'loaded orders for 2026-11-20',
        Subject: 'daily',
      },
    ]);
    expect(whole.seen).toHaveLength(1);
    // JSON messages are passed as JSON; the SNS, SQS and EventBridge integrations serialize them.
    expect(whole.seen[0]!.Message).toEqual({ table: 'orders', n: 3, nested: { a: [1, 2] } });
    expect(r.tasks.plain!.output).toEqual({ messageId: 'm1' });
    expect(r.states).toEqual({ cfg: 'success', plain: 'success', whole: 'success' });
  });

  it('snsPublish: an object message with upstream values is serialized', async (run) => {
    const sns = recorder({ MessageId: 'm1' });
    const d = dag('op_sns_object', {}, () => {
      const cfg = cfgTask();
      snsPublish('sns', { topic: 'alerts', message: { table: cfg.get('table'), n: cfg.get('n') } });
    });
    await run(d, { overrides: { sns: sns.override } });
    expect(sns.seen[0]!.Message).toEqual({ table: 'orders', n: 3 });
  });

  it('sqsSend: an object message with upstream values is serialized', async (run) => {
    const sqs = recorder({ MessageId: 'm1' });
    const d = dag('op_sqs_object', {}, () => {
      const cfg = cfgTask();
      sqsSend('sqs', { queue: 'jobs', message: { n: cfg.get('n') } });
    });
    await run(d, { overrides: { sqs: sqs.override } });
    expect(sqs.seen[0]!.MessageBody).toEqual({ n: 3 });
  });

  it('eventBridgePut: a detail with upstream values is serialized', async (run) => {
    const eb = recorder({ Entries: [{ EventId: 'e1' }] });
    const d = dag('op_eb_object', {}, () => {
      const cfg = cfgTask();
      eventBridgePut('eb', {
        source: 'updraft',
        detailType: 'loaded',
        detail: { n: cfg.get('n') },
      });
    });
    const r = await run(d, { overrides: { eb: eb.override } });
    expect((eb.seen[0]!.Entries as { Detail: unknown }[])[0]!.Detail).toEqual({ n: 3 });
    expect(r.tasks.eb!.output).toEqual({ eventId: 'e1' });
  });

  it('triggerDag: starts the other DAG for the same interval with conf as params; output runId and status', async (run) => {
    const trig = recorder({ Name: 'other-2026-11-20T00-00-00Z-t', Status: 'SUCCEEDED' });
    // A daily schedule: the child runs for the parent's day (a DAG without one runs for an instant).
    const d = dag('op_trigger', { schedule: '@daily' }, () => {
      const cfg = cfgTask();
      chain(
        triggerDag('trig', { dagId: 'other', conf: { table: cfg.get('table'), full: true } }),
        task('after', async () => 1),
      );
    });
    const r = await run(d, { overrides: { trig: trig.override } });
    expect(trig.seen).toEqual([
      {
        StateMachineArn: expect.any(String),
        Name: 'other-2026-11-20T00-00-00Z-t',
        Input: {
          run: {
            dagId: 'other',
            runId: 'other-2026-11-20T00-00-00Z-t',
            key: '2026-11-20T00-00-00Z',
            logicalDate: '2026-11-20T00:00:00.000Z',
            ds: '2026-11-20',
            dataIntervalStart: '2026-11-20T00:00:00.000Z',
            dataIntervalEnd: '2026-11-21T00:00:00.000Z',
            triggeredBy: 'dag',
            timers: {},
            params: { table: 'orders', full: true },
          },
          t: {},
          done: {},
        },
      },
    ]);
    expect(r.tasks.trig!.output).toEqual({
      runId: 'other-2026-11-20T00-00-00Z-t',
      status: 'SUCCEEDED',
    });
    expect(r.states).toEqual({ cfg: 'success', trig: 'success', after: 'success' });
  });

  it('triggerDag without waiting: output executionArn', async (run) => {
    const d = dag('op_trigger_nowait', {}, () => {
      triggerDag('trig', { dagId: 'other', wait: false });
    });
    const r = await run(d, {
      overrides: { trig: () => ({ ExecutionArn: 'arn:aws:states:us-east-1:1:execution:other:x' }) },
    });
    expect(r.tasks.trig!.output).toEqual({
      executionArn: 'arn:aws:states:us-east-1:1:execution:other:x',
    });
  });

  it('account placeholders become well-formed ARNs locally', async (run) => {
    const sns = recorder({ MessageId: 'm1' });
    const trig = recorder({ Name: 'n', Status: 'SUCCEEDED' });
    const d = dag('op_arns', {}, () => {
      snsPublish('sns', { topic: 'alerts', message: 'hi' });
      triggerDag('trig', { dagId: 'other' });
    });
    await run(d, { overrides: { sns: sns.override, trig: trig.override } });
    expect(sns.seen[0]!.TopicArn).toMatch(/^arn:aws:sns:[a-z]+-[a-z]+-\d:\d{12}:alerts$/);
    expect(trig.seen[0]!.StateMachineArn).toMatch(
      /^arn:aws:states:[a-z]+-[a-z]+-\d:\d{12}:stateMachine:.*other/,
    );
  });

  it('messages without a stand-in land in the outbox; every try and log line is in the outcome', async (run) => {
    const d = dag('op_outbox', {}, () => {
      const cfg = task('cfg', async (ctx) => {
        ctx.log.info('configured', { table: 'orders' });
        return { table: 'orders' };
      })();
      snsPublish('notify', {
        topic: 'alerts',
        message: format`loaded ${cfg.get('table')}`,
        subject: 'daily',
      });
      sqsSend('enqueue', { queue: 'jobs', message: 'go' });
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    const sent = [...r.outbox].sort((a, b) => a.taskId.localeCompare(b.taskId));
    expect(sent).toMatchObject([
      {
        runId: r.runId,
        taskId: 'enqueue',
        service: 'sqs',
        target: expect.stringMatching(/jobs$/),
        message: { MessageBody: 'go' },
      },
      {
        runId: r.runId,
        taskId: 'notify',
        service: 'sns',
        target: expect.stringMatching(/:alerts$/),
        message: { Message: 'loaded orders', Subject: 'daily' },
      },
    ]);
    const tries = r.tries.map((t) => `${t.taskId} #${t.tryNumber} ${t.state}`).sort();
    expect(tries).toEqual(['cfg #1 success', 'enqueue #1 success', 'notify #1 success']);
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]).toMatchObject({
      dag: 'op_outbox',
      run: r.runId,
      task: 'cfg',
      try: 1,
      level: 'info',
      message: 'configured',
      table: 'orders',
    });
  });

  it('an operator without an override fails with Updraft.NoLocalOverride; downstream upstream_failed', async (run) => {
    const d = dag('op_no_override', {}, () => {
      chain(
        glueJob('glue', { jobName: 'etl' }),
        task('after', async () => 1),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ glue: 'failed', after: 'upstream_failed' });
    expect(r.tasks.glue!.error).toEqual({
      error: 'Updraft.NoLocalOverride',
      cause: `task "glue" (glueJob) calls a Glue job, which the embedded engine cannot reach. Give it a local stand-in that returns what the service would: glueJob('glue', { ..., local: (request) => ({ ... }) }), or pass overrides: { 'glue': (request) => ({ ... }) } to runDag() in a test.`,
    });
  });

  it('a service error is recorded as the task error', async (run) => {
    const d = dag('op_service_error', {}, () => {
      glueJob('glue', { jobName: 'etl' });
    });
    const error = Object.assign(new Error('too many runs'), {
      name: 'Glue.ConcurrentRunsExceededException',
    });
    const r = await run(d, {
      overrides: {
        glue: () => {
          throw error;
        },
      },
    });
    expect(r.tasks.glue!.state).toBe('failed');
    expect(r.tasks.glue!.error).toEqual({
      error: 'Glue.ConcurrentRunsExceededException',
      cause: 'too many runs',
    });
  });

  it('an operator is retried by its policy', async (run) => {
    let calls = 0;
    const d = dag('op_retry', {}, () => {
      chain(
        glueJob('glue', { jobName: 'etl', retry: { attempts: 3, delay: '1s' } }),
        task('after', async () => 1),
      );
    });
    const r = await run(d, {
      overrides: {
        glue: () => {
          if (++calls < 3) throw new Error('throttled');
          return { Id: 'jr_3' };
        },
      },
    });
    expect(calls).toBe(3);
    expect(r.states).toEqual({ glue: 'success', after: 'success' });
    expect(r.tasks.glue!.output).toEqual({ jobRunId: 'jr_3' });
  });

  it('an operator retried to success reports its attempts', async (run) => {
    let calls = 0;
    const d = dag('op_attempts', {}, () => {
      glueJob('glue', { jobName: 'etl', retry: { attempts: 3, delay: '1s' } });
    });
    const r = await run(d, {
      overrides: {
        glue: () => {
          if (++calls < 3) throw new Error('throttled');
          return { Id: 'jr_3' };
        },
      },
    });
    expect(r.tasks.glue).toEqual({ state: 'success', attempts: 3, output: { jobRunId: 'jr_3' } });
  });
});

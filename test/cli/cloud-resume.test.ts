/**
 * `updraft retry|clear --target aws`: a run resumes as a new execution `<runId>-r<n>` of the same
 * state machine whose input hands back what must not run again (runtime/resume) — function tasks
 * from their try records in the environment's table (dynalite), operators from the ended
 * execution's final document (GetExecutionHistory). Step Functions is mocked.
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { RunRecord } from '../../src/store/types.ts';
import { compileDag } from '../../src/compiler/index.ts';
import { resumeRun } from '../../src/cloud/executions.ts';
import { withCloud } from '../../src/cloud/context.ts';
import { buildDagIR, dag, lambdaInvoke, task } from '../../src/sdk/index.ts';
import {
  REGION,
  machineArn,
  openCloudHarness,
  runRecord,
  type CloudHarness,
} from './cloud-harness.ts';

const DAG = `import { dag, lambdaInvoke, task } from 'updraft';
export default dag('orders', { schedule: '@daily', startDate: '2026-11-01' }, () => {
  const extract = task('extract', async () => ({ rows: 3 }))();
  const notify = lambdaInvoke<{ ok: number }>('notify', { functionName: 'notify-fn' });
  const load = task('load', async (_ctx, x: { rows: number }) => x.rows)(extract);
  task('report', async (_ctx, n: number, ok: { ok: number }) => n + ok.ok)(load, notify);
});
`;

const sfn = mockClient(SFNClient);
let h: CloudHarness;

const failed = runRecord('orders', {
  logicalDate: '2026-11-12T00:00:00.000Z',
  status: 'failed',
  error: { error: 'Updraft.DagRunFailed', cause: 'task "load" failed' },
});
const succeeded = runRecord('orders', { logicalDate: '2026-11-13T00:00:00.000Z' });
const running = runRecord('orders', {
  logicalDate: '2026-11-14T00:00:00.000Z',
  status: 'running',
  endedAt: undefined,
});

const valuesOf = (r: RunRecord) => ({
  dagId: 'orders',
  runId: r.runId,
  key: r.key,
  logicalDate: r.logicalDate,
  ds: r.logicalDate.slice(0, 10),
  dataIntervalStart: r.dataIntervalStart,
  dataIntervalEnd: r.dataIntervalEnd,
  params: {},
  triggeredBy: 'schedule',
  timers: {},
});

function described(r: RunRecord, status: string): DescribeExecutionCommandOutput {
  return {
    $metadata: {},
    executionArn: r.executionArn,
    stateMachineArn: machineArn('orders'),
    status: status as DescribeExecutionCommandOutput['status'],
    startDate: new Date(r.startedAt!),
    input: JSON.stringify({ run: valuesOf(r), t: {}, done: {} }),
  };
}

/** The ended execution's last events, newest first, as GetExecutionHistory with reverseOrder returns them. */
function history(
  finalState: 'FailStateEntered' | 'SucceedStateEntered',
  t: Record<string, unknown>,
) {
  return {
    events: [
      {
        id: 12,
        type: finalState === 'FailStateEntered' ? 'ExecutionFailed' : 'ExecutionSucceeded',
        timestamp: new Date(),
      },
      {
        id: 11,
        type: finalState,
        timestamp: new Date(),
        stateEnteredEventDetails: {
          name: finalState === 'FailStateEntered' ? 'run failed' : 'run succeeded',
          input: JSON.stringify({ run: {}, t, done: {} }),
        },
      },
    ],
  } as never;
}

/** A first try of the run's first execution (runId, taskId, state and response added). */
const TRY = {
  startedAt: '2026-11-13T00:00:01.000Z',
  endedAt: '2026-11-13T00:00:02.000Z',
  runAttempt: 1,
  mapIndex: -1,
  tryNumber: 1,
};

beforeAll(async () => {
  h = await openCloudHarness({ 'orders.ts': DAG });
  for (const r of [failed, succeeded, running]) await h.local.store.createRun(r);
  for (const r of [failed, succeeded])
    await h.local.store.putTry({
      ...TRY,
      runId: r.runId,
      taskId: 'extract',
      state: 'success',
      response: { rows: 3 },
    });
  await h.local.store.putTry({
    ...TRY,
    runId: failed.runId,
    taskId: 'load',
    state: 'failed',
    error: { error: 'Error', cause: 'connection reset' },
  });
  await h.local.store.putTry({
    ...TRY,
    runId: succeeded.runId,
    taskId: 'load',
    state: 'success',
    response: 3,
  });
  await h.local.store.putTry({
    ...TRY,
    runId: succeeded.runId,
    taskId: 'report',
    state: 'success',
    response: 4,
  });
});
afterAll(async () => {
  sfn.restore();
  await h.close();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves({ executions: [] }); // maxActiveRuns: nothing else running
});

describe('updraft retry --target aws', () => {
  it('starts the run’s next execution, handing back what succeeded: tasks from their tries, operators from the final document', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described(failed, 'FAILED'));
    sfn.on(GetExecutionHistoryCommand).resolves(
      history('FailStateEntered', {
        extract: { s: 'success', o: { rows: 3 } },
        notify: { s: 'success', o: { ok: 1 } },
        load: { s: 'failed', o: null, e: { Error: 'Error', Cause: 'connection reset' } },
        report: { s: 'upstream_failed', o: null },
      }),
    );
    const next = `${failed.executionArn!.replace(failed.runId, '')}${failed.runId}-r2`;
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: next, startDate: new Date('2026-11-21T12:00:01Z') });
    const r = await h.cli(['retry', failed.runId, '--target', 'aws']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✔ Resuming ${failed.runId} on AWS (dev, ${REGION}): execution 2 (${failed.runId}-r2) started — failed tasks and what they stopped run again; 2 tasks hand back what they answered before (the last execution ended FAILED).`,
      `  ${next}`,
      `  ↳ follow it: updraft show ${failed.runId} --target aws · updraft logs ${failed.runId} --target aws`,
    ]);
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.name).toBe(`${failed.runId}-r2`);
    expect(starts[0]!.stateMachineArn).toBe(machineArn('orders'));
    expect(JSON.parse(starts[0]!.input!)).toEqual({
      run: valuesOf(failed),
      t: {},
      done: { extract: { r: { rows: 3 } }, notify: { o: { ok: 1 } } },
    });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(await h.local.store.getRun(failed.runId)).toMatchObject({
      status: 'running',
      attempt: 2,
      executionArn: next,
      startedAt: '2026-11-21T12:00:01.000Z',
    });
    expect((await h.local.store.getRun(failed.runId))?.pendingInput).toBeUndefined();
    expect((await h.local.store.getRun(failed.runId))?.error).toBeUndefined();
  });

  it.each([
    [
      'still running',
      running,
      'RUNNING',
      `✖ run "${running.runId}" is still running (execution RUNNING): wait for it to end before resuming it\n    ↳ follow it with: updraft show ${running.runId} --target aws`,
    ],
    [
      'succeeded',
      succeeded,
      'SUCCEEDED',
      `✖ run "${succeeded.runId}" succeeded: there is nothing to retry\n    ↳ to run tasks of it again: updraft clear ${succeeded.runId} --task <task> --target aws`,
    ],
  ] as const)(
    'says why it cannot when the execution is %s, and starts nothing',
    async (_what, run, status, message) => {
      sfn.on(DescribeExecutionCommand).resolves(described(run, status));
      const r = await h.cli(['retry', run.runId, '--target', 'aws']);
      expect(r).toEqual({ code: 1, out: '', err: message });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    },
  );

  it('says the execution is gone once Step Functions no longer has it', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const r = await h.cli(['retry', succeeded.runId, '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ the execution of run "${succeeded.runId}" no longer exists in AWS (dev, ${REGION}): Step Functions keeps executions 90 days after they end, and resuming needs its input and final state\n    ↳ its run record stays as it was; updraft show lists what it recorded`,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('updraft clear --target aws', () => {
  it('runs the chosen task and its downstream again; the others hand back their outputs', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described(succeeded, 'SUCCEEDED'));
    sfn.on(GetExecutionHistoryCommand).resolves(
      history('SucceedStateEntered', {
        extract: { s: 'success', o: { rows: 3 } },
        notify: { s: 'success', o: { ok: 1 } },
        load: { s: 'success', o: 3 },
        report: { s: 'success', o: 4 },
      }),
    );
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const r = await h.cli([
      'clear',
      succeeded.runId,
      '--task',
      'load',
      '--downstream',
      '--target',
      'aws',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      runId: succeeded.runId,
      execution: 2,
      resumedFrom: 'SUCCEEDED',
      givenTasks: 2,
    });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!);
    expect(input.done).toEqual({ extract: { r: { rows: 3 } }, notify: { o: { ok: 1 } } });
  });

  it('refuses a task the DAG does not have, before anything starts', async () => {
    const r = await h.cli(['clear', succeeded.runId, '--task', 'lod', '--target', 'aws']);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: `✖ task "lod" is not in DAG "orders"\n    ↳ tasks: extract, notify, load, report`,
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('resuming a DAG cut into parts (compiler/parts) on AWS', () => {
  it('reads the records that stayed inside the parts from the parts’ executions: an operator that succeeded there is not called again', async () => {
    // ping (an operator) → extract → load → report, cut into parts of two tasks: p1 holds ping
    // and extract; ping's record stays inside p1 (only extract's crosses, for load).
    const d = dag('orders', {}, () => {
      const ping = lambdaInvoke<{ ok: number }>('ping', { functionName: 'ping-fn' });
      const extract = task('extract', async () => ({ rows: 3 }))();
      ping.then(extract);
      const load = task('load', async (_c, x: { rows: number }) => x.rows)(extract);
      task('report', async (_c, n: number) => n)(load);
    });
    const { ir } = buildDagIR(d, 'orders.ts');
    const compiled = compileDag(ir, { maxPartTasks: 2 });
    expect(compiled.parts.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(Object.keys(compiled.parts[0]!.definition.States)).toContain('ping');
    const run = runRecord('orders', {
      logicalDate: '2026-11-16T00:00:00.000Z',
      status: 'failed',
      error: { error: 'Updraft.DagRunFailed', cause: 'task "report" failed' },
    });
    await h.local.store.createRun(run);
    for (const [taskId, response] of [
      ['extract', { rows: 3 }],
      ['load', 3],
    ] as const)
      await h.local.store.putTry({ ...TRY, runId: run.runId, taskId, state: 'success', response });
    sfn.on(DescribeExecutionCommand).resolves(described(run, 'FAILED'));
    // The run's document holds what crossed the cuts; p1's, what stayed inside it.
    sfn.on(GetExecutionHistoryCommand, { executionArn: run.executionArn }).resolves(
      history('FailStateEntered', {
        report: { s: 'failed', o: null, e: { Error: 'Error', Cause: 'boom' } },
      }),
    );
    const part = (id: string, t: Record<string, unknown>) =>
      sfn
        .on(GetExecutionHistoryCommand, {
          executionArn: `arn:aws:states:${REGION}:123456789012:execution:updraft-part-dev-orders-${id}:${createHash('md5').update(run.runId).digest('hex')}-${id}`,
        })
        .resolves({
          events: [
            { id: 10, type: 'ExecutionSucceeded', timestamp: new Date() },
            {
              id: 9,
              type: 'PassStateEntered',
              timestamp: new Date(),
              stateEnteredEventDetails: {
                name: `${id} exports`,
                input: JSON.stringify({ run: {}, t, done: {} }),
              },
            },
          ],
        } as never);
    part('p1', { ping: { s: 'success', o: { ok: 1 } }, extract: { s: 'success', o: { rows: 3 } } });
    part('p2', {
      extract: { s: 'success', o: { rows: 3 } },
      load: { s: 'success', o: 3 },
      report: { s: 'failed', o: null, e: { Error: 'Error', Cause: 'boom' } },
    });
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${run.executionArn}-r2`, startDate: new Date() });
    await withCloud({ kind: 'aws', env: 'dev', flags: '--target aws' }, (cloud) =>
      resumeRun(cloud, run, ir, { kind: 'retry' }, compiled.parts),
    );
    const [start] = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    // Only report runs again: extract and load hand back their tries' answers; ping its
    // recorded output, read in p1's execution (without it, ping's state is unknown and its
    // service would be called again).
    expect(JSON.parse(start!.input!).done).toEqual({
      extract: { r: { rows: 3 } },
      load: { r: 3 },
      ping: { o: { ok: 1 } },
    });
  });
});

describe('resuming a Distributed Map on AWS', () => {
  it('hands back 299 of 300 instances from the payload bucket and lists the one still to run apart', async () => {
    const d = dag('wide', {}, () => {
      const list = task('list', async () => [] as string[]);
      task('each', async (_c, key: string) => key.length).map(list());
    });
    const { ir } = buildDagIR(d, 'wide.ts');
    const run = runRecord('wide', {
      logicalDate: '2026-11-17T00:00:00.000Z',
      status: 'failed',
      error: { error: 'Updraft.DagRunFailed', cause: 'task "each" failed' },
    });
    await h.local.store.createRun(run);
    const bucket = `updraft-dev-payloads-123456789012-${REGION}`;
    const listKey = `${run.runId}/${run.key}-1/list-1-list0.json`;
    const items = Array.from({ length: 300 }, (_, i) => `inbox/file-${i}.csv`);
    const ref = { $ref: `s3://${bucket}/${listKey}`, bytes: 9000, key: listKey, items: 300 };
    await h.local.store.putTry({
      ...TRY,
      runId: run.runId,
      taskId: 'list',
      state: 'success',
      response: ref,
    });
    for (let i = 0; i < 300; i++)
      await h.local.store.putTry({
        ...TRY,
        runId: run.runId,
        taskId: 'each',
        mapIndex: i,
        ...(i === 5
          ? { state: 'failed' as const, error: { error: 'Error', cause: 'unreadable' } }
          : { state: 'success' as const, response: items[i]!.length }),
      });
    sfn.on(DescribeExecutionCommand).resolves(described(run, 'FAILED'));
    sfn.on(GetExecutionHistoryCommand).resolves(
      history('FailStateEntered', {
        list: { s: 'success', o: ref },
        each: { s: 'mapped', o: null, n: 300, f: true, a: true },
      }),
    );
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${run.executionArn}-r2`, startDate: new Date() });
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand, { Bucket: bucket, Key: listKey }).resolves({
      Body: { transformToString: async () => JSON.stringify(items) } as never,
    });
    s3.on(PutObjectCommand).resolves({});
    try {
      await withCloud({ kind: 'aws', env: 'dev', flags: '--target aws' }, (cloud) =>
        resumeRun(cloud, run, ir, { kind: 'retry' }),
      );
      const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
      const prefix = `${run.runId}/${run.key}-2`;
      expect(puts.map((p) => [p.Bucket, p.Key])).toEqual([
        [bucket, `${prefix}/done-each-pending.json`],
        [bucket, `${prefix}/done-each.json`],
      ]);
      expect(JSON.parse(String(puts[0]!.Body))).toEqual([{ i: 5, v: 'inbox/file-5.csv' }]);
      const given = JSON.parse(String(puts[1]!.Body)) as unknown[];
      expect(given).toHaveLength(300);
      expect(given[5]).toBeNull();
      expect(given[6]).toEqual({ r: items[6]!.length });
      const [start] = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
      expect(JSON.parse(start!.input!).done).toEqual({
        list: { r: ref },
        each: {
          g: { $ref: `s3://${bucket}/${prefix}/done-each.json`, bytes: expect.any(Number) },
          p: { key: `${prefix}/done-each-pending.json`, items: 1 },
        },
      });
    } finally {
      s3.restore();
    }
  });
});

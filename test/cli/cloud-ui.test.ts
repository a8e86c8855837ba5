/**
 * `updraft ui --target aws`'s actions (cli/commands/ui cloudRuns through the API): Trigger starts
 * the execution `updraft trigger --target aws` starts, Retry and clear resume a run as
 * `updraft retry|clear --target aws` do, each refusal with the CLI's message and hint, and an
 * offloaded output is read from the payload bucket. The run table is the real DynamoStore on
 * dynalite; Step Functions and S3 are mocked.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudRuns } from '../../src/cli/commands/ui.ts';
import { devApi } from '../../src/cli/dev-api.ts';
import { targetOf } from '../../src/cli/target.ts';
import { openCloud, type Cloud } from '../../src/cloud/context.ts';
import { getS3Object } from '../../src/runtime/s3-objects.ts';
import { resolveParams } from '../../src/runtime/params.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, param, task } from '../../src/sdk/index.ts';
import {
  machineArn,
  mockDeployedMachines,
  openCloudHarness,
  runRecord,
  type CloudHarness,
} from './cloud-harness.ts';

const orders = dag(
  'orders',
  {
    schedule: '@daily',
    startDate: '2026-01-01',
    params: { limit: param.integer({ default: 10, minimum: 1 }) },
  },
  () => {
    const extract = task('extract', async () => ({ rows: 3 }))();
    task('load', async (_ctx, x: { rows: number }) => x.rows)(extract);
  },
);
const ir = buildDagIR(orders, 'dags/orders.ts').ir;

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
let h: CloudHarness;
let cloud: Cloud & { close(): Promise<void> };
let app: ReturnType<typeof devApi>;

const failed = runRecord('orders', {
  logicalDate: '2026-11-12T00:00:00.000Z',
  status: 'failed',
  error: { error: 'Updraft.TaskFailed', cause: 'task "load" failed' },
});
const succeeded = runRecord('orders', { logicalDate: '2026-11-13T00:00:00.000Z' });

async function post(path: string, body: unknown) {
  const response = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  h = await openCloudHarness();
  for (const r of [failed, succeeded]) await h.local.store.createRun(r);
  await h.local.store.putTry({
    runId: failed.runId,
    taskId: 'extract',
    mapIndex: -1,
    tryNumber: 1,
    runAttempt: 1,
    state: 'success',
    startedAt: '2026-11-12T00:00:01.000Z',
    response: { rows: 3 },
  });
  await h.local.store.putTask({
    runId: succeeded.runId,
    dagId: 'orders',
    taskId: 'extract',
    state: 'success',
    attempts: 1,
    output: { $ref: 's3://updraft-dev-payloads-123456789012-eu-west-1/orders/x.json', bytes: 14 },
  });
  cloud = await openCloud(targetOf({ target: 'aws' }) as never);
  const now = () => new Date('2026-11-21T12:00:00Z');
  app = devApi({
    store: cloud.store,
    dags: () => [ir],
    now,
    cloud: cloudRuns(cloud, [ir], now),
    objects: { get: (ref) => getS3Object(cloud.clients.s3, ref) },
  });
});
afterAll(async () => {
  sfn.restore();
  s3.restore();
  await cloud.close();
  await h.close();
});
beforeEach(() => {
  sfn.reset();
  mockDeployedMachines(sfn, ['orders']);
});

describe('updraft ui --target aws: actions', () => {
  it('Trigger starts the execution named by the run id; a bad param is refused with the CLI’s message', async () => {
    const started = await post('/api/dags/orders/trigger', {
      conf: { limit: 5 },
      date: '2026-11-20',
    });
    expect(started).toEqual({
      status: 202,
      body: { runId: 'orders-2026-11-20T00-00-00Z', created: true, status: 'running' },
    });
    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts.map((c) => [c.args[0].input.stateMachineArn, c.args[0].input.name])).toEqual([
      [machineArn('orders'), 'orders-2026-11-20T00-00-00Z'],
    ]);
    expect(JSON.parse(starts[0]!.args[0].input.input!).run.params).toEqual({ limit: 5 });
    expect((await cloud.store.getRun('orders-2026-11-20T00-00-00Z'))?.triggeredBy).toBe('manual');

    const cli = (() => {
      try {
        resolveParams(ir, { limit: 0 });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(await post('/api/dags/orders/trigger', { conf: { limit: 0 } })).toEqual({
      status: 400,
      body: { error: cli },
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('Retry starts the next execution handing back what succeeded; a succeeded run is refused with the CLI’s hint', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: failed.executionArn,
      stateMachineArn: machineArn('orders'),
      status: 'FAILED',
      startDate: new Date(failed.startedAt!),
      input: JSON.stringify({
        run: {
          dagId: 'orders',
          runId: failed.runId,
          key: failed.key,
          logicalDate: failed.logicalDate,
          ds: failed.logicalDate.slice(0, 10),
          dataIntervalStart: failed.dataIntervalStart,
          dataIntervalEnd: failed.dataIntervalEnd,
          params: { limit: 10 },
          triggeredBy: 'schedule',
          timers: {},
        },
        t: {},
        done: {},
      }),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    expect(await post(`/api/runs/${failed.runId}/retry`, {})).toEqual({
      status: 202,
      body: { runId: failed.runId, status: 'running', execution: 2 },
    });
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(`${failed.runId}-r2`);
    expect(Object.keys(JSON.parse(start.input!).done)).toEqual(['extract']);

    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: succeeded.executionArn,
      stateMachineArn: machineArn('orders'),
      status: 'SUCCEEDED',
      startDate: new Date(succeeded.startedAt!),
    });
    expect(await post(`/api/runs/${succeeded.runId}/retry`, {})).toEqual({
      status: 400,
      body: {
        error: `run "${succeeded.runId}" succeeded: there is nothing to retry`,
        hint: `to run tasks of it again: updraft clear ${succeeded.runId} --task <task> --target aws`,
      },
    });
  });

  it('clear refuses a task the DAG has not, before anything starts', async () => {
    expect(
      await post(`/api/runs/${succeeded.runId}/clear`, { tasks: ['nope'], downstream: true }),
    ).toEqual({
      status: 400,
      body: { error: 'task "nope" is not in DAG "orders"', hint: 'tasks: extract, load' },
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('reads an offloaded output from the payload bucket its reference names', async () => {
    s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => ({
      Body: {
        transformToString: async () =>
          input.Bucket === 'updraft-dev-payloads-123456789012-eu-west-1' &&
          input.Key === 'orders/x.json'
            ? '{"rows":[1,2,3]}'
            : '',
      },
    }));
    const response = await app.request(`/api/runs/${succeeded.runId}/tasks/extract/output`);
    expect(await response.json()).toEqual({ output: { rows: [1, 2, 3] } });
  });
});

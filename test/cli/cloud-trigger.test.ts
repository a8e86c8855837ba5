/**
 * `updraft trigger --target aws|localstack`: the queued run record in the environment's table
 * (the real DynamoStore on dynalite), StartExecution named by the run id with exactly the input
 * the launcher builds, started through the launcher's run queue (maxActiveRuns counted with
 * ListExecutions), the idempotent second trigger, params validation, and the errors a user meets
 * (not deployed, table missing, access denied). Step Functions is mocked.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACCOUNT,
  REGION,
  executionArn,
  machineArn,
  mockDeployedMachines,
  openCloudHarness,
  runRecord,
  type CloudHarness,
} from './cloud-harness.ts';

const ORDERS = `
import { dag, param, task, timeSensor } from 'updraft';

export default dag(
  'orders',
  {
    schedule: '0 2 * * *',
    timezone: 'Europe/Berlin',
    startDate: '2026-01-01',
    maxActiveRuns: 3,
    params: { limit: param.integer({ default: 10, minimum: 1 }), region: param.string({ default: 'eu' }) },
  },
  () => {
    const wait = timeSensor('wait_6h', { after: '6h' });
    const load = task('load', async (ctx) => {
      ctx.log.info('loading', { limit: ctx.params.limit });
      return 'ok';
    });
    wait.then(load);
  },
);
`;

const CAPPED = `
import { dag, task } from 'updraft';

export default dag('capped', { schedule: '@daily', startDate: '2026-01-01', maxActiveRuns: 1 }, () => {
  task('only', async () => 1)();
});
`;

const sfn = mockClient(SFNClient);
let h: CloudHarness;

beforeAll(async () => {
  h = await openCloudHarness({ 'orders.ts': ORDERS, 'capped.ts': CAPPED });
});
afterAll(async () => {
  sfn.restore();
  await h.close();
});
beforeEach(() => {
  sfn.reset();
  mockDeployedMachines(sfn, ['other', 'orders', 'capped'], ['dev', 'staging']);
});

const RUN = 'orders-2026-11-20T01-00-00Z';

describe('updraft trigger --target aws', () => {
  it('writes the queued run, then starts the execution named by the run id with the launcher’s input', async () => {
    const r = await h.cli([
      'trigger',
      'orders',
      '--date',
      '2026-11-20',
      '--conf',
      '{"limit": 5}',
      '--target',
      'aws',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✔ Started ${RUN} on AWS (dev, ${REGION})`,
      '  logical date 2026-11-20T01:00:00.000Z · data interval 2026-11-20T01:00:00.000Z → 2026-11-21T01:00:00.000Z · conf {"limit":5}',
      `  arn:aws:states:${REGION}:${ACCOUNT}:execution:updraft-dev-orders:${RUN}`,
      `  ↳ follow it: updraft show ${RUN} --target aws · updraft logs ${RUN} --target aws`,
    ]);

    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    const input = starts[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(machineArn('orders'));
    expect(input.name).toBe(RUN);
    // Exactly what runtime/launch builds: `{ run, t: {}, done: {} }`, params with defaults filled in,
    // the time sensor's deadline at the data interval's end + 6 h.
    expect(input.input).toBe(
      JSON.stringify({
        run: {
          dagId: 'orders',
          runId: RUN,
          key: '2026-11-20T01-00-00Z',
          logicalDate: '2026-11-20T01:00:00.000Z',
          ds: '2026-11-20',
          dataIntervalStart: '2026-11-20T01:00:00.000Z',
          dataIntervalEnd: '2026-11-21T01:00:00.000Z',
          params: { limit: 5, region: 'eu' },
          triggeredBy: 'manual',
          timers: { wait_6h: '2026-11-21T07:00:00.000Z' },
        },
        t: {},
        done: {},
      }),
    );

    expect(await h.local.store.getRun(RUN)).toEqual({
      runId: RUN,
      dagId: 'orders',
      key: '2026-11-20T01-00-00Z',
      logicalDate: '2026-11-20T01:00:00.000Z',
      dataIntervalStart: '2026-11-20T01:00:00.000Z',
      dataIntervalEnd: '2026-11-21T01:00:00.000Z',
      triggeredBy: 'manual',
      conf: { limit: 5 },
      status: 'running',
      attempt: 1,
      queuedAt: '2026-11-21T12:00:00.000Z',
      startedAt: '2026-11-21T12:00:01.000Z',
      maxActiveRuns: 3,
      executionArn: executionArn('orders', RUN),
    });
    // The run queue counted the DAG's running executions first (maxActiveRuns 3).
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toMatchObject({
      stateMachineArn: machineArn('orders'),
      statusFilter: 'RUNNING',
    });
  });

  it('a second trigger of the same interval starts nothing and reports the run (exit 0 while it has not failed)', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArn('orders', RUN),
      status: 'RUNNING',
      startDate: new Date('2026-11-21T12:00:01Z'),
      stateMachineArn: machineArn('orders'),
    });
    const r = await h.cli(['trigger', 'orders', '--date', '2026-11-20', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `Run ${RUN} already exists on AWS (dev, ${REGION}) (running, execution RUNNING): nothing new started. Deterministic run ids make a second trigger of the same interval a no-op.`,
      `▸ running  ${RUN}  (logical date 2026-11-20T01:00:00.000Z)`,
      `  ↳ updraft show ${RUN} --target aws`,
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: executionArn('orders', RUN),
    });
  });

  it('exits 1 when the interval’s existing run failed, pointing at retry', async () => {
    const failed = runRecord('orders', {
      logicalDate: '2026-11-18T01:00:00.000Z',
      status: 'failed',
      triggeredBy: 'schedule',
    });
    await h.local.store.createRun(failed);
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: failed.executionArn,
      status: 'FAILED',
      startDate: new Date(),
      stateMachineArn: machineArn('orders'),
    });
    const r = await h.cli([
      'trigger',
      'orders',
      '--date',
      '2026-11-18',
      '--target',
      'aws',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      outcome: 'existing',
      runId: failed.runId,
      status: 'failed',
      executionArn: failed.executionArn,
      execution: { status: 'FAILED' },
    });
    const text = await h.cli(['trigger', 'orders', '--date', '2026-11-18', '--target', 'aws']);
    expect(text.out.split('\n').at(-1)).toBe(
      `  ↳ updraft show ${failed.runId} --target aws · resume it: updraft retry ${failed.runId} --target aws`,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('checks the conf against the DAG params before touching AWS', async () => {
    const r = await h.cli([
      'trigger',
      'orders',
      '--date',
      '2026-11-17',
      '--conf',
      '{"limit": 0, "colour": "red"}',
      '--target',
      'aws',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ DAG "orders" cannot start with this conf: unknown param "colour" (declared: limit, region); param "limit" must be at least 1, got 0. Pass --conf '{"name": value}' with the declared params.`,
    );
    expect(sfn.calls()).toHaveLength(0);
    expect(await h.local.store.getRun('orders-2026-11-17T01-00-00Z')).toBeUndefined();
  });

  it('says the DAG is not deployed (and writes no record) when its state machine does not exist', async () => {
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const r = await h.cli(['trigger', 'orders', '--date', '2026-11-16', '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ DAG "orders" is not deployed to dev: there is no state machine "updraft-dev-orders" in AWS (dev, ${REGION})\n    ↳ deploy first: npm run deploy -- -c env=dev`,
    );
    expect(await h.local.store.getRun('orders-2026-11-16T01-00-00Z')).toBeUndefined();
  });

  it('names the missing permission when StartExecution is denied, and removes the queued record again', async () => {
    const denied = Object.assign(
      new Error(
        `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: states:StartExecution on resource: ${machineArn('orders')} because no identity-based policy allows the states:StartExecution action`,
      ),
      {
        name: 'AccessDeniedException',
        $fault: 'client',
      },
    );
    sfn.on(StartExecutionCommand).rejects(denied);
    const r = await h.cli(['trigger', 'orders', '--date', '2026-11-15', '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ access denied: your AWS identity may not states:StartExecution on ${machineArn('orders')}\n    ↳ ask for an IAM policy that allows states:StartExecution on Updraft's dev resources (names start with updraft-dev)`,
    );
    expect(await h.local.store.getRun('orders-2026-11-15T01-00-00Z')).toBeUndefined();
  });

  it('keeps the run queued with its input when maxActiveRuns is reached, for the recorder to start', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: executionArn('capped', 'capped-2026-11-19T00-00-00Z'),
          stateMachineArn: machineArn('capped'),
          name: 'capped-2026-11-19T00-00-00Z',
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });
    const r = await h.cli(['trigger', 'capped', '--date', '2026-11-20', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `⏸ Queued capped-2026-11-20T00-00-00Z on AWS (dev, ${REGION}): capped already runs as many as its maxActiveRuns (1) allows; it starts when a slot frees (oldest queued first)`,
      '  logical date 2026-11-20T00:00:00.000Z · data interval 2026-11-20T00:00:00.000Z → 2026-11-21T00:00:00.000Z',
      '  ↳ updraft runs capped --target aws shows the active runs',
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const queued = await h.local.store.getRun('capped-2026-11-20T00-00-00Z');
    expect(queued).toMatchObject({ status: 'queued', triggeredBy: 'manual', maxActiveRuns: 1 });
    expect(JSON.parse(queued!.pendingInput!)).toMatchObject({
      run: { runId: 'capped-2026-11-20T00-00-00Z', triggeredBy: 'manual' },
      t: {},
    });
  });

  it('reports the execution when one of that name already ran before the record existed', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArn('orders', 'orders-2026-11-13T01-00-00Z'),
      status: 'SUCCEEDED',
      startDate: new Date(),
      stateMachineArn: machineArn('orders'),
    });
    const r = await h.cli(['trigger', 'orders', '--date', '2026-11-13', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(
      `Run orders-2026-11-13T01-00-00Z already exists on AWS (dev, ${REGION}) (success, execution SUCCEEDED): nothing new started. Deterministic run ids make a second trigger of the same interval a no-op.`,
    );
  });

  it('says to deploy when the environment’s table does not exist', async () => {
    const r = await h.cli([
      'trigger',
      'orders',
      '--date',
      '2026-11-20',
      '--target',
      'aws',
      '--env',
      'staging',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ the run table "updraft-staging" does not exist in AWS ${REGION}: Updraft is not deployed to staging there\n    ↳ deploy first: npm run deploy -- -c env=staging`,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('works the same against LocalStack (its endpoint from AWS_ENDPOINT_URL)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', h.local.endpoint);
    try {
      const r = await h.cli([
        'trigger',
        'orders',
        '--date',
        '2026-11-14',
        '--target',
        'localstack',
        '--json',
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual({
        outcome: 'started',
        runId: 'orders-2026-11-14T01-00-00Z',
        dagId: 'orders',
        status: 'running',
        logicalDate: '2026-11-14T01:00:00.000Z',
        dataInterval: { start: '2026-11-14T01:00:00.000Z', end: '2026-11-15T01:00:00.000Z' },
        conf: {},
        executionArn: executionArn('orders', 'orders-2026-11-14T01-00-00Z'),
      });
    } finally {
      vi.stubEnv('AWS_ENDPOINT_URL', undefined);
    }
  });
});

describe('updraft trigger on the local target', () => {
  it('is updraft run: the embedded engine runs the DAG to the end', async () => {
    const r = await h.cli(['trigger', 'orders', '--date', '2026-11-20', '--conf', '{"limit": 5}']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('Running orders on the embedded engine…');
    expect(r.out).toContain(`✔ success  ${RUN}`);
    expect(sfn.calls()).toHaveLength(0);
  });
});

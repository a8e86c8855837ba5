/**
 * The recorder as Lambda loads it: a real esbuild bundle of the generated entry carrying the
 * environment's dataset-scheduled DAGs (infra/bundle), its store on DynamoDB (dynalite), Step
 * Functions mocked at the network boundary. A producer's end starts its consumer's run.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAll, recorderEntrySource } from '../../infra/bundle.ts';
import type { DatasetLaunchSpec } from '../../src/runtime/dataset-launch.ts';
import type { NotifySpec } from '../../src/runtime/notify-due.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';
import { startHttpReceiver } from '../support/http-receiver.ts';
import { executionEvent } from '../support/execution-event.ts';

const ORDERS = 's3://lake/orders';
const PREFIX = 'arn:aws:states:eu-central-1:123456789012';
const CONSUMER: DatasetLaunchSpec = {
  dagId: 'orders_mart',
  timezone: 'UTC',
  schedule: {
    kind: 'datasets',
    condition: { kind: 'dataset', uri: ORDERS },
    datasets: [ORDERS],
  },
  catchup: false,
  maxActiveRuns: 16,
  params: {},
  timers: [],
};

const sfnMock = mockClient(SFNClient);
const secretsMock = mockClient(SecretsManagerClient);
const schedulerMock = mockClient(SchedulerClient);
const snsMock = mockClient(SNSClient);
let dir: string;
let local: Dynalite;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'updraft-recorder-bundle-'));
  local = await startDynalite({ tableName: 'updraft-prod' });
  Object.assign(process.env, {
    UPDRAFT_ENV: 'prod',
    UPDRAFT_TABLE: 'updraft-prod',
    UPDRAFT_ALERTS_TOPIC: `arn:aws:sns:eu-central-1:123456789012:updraft-prod-alerts`,
    UPDRAFT_DEADLINE_ROLE: 'arn:aws:iam::123456789012:role/updraft-prod-deadline-checks',
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
}, 60_000);

afterAll(async () => {
  process.env = saved;
  sfnMock.restore();
  secretsMock.restore();
  schedulerMock.restore();
  snsMock.restore();
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the recorder bundle', () => {
  it('carries the dataset-scheduled DAGs and starts a consumer run when a producer run ends', async () => {
    const bundles = await bundleAll(
      [{ name: 'recorder', source: recorderEntrySource([CONSUMER]) }],
      { outDir: dir },
    );
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    sfnMock.on(StartExecutionCommand).callsFake((input) => ({
      executionArn: `${PREFIX}:execution:updraft-prod-orders_mart:${input.name}`,
      startDate: new Date('2026-11-21T01:03:14Z'),
    }));
    const producerRun = 'daily_orders-2026-11-20T01-00-00Z';
    await local.store.putLineage([
      {
        runId: producerRun,
        dagId: 'daily_orders',
        taskId: 'load',
        direction: 'out',
        dataset: ORDERS,
        at: '2026-11-21T01:02:00.000Z',
      },
    ]);
    const { handler } = (await import(
      pathToFileURL(path.join(bundles.get('recorder')!.dir, 'index.mjs')).href
    )) as { handler: (event: unknown, context: unknown) => Promise<{ datasetRuns: string[] }> };
    const machine = `${PREFIX}:stateMachine:updraft-prod-daily_orders`;
    const outcome = await handler(
      {
        version: '0',
        id: 'e-1',
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        account: '123456789012',
        time: '2026-11-21T01:03:13Z',
        region: 'eu-central-1',
        resources: [],
        detail: {
          executionArn: `${PREFIX}:execution:updraft-prod-daily_orders:${producerRun}`,
          stateMachineArn: machine,
          name: producerRun,
          status: 'SUCCEEDED',
          startDate: Date.parse('2026-11-21T01:00:02Z'),
          stopDate: Date.parse('2026-11-21T01:03:12Z'),
          input: null,
          inputDetails: { included: false },
          output: null,
          outputDetails: null,
          error: null,
          cause: null,
          redriveCount: 0,
          redriveDate: null,
        },
      },
      { functionName: 'updraft-prod-recorder', awsRequestId: 'r-1' },
    );
    const runId = 'orders_mart-2026-11-21T01-03-13Z-d1';
    expect(outcome.datasetRuns).toEqual([runId]);
    expect(
      sfnMock
        .commandCalls(StartExecutionCommand)
        .map((c) => [c.args[0].input.stateMachineArn, c.args[0].input.name]),
    ).toEqual([[`${PREFIX}:stateMachine:updraft-prod-orders_mart`, runId]]);
  });

  it('carries the DAGs that notify: a failed run tells the webhook its connection names, a started run gets its deadline check', async () => {
    const http = await startHttpReceiver();
    const spec: NotifySpec = {
      dagId: 'nightly',
      notifications: [{ on: ['failure'], channel: { kind: 'webhook', connection: 'ops_hook' } }],
      tasks: {},
      attempts: {},
      deadlineSeconds: 7200,
    };
    const bundles = await bundleAll(
      [{ name: 'recorder', source: recorderEntrySource([], { nightly: spec }) }],
      { outDir: path.join(dir, 'notify') },
    );
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    secretsMock
      .on(GetSecretValueCommand, { SecretId: 'updraft/prod/connections/ops_hook' })
      .resolves({ SecretString: `${http.base}/ops` });
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:s' });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' }); // the platform's own alert
    const { handler } = (await import(
      pathToFileURL(path.join(bundles.get('recorder')!.dir, 'index.mjs')).href
    )) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
    const runId = 'nightly-2026-11-20T00-00-00Z';
    const event = (status: 'RUNNING' | 'FAILED', stopDate?: number) =>
      executionEvent({
        dagId: 'nightly',
        runId,
        status,
        time: '2026-11-21T00:10:00Z',
        startDate: Date.parse('2026-11-21T00:05:00Z'),
        ...(stopDate !== undefined && { stopDate }),
      });
    const context = {
      functionName: 'updraft-prod-recorder',
      awsRequestId: 'r-2',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:updraft-prod-recorder',
    };
    await handler(event('RUNNING'), context);
    expect(schedulerMock.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toMatchObject({
      GroupName: 'updraft-prod-deadlines',
      ScheduleExpression: 'at(2026-11-21T02:00:00)',
      Target: {
        Arn: context.invokedFunctionArn,
        RoleArn: 'arn:aws:iam::123456789012:role/updraft-prod-deadline-checks',
      },
    });
    await handler(event('FAILED', Date.parse('2026-11-21T00:09:00Z')), context);
    expect(http.received.map((r) => [r.path, r.body.event, r.body.runId])).toEqual([
      ['/ops', 'failure', runId],
    ]);
    await http.close();
  });
});

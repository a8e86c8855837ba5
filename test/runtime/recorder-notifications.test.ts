/**
 * Notifications and deadlines on AWS, through the recorder's status-change path: the real
 * DynamoStore on dynalite, a real HTTP server as the Slack/webhook endpoint, Step Functions, SNS
 * and EventBridge Scheduler mocked at the network boundary. A failed run notifies once however
 * often its event is delivered; a run's start sets its deadline check (an `at()` schedule that
 * deletes itself) and its end removes it; the check sends `deadline_missed` only for a run not
 * finished by its deadline.
 */
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  recordDeadline,
  recordExecution,
  type ExecutionStatusDetail,
  type ExecutionStatusEvent,
  type RecorderDeps,
} from '../../src/runtime/recorder.ts';
import { deadlineSchedules, deadlineScheduleName } from '../../src/runtime/deadline-schedules.ts';
import { notifySpecOf } from '../../src/runtime/notify-due.ts';
import { snsPublisher } from '../../src/runtime/sns-publish.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, notify, task } from '../../src/sdk/index.ts';
import type { Connection } from '../../src/sdk/context.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/http-receiver.ts';
import { executionEvent } from '../support/execution-event.ts';

const EXECUTION = 'arn:aws:states:eu-central-1:123456789012:execution:updraft-prod-sales';
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:updraft-prod-alerts';
const RECORDER = 'arn:aws:lambda:eu-central-1:123456789012:function:updraft-prod-recorder';
const ROLE = 'arn:aws:iam::123456789012:role/updraft-prod-deadline-checks';
const RUN_ID = 'sales-2026-11-20T00-00-00Z';
const START = Date.parse('2026-11-21T00:05:00.000Z');
const SLACK_TOKEN = 'T0SECRET/B0SECRET/xoxbRecorderToken9';

const sales = dag(
  'sales',
  {
    schedule: '@daily',
    startDate: '2026-11-01',
    deadline: '2h',
    notify: [
      notify.slack('alerts', { on: ['failure', 'deadline_missed'] }),
      notify.sns({ on: ['failure'], topic: 'data-team' }),
    ],
  },
  () => {
    task('load', async () => 1)();
  },
);
const spec = notifySpecOf(buildDagIR(sales, 'dags/sales.ts').ir);

const sfnMock = mockClient(SFNClient);
const snsMock = mockClient(SNSClient);
const schedulerMock = mockClient(SchedulerClient);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let local: Dynalite;
let http: HttpReceiver;
let secretReads = 0;

beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(() => http.close());
beforeEach(async () => {
  local = await startDynalite();
  http.reset();
  secretReads = 0;
  for (const m of [sfnMock, snsMock, schedulerMock]) m.reset();
  sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:s' });
  schedulerMock.on(DeleteScheduleCommand).resolves({});
});
afterEach(() => local.close());

function deps(): RecorderDeps {
  const sns = new SNSClient({ region: 'eu-central-1', credentials });
  const store = local.store;
  return {
    store,
    sfn: new SFNClient({ region: 'eu-central-1', credentials }),
    sns,
    log: { info: () => {}, warn: () => {} },
    settings: { environment: 'prod', alertsTopic: TOPIC },
    notifications: {
      spec: (dagId) => (dagId === 'sales' ? spec : undefined),
      send: {
        store,
        environment: 'prod',
        connection: async (id): Promise<Connection> => {
          secretReads++;
          return { id, uri: `${http.base}/slack/${SLACK_TOKEN}`, extra: {} };
        },
        publish: snsPublisher(sns, TOPIC),
        now: () => Date.parse('2026-11-21T03:00:00Z'),
        log: { info: () => {}, warn: () => {} },
        url: (run) => `https://console.example/${run.runId}`,
        retry: { retries: 2, minTimeoutMs: 5 },
      },
      deadlines: deadlineSchedules(new SchedulerClient({ region: 'eu-central-1', credentials }), {
        group: 'updraft-prod-deadlines',
        targetArn: () => RECORDER,
        roleArn: ROLE,
      }),
    },
  };
}

const event = (
  status: ExecutionStatusDetail['status'],
  time: string,
  stopDate?: number,
): ExecutionStatusEvent =>
  executionEvent({
    dagId: 'sales',
    runId: RUN_ID,
    status,
    time,
    startDate: START,
    ...(stopDate !== undefined && { stopDate }),
  });

describe('the recorder sends notifications and keeps deadlines', () => {
  it('a run start sets a one-time deadline check; a failed end notifies Slack and SNS once however often it is delivered, and removes the check', async () => {
    const d = deps();
    const started = await recordExecution(event('RUNNING', '2026-11-21T00:05:01Z'), d);
    expect(started).toMatchObject({ applied: true, status: 'running' });
    const create = schedulerMock.commandCalls(CreateScheduleCommand);
    expect(create).toHaveLength(1);
    expect(create[0]!.args[0].input).toEqual({
      Name: deadlineScheduleName(RUN_ID),
      GroupName: 'updraft-prod-deadlines',
      Description: `Updraft: deadline of run ${RUN_ID}`,
      ScheduleExpression: 'at(2026-11-21T02:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: RECORDER,
        RoleArn: ROLE,
        Input: JSON.stringify({ updraft: 'deadline', runId: RUN_ID, dagId: 'sales' }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(deadlineScheduleName(RUN_ID)).toMatch(/^deadline-[0-9a-f]{40}$/);

    const failed = event('FAILED', '2026-11-21T00:20:00Z', Date.parse('2026-11-21T00:19:59Z'));
    const first = await recordExecution(failed, d);
    const again = await recordExecution(failed, d);
    expect(first).toMatchObject({ applied: true, status: 'failed', notifications: 2 });
    expect(again.notifications).toBeUndefined();
    expect(http.received.map((r) => r.path)).toEqual([`/slack/${SLACK_TOKEN}`]);
    expect(http.received[0]!.body.text).toBe(`🔴 DAG sales run ${RUN_ID} failed`);
    expect(JSON.stringify(http.received[0]!.body.blocks)).toContain(
      `<https://console.example/${RUN_ID}|Open the run>`,
    );
    const published = snsMock
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.TopicArn !== TOPIC); // the platform's own alert goes to the alerts topic
    expect(published).toEqual([
      {
        TopicArn: 'arn:aws:sns:eu-central-1:123456789012:data-team',
        Subject: `Updraft: DAG sales run ${RUN_ID} failed`,
        Message: expect.stringContaining('"event": "failure"'),
      },
    ]);
    expect(JSON.parse(published[0]!.Message!)).toMatchObject({
      version: 1,
      event: 'failure',
      environment: 'prod',
      dagId: 'sales',
      runId: RUN_ID,
      status: 'failed',
      url: `https://console.example/${RUN_ID}`,
    });
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({
      Name: deadlineScheduleName(RUN_ID),
      GroupName: 'updraft-prod-deadlines',
    });
    const records = await local.store.listNotifications(RUN_ID);
    expect(records.map((r) => [r.event, r.channel, r.state])).toEqual([
      ['failure', 'slack:alerts', 'sent'],
      ['failure', 'sns:data-team', 'sent'],
    ]);
    expect(JSON.stringify(records)).not.toContain(SLACK_TOKEN);
  });

  it('the deadline check notifies a run still going past its deadline, once; a run that ended in time sends nothing', async () => {
    const d = deps();
    await recordExecution(event('RUNNING', '2026-11-21T00:05:01Z'), d);
    const check = { updraft: 'deadline' as const, runId: RUN_ID, dagId: 'sales' };
    expect(await recordDeadline(check, d, new Date('2026-11-21T01:59:59Z'))).toEqual({
      runId: RUN_ID,
      notifications: 0,
    });
    expect(await recordDeadline(check, d, new Date('2026-11-21T02:00:01Z'))).toEqual({
      runId: RUN_ID,
      notifications: 1,
    });
    expect(await recordDeadline(check, d, new Date('2026-11-21T02:00:05Z'))).toEqual({
      runId: RUN_ID,
      notifications: 0,
    });
    expect(http.received.map((r) => r.body.text)).toEqual([
      `⏰ DAG sales run ${RUN_ID} missed its deadline`,
    ]);

    // Another run, ended in time: its (late-delivered) check finds nothing to say.
    http.reset();
    const ended = event('SUCCEEDED', '2026-11-21T00:30:00Z', Date.parse('2026-11-21T00:29:00Z'));
    schedulerMock
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const { run } = await local.store.createRun({
      ...(await local.store.getRun(RUN_ID))!,
      runId: 'sales-2026-11-19T00-00-00Z',
      status: 'running',
    });
    await recordExecution(
      {
        ...ended,
        detail: { ...ended.detail, name: run.runId, executionArn: `${EXECUTION}:${run.runId}` },
      },
      d,
    );
    expect(
      await recordDeadline({ ...check, runId: run.runId }, d, new Date('2026-11-21T02:00:01Z')),
    ).toEqual({ runId: run.runId, notifications: 0 });
    expect(http.received).toEqual([]);
    expect(secretReads).toBeGreaterThan(0);
  });
});

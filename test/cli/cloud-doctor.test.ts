/**
 * `updraft doctor --target aws [--replay]`: the launcher's and recorder's failures from the
 * environment's dead-letter queue (`updraft-<env>-dead-letters`) in all three shapes that land
 * there — Lambda on-failure destination records, an undelivered EventBridge rule event, an
 * undelivered Scheduler tick — and their replay through the deployed function (deleted only once
 * it succeeded). SQS and Lambda are mocked at the SDK boundary.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  REGION,
  executionArn,
  machineArn,
  openCloudHarness,
  type CloudHarness,
} from './cloud-harness.ts';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
let h: CloudHarness;
const URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/updraft-dev-dead-letters`;

beforeAll(async () => {
  h = await openCloudHarness();
});
afterAll(async () => {
  sqs.restore();
  lambda.restore();
  await h.close();
});
beforeEach(() => {
  sqs.reset();
  lambda.reset();
  sqs.on(GetQueueUrlCommand, { QueueName: 'updraft-dev-dead-letters' }).resolves({ QueueUrl: URL });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(DeleteMessageCommand).resolves({});
});

const tick = {
  spec: {
    dagId: 'orders',
    timezone: 'UTC',
    schedule: { kind: 'cron', expression: '0 1 * * *', timezone: 'UTC' },
    catchup: false,
    maxActiveRuns: 1,
    params: {},
    timers: [],
  },
  stateMachineArn: machineArn('orders'),
  scheduledTime: '2026-11-21T01:00:00Z',
};
const statusEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: ACCOUNT,
  time: '2026-11-21T01:03:13Z',
  region: REGION,
  resources: [executionArn('orders', 'orders-2026-11-20T01-00-00Z')],
  detail: {
    executionArn: executionArn('orders', 'orders-2026-11-20T01-00-00Z'),
    stateMachineArn: machineArn('orders'),
    name: 'orders-2026-11-20T01-00-00Z',
    status: 'SUCCEEDED',
    startDate: 1_763_686_802_000,
    stopDate: 1_763_686_992_250,
  },
};

/** A Lambda on-failure destination record, as Lambda sends it to an SQS destination (the body). */
function onFailure(
  fn: string,
  payload: unknown,
  error: { errorType: string; errorMessage: string },
  at: string,
): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: at,
    requestContext: {
      requestId: 'req-1',
      functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { ...error, trace: ['at launch (/var/task/index.mjs:1:1)'] },
  });
}

const MESSAGES: Message[] = [
  {
    MessageId: 'm-1',
    ReceiptHandle: 'r-1',
    Body: onFailure(
      'updraft-dev-launcher',
      tick,
      {
        errorType: 'ProvisionedThroughputExceededException',
        errorMessage: 'The level of configured provisioned throughput for the table was exceeded',
      },
      '2026-11-21T01:02:00.000Z',
    ),
  },
  {
    MessageId: 'm-2',
    ReceiptHandle: 'r-2',
    Body: onFailure(
      'updraft-dev-recorder',
      statusEvent,
      { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' },
      '2026-11-21T01:10:00.000Z',
    ),
  },
  {
    MessageId: 'm-3',
    ReceiptHandle: 'r-3',
    Body: JSON.stringify({
      ...statusEvent,
      id: 'e-2',
      detail: { ...statusEvent.detail, status: 'RUNNING' },
    }),
    Attributes: { SentTimestamp: String(Date.parse('2026-11-21T01:05:00Z')) },
    MessageAttributes: {
      ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'Lambda function is throttled' },
    },
  },
  {
    MessageId: 'm-4',
    ReceiptHandle: 'r-4',
    Body: JSON.stringify({ ...tick, scheduledTime: '<aws.scheduler.scheduled-time>' }),
    Attributes: { SentTimestamp: String(Date.parse('2026-11-21T02:00:00Z')) },
    MessageAttributes: {
      ERROR_CODE: { DataType: 'String', StringValue: 'AWS.Lambda.ResourceNotFoundException' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'Function not found' },
    },
  },
];

describe('updraft doctor --target aws', () => {
  it('lists every failure, oldest first: function, DAG and tick or run, when, the error; and leaves the messages in the queue', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: MESSAGES }).resolves({ Messages: [] });

    const r = await h.cli(['doctor', '--target', 'aws']);

    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `4 failures in the dead-letter queue updraft-dev-dead-letters of AWS (dev, ${REGION}), oldest first:`,
        '  ✖ launcher  DAG orders, schedule tick 2026-11-21T01:00:00Z  at 2026-11-21T01:02:00.000Z, after 3 attempts',
        '      ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded (RetriesExhausted)',
        '  ✖ recorder  run orders-2026-11-20T01-00-00Z, RUNNING event  at 2026-11-21T01:05:00.000Z',
        '      SDK_CLIENT_ERROR: Lambda function is throttled',
        '  ✖ recorder  run orders-2026-11-20T01-00-00Z, SUCCEEDED event  at 2026-11-21T01:10:00.000Z, after 3 attempts',
        '      ThrottlingException: Rate exceeded (RetriesExhausted)',
        '  ✖ launcher  DAG orders, schedule tick <aws.scheduler.scheduled-time>  at 2026-11-21T02:00:00.000Z',
        '      AWS.Lambda.ResourceNotFoundException: Function not found',
        '      ↳ cannot be replayed: its tick time was not filled in, so the interval it was for is unknown: start that interval with updraft trigger <dag> --date <date>',
        '↳ replay them: updraft doctor --replay --target aws (a replay starts no second run of an interval and never takes a newer run record back)',
      ].join('\n'),
    );
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: URL,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 120,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp'],
    });
    // Listed, not consumed: every message visible again at once, none deleted.
    expect(
      sqs
        .commandCalls(ChangeMessageVisibilityBatchCommand)
        .flatMap((c) =>
          c.args[0].input.Entries!.map((e) => [e.ReceiptHandle, e.VisibilityTimeout]),
        ),
    ).toEqual([
      ['r-1', 0],
      ['r-3', 0],
      ['r-2', 0],
      ['r-4', 0],
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
  });

  it('--replay invokes the deployed function with the original payload, deletes what succeeded, keeps what failed or cannot be replayed (exit 1)', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: MESSAGES }).resolves({ Messages: [] });
    const encoder = new TextEncoder();
    lambda.on(InvokeCommand, { FunctionName: 'updraft-dev-launcher' }).resolves({
      StatusCode: 200,
      Payload: encoder.encode(
        JSON.stringify({
          dagId: 'orders',
          started: [],
          queued: [],
          skipped: ['orders-2026-11-20T01-00-00Z'],
          deferred: 0,
        }),
      ) as never,
    });
    lambda
      .on(InvokeCommand, { FunctionName: 'updraft-dev-recorder' })
      .resolvesOnce({ StatusCode: 200, Payload: encoder.encode('{"applied":false}') as never })
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: encoder.encode(
          '{"errorType":"ThrottlingException","errorMessage":"Rate exceeded"}',
        ) as never,
      });

    const r = await h.cli(['doctor', '--target', 'aws', '--replay']);

    expect(r.code).toBe(1);
    expect(r.out.split('\n').slice(-6)).toEqual([
      'Replay:',
      '  ✔ replayed launcher: DAG orders, schedule tick 2026-11-21T01:00:00Z',
      '  ✔ replayed recorder: run orders-2026-11-20T01-00-00Z, RUNNING event',
      '  ✖ not replayed recorder: run orders-2026-11-20T01-00-00Z, SUCCEEDED event: ThrottlingException: Rate exceeded (kept in the queue)',
      '  ✖ not replayed launcher: DAG orders, schedule tick <aws.scheduler.scheduled-time>: its tick time was not filled in, so the interval it was for is unknown: start that interval with updraft trigger <dag> --date <date> (kept in the queue)',
      '2 of 4 replayed and removed from the queue; the others stay in it (the queue keeps messages 14 days).',
    ]);
    const invoked = lambda
      .commandCalls(InvokeCommand)
      .map((c) => [
        c.args[0].input.FunctionName,
        c.args[0].input.InvocationType,
        JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)),
      ]);
    expect(invoked).toEqual([
      ['updraft-dev-launcher', 'RequestResponse', tick],
      [
        'updraft-dev-recorder',
        'RequestResponse',
        { ...statusEvent, id: 'e-2', detail: { ...statusEvent.detail, status: 'RUNNING' } },
      ],
      ['updraft-dev-recorder', 'RequestResponse', statusEvent],
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: URL, ReceiptHandle: 'r-1' },
      { QueueUrl: URL, ReceiptHandle: 'r-3' },
    ]);
  });

  it('--json lists the failures as data', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: MESSAGES.slice(0, 1) })
      .resolves({ Messages: [] });
    const r = await h.cli(['doctor', '--target', 'aws', '--json']);
    expect(JSON.parse(r.out)).toEqual({
      queue: 'updraft-dev-dead-letters',
      failures: [
        {
          messageId: 'm-1',
          at: '2026-11-21T01:02:00.000Z',
          via: 'lambda-on-failure',
          function: 'launcher',
          subject: 'DAG orders, schedule tick 2026-11-21T01:00:00Z',
          dagId: 'orders',
          error:
            'ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded (RetriesExhausted)',
          attempts: 3,
        },
      ],
    });
  });

  it('an empty queue says so; a missing queue says to deploy; the local target says what doctor is for', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    expect((await h.cli(['doctor', '--target', 'aws'])).out).toBe(
      `No failures in AWS (dev, ${REGION}): the dead-letter queue updraft-dev-dead-letters is empty (the launcher and the recorder have lost nothing).`,
    );

    sqs
      .on(GetQueueUrlCommand)
      .rejects(
        new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }),
      );
    const missing = await h.cli(['doctor', '--target', 'aws', '--env', 'prod']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      `✖ the dead-letter queue "updraft-prod-dead-letters" does not exist in AWS (prod, ${REGION}): Updraft is not deployed to prod there\n    ↳ deploy first: npm run deploy -- -c env=prod`,
    );

    const local = await h.cli(['doctor']);
    expect(local.code).toBe(1);
    expect(local.err).toBe(
      '✖ updraft doctor reads a deployment’s dead-letter queue: local runs have no launcher or recorder to fail\n    ↳ name the deployment: updraft doctor --target aws (with --env staging|prod for other than dev)',
    );
  });
});

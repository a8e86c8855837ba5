/**
 * @module cloud/dead-letters
 * What the launcher and the recorder failed to do, from the environment's dead-letter queue
 * (`updraft-<env>-dead-letters`, the name infra/platform-stack.ts gives it and infra/refs.ts
 * points the schedules at), and replaying it. Three kinds of message land there:
 *
 * - a Lambda on-failure destination record (asynchronous invocation that failed every attempt):
 *   `{ version, timestamp, requestContext: { requestId, functionArn, condition,
 *   approximateInvokeCount }, requestPayload, responseContext: { statusCode, executedVersion,
 *   functionError }, responsePayload: { errorType, errorMessage, … } }` — Lambda developer guide,
 *   "Capturing records of Lambda asynchronous invocations"; for SQS the record is the body;
 * - an EventBridge rule's dead letter (the recorder's event never delivered): the event itself,
 *   with the attributes ERROR_CODE and ERROR_MESSAGE;
 * - an EventBridge Scheduler dead letter (a tick never delivered): the schedule's input, with
 *   ERROR_CODE and ERROR_MESSAGE.
 *
 * A replay invokes the deployed function synchronously with the original payload: the launcher
 * creates runs conditionally under deterministic names (an interval that has a run starts
 * nothing new), and the recorder's writes are guarded by attempt and status (an old event never
 * takes a newer record back). A message is deleted only after its replay succeeded.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { names, type Environment } from '../runtime/env.ts';
import type { Cloud } from './context.ts';
import { CloudError, deployHint } from './errors.ts';

/** The queue infra creates (infra/platform-stack.ts `DeadLetters`, infra/refs.ts `deadLettersArn`). */
export function deadLetterQueueName(env: Environment): string {
  return `${names.prefix(env)}-dead-letters`;
}

export type DeadLetterFunction = 'launcher' | 'recorder';

export interface DeadLetter {
  readonly messageId: string;
  /** Whose work failed; undefined for a message doctor does not recognise (never replayed). */
  readonly function?: DeadLetterFunction;
  /** How it got here: Lambda's on-failure destination, or an undelivered rule event or schedule tick. */
  readonly via: 'lambda-on-failure' | 'eventbridge-rule' | 'scheduler' | 'unknown';
  /** What it was about: `DAG daily_orders, tick 2026-11-21T01:00:00Z` or `run <id>: SUCCEEDED event`. */
  readonly subject: string;
  readonly dagId?: string;
  readonly runId?: string;
  /** When it failed (the record's timestamp, else when the queue got it), ISO-8601. */
  readonly at: string;
  /** `Error: …`, or the delivery error, or why Lambda gave up. */
  readonly error: string;
  /** Invocations Lambda made before giving up (on-failure records). */
  readonly attempts?: number;
  /** The payload to replay; undefined when it cannot be replayed (`why` says why). */
  readonly payload?: unknown;
  readonly unreplayable?: string;
  readonly receiptHandle: string;
}

/** Messages read at most (the queue keeps them 14 days; past this, doctor says more remain). */
const READ_LIMIT = 200;
/** Long enough to replay what was read before another doctor sees the messages again. */
const VISIBILITY_SECONDS = 120;
const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

export async function queueUrl(cloud: Cloud): Promise<string> {
  const name = deadLetterQueueName(cloud.target.env);
  try {
    const out = await cloud.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (out.QueueUrl) return out.QueueUrl;
  } catch (error) {
    if (
      !(
        error instanceof QueueDoesNotExist ||
        (error as Error).name === 'AWS.SimpleQueueService.NonExistentQueue'
      )
    )
      throw error;
  }
  throw new CloudError(
    `the dead-letter queue "${name}" does not exist in ${cloud.where}: Updraft is not deployed to ${cloud.target.env} there`,
    { hint: deployHint(cloud.target) },
  );
}

/** Every message in the queue (up to 200), each hidden from other readers for two minutes. */
export async function readDeadLetters(
  cloud: Cloud,
  url: string,
): Promise<{ letters: DeadLetter[]; more: boolean }> {
  const byId = new Map<string, DeadLetter>();
  for (;;) {
    const out = await cloud.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages)
      if (m.MessageId && !byId.has(m.MessageId))
        byId.set(m.MessageId, parseDeadLetter(m, cloud.target.env));
    if (byId.size >= READ_LIMIT) return { letters: sortByTime([...byId.values()]), more: true };
  }
  return { letters: sortByTime([...byId.values()]), more: false };
}

/** Makes read messages visible again at once (a listing must not hide them from the next look). */
export async function release(
  cloud: Cloud,
  url: string,
  letters: readonly DeadLetter[],
): Promise<void> {
  for (let i = 0; i < letters.length; i += 10) {
    const batch = letters.slice(i, i + 10);
    await cloud.clients.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: batch.map((l, n) => ({
          Id: String(n),
          ReceiptHandle: l.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

export type ReplayResult =
  | { readonly letter: DeadLetter; readonly ok: true; readonly result: unknown }
  | { readonly letter: DeadLetter; readonly ok: false; readonly error: string };

/**
 * Invokes the function with the failed payload, synchronously; on success the message is deleted,
 * on failure it stays (visible again) with the new error reported.
 */
export async function replay(cloud: Cloud, url: string, letter: DeadLetter): Promise<ReplayResult> {
  if (!letter.function || letter.payload === undefined || letter.unreplayable) {
    await release(cloud, url, [letter]);
    return {
      letter,
      ok: false,
      error: letter.unreplayable ?? 'not a launcher or recorder failure',
    };
  }
  const functionName =
    letter.function === 'launcher'
      ? names.launcherFunction(cloud.target.env)
      : names.recorderFunction(cloud.target.env);
  const out = await cloud.clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(letter.payload)),
    }),
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  const body = parseJson(text);
  if (out.FunctionError) {
    await release(cloud, url, [letter]);
    return { letter, ok: false, error: errorText(body) ?? `${out.FunctionError} error` };
  }
  await cloud.clients.sqs.send(
    new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: letter.receiptHandle }),
  );
  return { letter, ok: true, result: body };
}

/** One queue message → what failed, for which DAG/interval or run, when, and the payload to replay. */
export function parseDeadLetter(message: Message, env: Environment): DeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  const base = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    at: Number.isFinite(sent) ? new Date(sent).toISOString() : '',
  };
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const deliveryError =
    [attribute('ERROR_CODE'), attribute('ERROR_MESSAGE')].filter(Boolean).join(': ') ||
    'not delivered (no error given)';
  const body = parseJson(message.Body ?? '');
  if (
    isRecord(body) &&
    isRecord(body.requestContext) &&
    typeof body.requestContext.functionArn === 'string'
  ) {
    // A Lambda on-failure destination record.
    const fn = body.requestContext.functionArn.split(':')[6] ?? '';
    const which: DeadLetterFunction | undefined =
      fn === names.launcherFunction(env)
        ? 'launcher'
        : fn === names.recorderFunction(env)
          ? 'recorder'
          : undefined;
    const condition =
      typeof body.requestContext.condition === 'string' ? body.requestContext.condition : 'failed';
    const attempts =
      typeof body.requestContext.approximateInvokeCount === 'number'
        ? body.requestContext.approximateInvokeCount
        : undefined;
    const error = `${errorText(body.responsePayload) ?? 'no error returned'} (${condition})`;
    const at = typeof body.timestamp === 'string' ? body.timestamp : base.at;
    const about = describePayload(body.requestPayload);
    if (!which || !about) {
      return {
        ...base,
        at,
        via: 'lambda-on-failure',
        subject: `function ${fn}`,
        error,
        ...(attempts !== undefined && { attempts }),
        unreplayable: `not a launcher or recorder invocation of ${env}`,
      };
    }
    return {
      ...base,
      ...about,
      at,
      via: 'lambda-on-failure',
      function: which,
      error,
      ...(attempts !== undefined && { attempts }),
      payload: body.requestPayload,
      ...unreplayable(body.requestPayload),
    };
  }
  const about = describePayload(body);
  if (about) {
    const via =
      about.function === 'recorder' ? ('eventbridge-rule' as const) : ('scheduler' as const);
    return { ...base, ...about, via, error: deliveryError, payload: body, ...unreplayable(body) };
  }
  const text = (message.Body ?? '').slice(0, 200);
  return {
    ...base,
    via: 'unknown',
    subject: `message ${base.messageId}: ${text}`,
    error: deliveryError,
    unreplayable: 'doctor does not know this message',
  };
}

type About = Pick<DeadLetter, 'subject' | 'dagId' | 'runId'> & {
  readonly function: DeadLetterFunction;
};

/** A schedule tick (launcher) or an execution status event (recorder), told apart by shape. */
function describePayload(payload: unknown): About | undefined {
  if (!isRecord(payload)) return undefined;
  if (
    isRecord(payload.spec) &&
    typeof payload.spec.dagId === 'string' &&
    typeof payload.scheduledTime === 'string'
  ) {
    return {
      function: 'launcher',
      dagId: payload.spec.dagId,
      subject: `DAG ${payload.spec.dagId}, schedule tick ${payload.scheduledTime}`,
    };
  }
  if (
    payload.source === 'aws.states' &&
    isRecord(payload.detail) &&
    typeof payload.detail.name === 'string'
  ) {
    const machine =
      typeof payload.detail.stateMachineArn === 'string'
        ? (payload.detail.stateMachineArn.split(':')[6] ?? '')
        : '';
    const dagId = machine.replace(/^updraft-[a-z]+-/, '');
    return {
      function: 'recorder',
      runId: payload.detail.name,
      ...(dagId && { dagId }),
      subject: `run ${payload.detail.name}, ${String(payload.detail.status)} event`,
    };
  }
  return undefined;
}

function unreplayable(payload: unknown): { unreplayable?: string } {
  if (isRecord(payload) && payload.scheduledTime === SCHEDULED_TIME_PLACEHOLDER) {
    return {
      unreplayable:
        'its tick time was not filled in, so the interval it was for is unknown: start that interval with updraft trigger <dag> --date <date>',
    };
  }
  return {};
}

/** `TypeError: …` from a Lambda error payload `{ errorType, errorMessage }`. */
function errorText(payload: unknown): string | undefined {
  if (!isRecord(payload) || typeof payload.errorMessage !== 'string') return undefined;
  return typeof payload.errorType === 'string'
    ? `${payload.errorType}: ${payload.errorMessage}`
    : payload.errorMessage;
}

function sortByTime(letters: DeadLetter[]): DeadLetter[] {
  return letters.sort((a, b) => a.at.localeCompare(b.at) || a.messageId.localeCompare(b.messageId));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

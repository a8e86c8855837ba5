/**
 * @module runtime/notify-message
 * The one message renderer of notifications: a due notification → the documented JSON body
 * (webhooks, the SNS message), a title (Slack's text, the SNS subject, `updraft show`) and
 * Slack's Block Kit payload. Everything in it comes from run and task records, which hold errors
 * already masked; the sender masks the rendered text once more with the channel's own secret.
 */
import type { NotifyEvent } from '../ir/types.ts';
import type { DueNotification } from './notify-due.ts';

/** The webhook body and SNS message (docs/operating.md "Notifications" documents it). */
export interface NotificationBody {
  /** The body's format version: fields are only ever added. */
  readonly version: 1;
  readonly event: NotifyEvent;
  /** `local`, or the deployment's environment (`dev`, `prod`). */
  readonly environment: string;
  readonly title: string;
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  /** The run's status when the notification was made. */
  readonly status: string;
  /** The run's execution attempt (1, then 2… after `updraft retry`). */
  readonly attempt: number;
  readonly triggeredBy: string;
  readonly taskId?: string;
  readonly mapIndex?: number;
  readonly try?: number;
  readonly error?: { readonly error: string; readonly cause: string };
  readonly deadline?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** The run in the AWS console (deployments only). */
  readonly url?: string;
}

const WHAT: Readonly<Record<NotifyEvent, string>> = {
  failure: 'failed',
  success: 'succeeded',
  retry: 'failed and will be retried',
  deadline_missed: 'missed its deadline',
  sensor_timeout: 'timed out waiting (sensor)',
};

const ICON: Readonly<Record<NotifyEvent, string>> = {
  failure: '🔴',
  success: '🟢',
  retry: '🟠',
  deadline_missed: '⏰',
  sensor_timeout: '⌛',
};

export function titleOf(n: DueNotification): string {
  const instance =
    n.taskId === undefined
      ? ''
      : ` task ${n.taskId}${n.mapIndex !== undefined ? `[${n.mapIndex}]` : ''}${n.tryNumber !== undefined ? ` (try ${n.tryNumber})` : ''}`;
  const subject = n.taskId === undefined ? `run ${n.run.runId}` : `of run ${n.run.runId}`;
  return `DAG ${n.run.dagId}${instance} ${subject} ${WHAT[n.event]}`;
}

export function bodyOf(n: DueNotification, environment: string, url?: string): NotificationBody {
  const { run } = n;
  return {
    version: 1,
    event: n.event,
    environment,
    title: titleOf(n),
    dagId: run.dagId,
    runId: run.runId,
    logicalDate: run.logicalDate,
    dataIntervalStart: run.dataIntervalStart,
    dataIntervalEnd: run.dataIntervalEnd,
    status: run.status,
    attempt: run.attempt,
    triggeredBy: run.triggeredBy,
    ...(n.taskId !== undefined && { taskId: n.taskId }),
    ...(n.mapIndex !== undefined && { mapIndex: n.mapIndex }),
    ...(n.tryNumber !== undefined && { try: n.tryNumber }),
    ...(n.error && { error: n.error }),
    ...(n.deadline && { deadline: n.deadline }),
    ...(run.startedAt && { startedAt: run.startedAt }),
    ...(run.endedAt && { endedAt: run.endedAt }),
    ...(url && { url }),
  };
}

/** Slack's mrkdwn needs `&`, `<` and `>` escaped (its link syntax). */
const slackEscape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** An incoming-webhook payload: `text` (notifications, fallbacks) and the same in blocks. */
export function slackPayload(body: NotificationBody): Record<string, unknown> {
  const fields = [
    `*Environment*\n${body.environment}`,
    `*Logical date*\n${body.logicalDate}`,
    `*Attempt*\n${body.attempt}`,
    `*Triggered by*\n${body.triggeredBy}`,
    ...(body.deadline ? [`*Deadline*\n${body.deadline}`] : []),
  ];
  const error = body.error && `\`${body.error.error}\` ${body.error.cause}`;
  return {
    text: `${ICON[body.event]} ${slackEscape(body.title)}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${ICON[body.event]} *${slackEscape(body.title)}*` },
      },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      ...(error
        ? [{ type: 'section', text: { type: 'mrkdwn', text: slackEscape(error.slice(0, 2900)) } }]
        : []),
      ...(body.url
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${body.url}|Open the run>` }] }]
        : []),
    ],
  };
}

/** An SNS subject: printable ASCII, at most 100 characters (SNS refuses others). */
export function snsSubject(title: string): string {
  const ascii = `Updraft: ${title}`.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

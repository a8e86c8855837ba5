/**
 * @module runtime/notify-send
 * Sends due notifications (runtime/notify-due) through their channels, on both targets: Slack
 * (an incoming webhook whose URL a connection holds), a generic webhook (the JSON body of
 * runtime/notify-message, POSTed) and SNS. Each is claimed in the store first (a redelivered
 * event sends nothing twice), retried with exponential backoff when the endpoint fails or is
 * unreachable (not when it refuses the request: a 4xx other than 408/429 will not change), and
 * its outcome recorded on the run. A send never throws: a notification must not fail a run.
 *
 * Locally a Slack or webhook notification is sent for real when its connection is set, and goes
 * to the outbox (`updraft outbox`) with a line saying so when it is not; SNS always goes to the
 * outbox locally (no AWS account is used by a local run).
 */
import pRetry, { AbortError } from 'p-retry';
import type { Connection } from '../sdk/context.ts';
import type { NotifyChannel } from '../ir/types.ts';
import type { NotificationRecord, RunRecord, Store } from '../store/types.ts';
import { ConfigError } from '../errors.ts';
import { SecretMasker } from './mask.ts';
import type { RuntimeLog } from './run-queue.ts';
import { channelName, type DueNotification } from './notify-due.ts';
import { bodyOf, slackPayload, snsSubject, titleOf } from './notify-message.ts';

/** The Lambdas' logger (runtime/run-queue RuntimeLog). */
export type NotifyLog = RuntimeLog;

export interface NotifyDeps {
  readonly store: Pick<Store, 'claimNotification' | 'putNotification' | 'putOutbox'>;
  /** `local`, or the deployment's environment name. */
  readonly environment: string;
  /** A connection by id; undefined when it is not set (locally: the notification goes to the outbox). */
  readonly connection: (id: string) => Promise<Connection | undefined>;
  /** Publishes to an SNS topic by name (undefined: the alerts topic). Absent locally: SNS goes to the outbox. */
  readonly publish?: (topic: string | undefined, subject: string, message: string) => Promise<void>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  readonly now: () => number;
  readonly log: NotifyLog;
  /** The run's page (the AWS console on a deployment). */
  readonly url?: (run: RunRecord) => string | undefined;
  /** Retries after the first attempt, and the first delay (doubling). @default { retries: 3, minTimeoutMs: 1000 } */
  readonly retry?: { readonly retries: number; readonly minTimeoutMs: number };
  /** Milliseconds an endpoint gets to answer one attempt. @default 10000 */
  readonly timeoutMs?: number;
}

/** Sends each due notification once; returns the records of those this call claimed. */
export async function sendNotifications(
  due: readonly DueNotification[],
  deps: NotifyDeps,
): Promise<NotificationRecord[]> {
  const sent: NotificationRecord[] = [];
  for (const n of due) {
    const record = await sendOne(n, deps).catch((error: unknown) => {
      // Only the store can fail here (a claim or record write): logged, never thrown.
      deps.log.warn(
        `notification ${n.event} of run ${n.run.runId} was not sent: ${(error as Error).message}`,
      );
      return undefined;
    });
    if (record) sent.push(record);
  }
  return sent;
}

async function sendOne(
  n: DueNotification,
  deps: NotifyDeps,
): Promise<NotificationRecord | undefined> {
  const claim: NotificationRecord = {
    runId: n.run.runId,
    key: n.key,
    dagId: n.run.dagId,
    event: n.event,
    ...(n.taskId !== undefined && { taskId: n.taskId }),
    channel: channelName(n.channel),
    state: 'sending',
    attempts: 0,
    at: new Date(deps.now()).toISOString(),
    title: titleOf(n),
  };
  if (!(await deps.store.claimNotification(claim))) return undefined;
  const outcome = await deliver(n, deps);
  const record: NotificationRecord = {
    ...claim,
    ...outcome,
    ...(outcome.state === 'sent' && { sentAt: new Date(deps.now()).toISOString() }),
  };
  await deps.store.putNotification(record);
  const line = `notification ${n.event} → ${record.channel}`;
  if (record.state === 'failed')
    deps.log.warn(`${line} failed after ${record.attempts} attempts: ${record.error}`, {
      runId: n.run.runId,
    });
  else deps.log.info(`${line}: ${record.state === 'sent' ? 'sent' : outcome.error}`);
  return record;
}

type Outcome = Pick<NotificationRecord, 'state' | 'attempts' | 'error'>;

async function deliver(n: DueNotification, deps: NotifyDeps): Promise<Outcome> {
  const masker = new SecretMasker();
  const body = bodyOf(n, deps.environment, deps.url?.(n.run));
  const channel = n.channel;
  if (channel.kind === 'sns') {
    const message = JSON.stringify(body, null, 2);
    if (!deps.publish)
      return toOutbox(
        n,
        deps,
        channel,
        body,
        'went to the outbox: a local run sends no SNS message',
      );
    const publish = deps.publish;
    return attempt(deps, masker, () => publish(channel.topic, snsSubject(body.title), message));
  }
  let connection: Connection | undefined;
  try {
    connection = await deps.connection(channel.connection);
  } catch (error) {
    return { state: 'failed', attempts: 0, error: (error as Error).message };
  }
  if (!connection)
    return toOutbox(
      n,
      deps,
      channel,
      body,
      `went to the outbox: connection "${channel.connection}" is not set (set UPDRAFT_CONN_${channel.connection.toUpperCase()} to the ${channel.kind === 'slack' ? 'Slack incoming-webhook' : 'webhook'} URL to send it)`,
    );
  for (const secret of [connection.uri, connection.password, connection.host])
    if (secret) masker.add(secret);
  let url: string;
  try {
    url = webhookUrl(connection, channel.kind);
  } catch (error) {
    return { state: 'failed', attempts: 0, error: (error as Error).message };
  }
  masker.add(url);
  const payload = channel.kind === 'slack' ? slackPayload(body) : body;
  const text = masker.mask(JSON.stringify(payload));
  return attempt(deps, masker, () => post(deps, url, text, channelName(channel)));
}

/** The run's outbox gets the message; the record says why it was not sent. */
async function toOutbox(
  n: DueNotification,
  deps: NotifyDeps,
  channel: NotifyChannel,
  body: unknown,
  why: string,
): Promise<Outcome> {
  await deps.store.putOutbox({
    runId: n.run.runId,
    seq: outboxSeq(n.key),
    taskId: n.taskId ?? '',
    service: channel.kind,
    target: channel.kind === 'sns' ? (channel.topic ?? 'alerts') : channel.connection,
    message: body,
    at: new Date(deps.now()).toISOString(),
  });
  return { state: 'outbox', attempts: 0, error: why };
}

/** A notification's outbox seq, from its key: above the engine's (attempt × 10⁶ + n), stable, 8 digits. */
function outboxSeq(key: string): number {
  let hash = 0x811c9dc5;
  for (const c of key) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return 90_000_000 + (hash % 9_999_999);
}

async function attempt(
  deps: NotifyDeps,
  masker: SecretMasker,
  send: () => Promise<void>,
): Promise<Outcome> {
  const { retries, minTimeoutMs } = deps.retry ?? { retries: 3, minTimeoutMs: 1000 };
  let attempts = 0;
  try {
    await pRetry(
      async () => {
        attempts++;
        await send();
      },
      { retries, minTimeout: minTimeoutMs, factor: 2, randomize: true },
    );
    return { state: 'sent', attempts };
  } catch (error) {
    return { state: 'failed', attempts, error: masker.mask((error as Error).message) };
  }
}

async function post(deps: NotifyDeps, url: string, body: string, name: string): Promise<void> {
  const response = await (deps.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
  }).catch((error: unknown) => {
    const e = error as Error & { cause?: { code?: string } };
    throw new Error(
      `the ${name} endpoint could not be reached (${e.cause?.code ?? e.name}: ${e.message})`,
    );
  });
  await response.body?.cancel();
  if (response.ok) return;
  const message = `the ${name} endpoint answered HTTP ${response.status}`;
  // A refusal does not change on a retry; a server error, timeout or throttle may.
  if (response.status >= 400 && response.status < 500 && ![408, 429].includes(response.status))
    throw new AbortError(message);
  throw new Error(message);
}

/**
 * The URL a Slack or webhook connection holds: the connection written as the URL itself
 * (`https://hooks.slack.com/services/T…/B…/x…`), `extra.url` / `extra.webhook_url`, or Airflow's
 * Slack webhook form (host `https://hooks.slack.com/services`, the token path as password).
 */
export function webhookUrl(connection: Connection, kind: 'slack' | 'webhook'): string {
  const extra = connection.extra as { url?: unknown; webhook_url?: unknown };
  const fromExtra = [extra.url, extra.webhook_url].find((u) => typeof u === 'string') as
    | string
    | undefined;
  const host = connection.host ?? '';
  const candidates = [
    connection.uri,
    fromExtra,
    /^https?:\/\//.test(host)
      ? `${host.replace(/\/$/, '')}${connection.password ? `/${connection.password.replace(/^\//, '')}` : ''}`
      : undefined,
  ];
  const url = candidates.find((u) => u !== undefined && /^https?:\/\//i.test(u));
  if (!url)
    throw new ConfigError(
      `connection "${connection.id}" holds no http(s) URL for the ${kind} notification: set it to the ${kind === 'slack' ? 'Slack incoming-webhook' : 'webhook'} URL (updraft connections add ${connection.id} https://…), or give the URL as extra.url`,
    );
  return url;
}

/**
 * @module sdk/notify
 * Notifications on failure, retry, success, missed deadlines and sensor timeouts, as data: SNS (the platform
 * alerts topic by default), Slack or a webhook through a connection holding the URL.
 */
import type { NotifyEvent } from '../ir/types.ts';

export interface Notification {
  readonly kind: 'notification';
  readonly on: readonly NotifyEvent[];
  readonly channel:
    | { readonly kind: 'sns'; readonly topic?: string }
    | { readonly kind: 'slack' | 'webhook'; readonly connection: string };
}

export const NOTIFY_EVENTS = [
  'failure',
  'retry',
  'success',
  'deadline_missed',
  'sensor_timeout',
] as const satisfies readonly NotifyEvent[];

const DEFAULT_EVENTS: readonly NotifyEvent[] = ['failure'];

export const notify = {
  /** Publish to an SNS topic (by name). @default topic - the platform's alerts topic */
  sns(
    options: { readonly on?: readonly NotifyEvent[]; readonly topic?: string } = {},
  ): Notification {
    return {
      kind: 'notification',
      on: options.on ?? DEFAULT_EVENTS,
      channel: { kind: 'sns', topic: options.topic },
    };
  },
  /** Post to Slack through a connection holding the incoming-webhook URL. */
  slack(connection: string, options: { readonly on?: readonly NotifyEvent[] } = {}): Notification {
    return {
      kind: 'notification',
      on: options.on ?? DEFAULT_EVENTS,
      channel: { kind: 'slack', connection },
    };
  },
  /** POST a JSON event to the URL held by a connection. */
  webhook(
    connection: string,
    options: { readonly on?: readonly NotifyEvent[] } = {},
  ): Notification {
    return {
      kind: 'notification',
      on: options.on ?? DEFAULT_EVENTS,
      channel: { kind: 'webhook', connection },
    };
  },
};

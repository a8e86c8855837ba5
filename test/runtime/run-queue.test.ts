/**
 * The launcher's and recorder's Step Functions client backs off on throttling: the SDK's adaptive
 * retry, exercised through a fake HTTP handler (the network boundary), so the client's own retry
 * middleware runs (aws-sdk-client-mock replaces `send`, and with it the retries).
 */
import { Readable } from 'node:stream';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countRunning, runtimeSfnClient } from '../../src/runtime/run-queue.ts';

const MACHINE = 'arn:aws:states:eu-central-1:123456789012:stateMachine:updraft-prod-daily_orders';

/** Answers ListExecutions with `throttled` ThrottlingExceptions (HTTP 400), then one running execution. */
function throttlingHandler(throttled: number): {
  handle: () => Promise<{ response: unknown }>;
  readonly calls: () => number;
} {
  let calls = 0;
  const reply = (statusCode: number, body: unknown) => ({
    response: {
      statusCode,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    },
  });
  return {
    handle: async () => {
      calls++;
      if (calls <= throttled)
        return reply(400, {
          __type: 'com.amazonaws.swf.base.model#ThrottlingException',
          message: 'Rate exceeded',
        });
      return reply(200, {
        executions: [
          {
            executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:a`,
            stateMachineArn: MACHINE,
            name: 'a',
            status: 'RUNNING',
            startDate: 1_700_000_000,
          },
        ],
      });
    },
    calls: () => calls,
  };
}

const config = {
  region: 'eu-central-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** `promise`, moving the fake clock on a second at a time until it settles. */
async function skippingWaits<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const done = promise.finally(() => (settled = true));
  done.catch(() => undefined);
  for (let i = 0; i < 600 && !settled; i++) await vi.advanceTimersByTimeAsync(1000);
  return done;
}

describe('runtimeSfnClient', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // The SDK's retry back-off waits on timers (~9 s of real waiting); fake ones skip the waits, not the retries.
  it('retries ListExecutions through 3 ThrottlingExceptions (the default client gives up after 3 attempts)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const handler = throttlingHandler(3);
    const sfn = runtimeSfnClient({ ...config, requestHandler: handler as never });
    expect(await skippingWaits(countRunning(sfn, MACHINE, 10))).toBe(1);
    expect(handler.calls()).toBe(4);
    sfn.destroy();

    const plain = new SFNClient({ ...config, requestHandler: throttlingHandler(3) as never });
    await expect(skippingWaits(countRunning(plain, MACHINE, 10))).rejects.toThrow('Rate exceeded');
    plain.destroy();
  });
});

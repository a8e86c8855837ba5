/**
 * @module engine/virtual-waits
 * The waits AWS would make, as lengths the virtual clock jumps over: a Wait state's seconds or
 * timestamp, and the delay before a retry (a Retrier's interval, backoff, cap and jitter).
 */
import type { State } from '../compiler/contract.ts';
import type { Clock } from './clock.ts';

/** A Retrier's timing fields, as the interpreter reports them with a retry. */
export interface RetryTiming {
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/** Moves the clock past the wait a Wait state makes with this input. */
export function skipWait(clock: Clock, state: State & { Type: 'Wait' }, input: unknown): void {
  if (state.Seconds !== undefined) clock.skip(state.Seconds * 1000);
  else if (state.SecondsPath !== undefined)
    clock.skip(Number(readPath(input, state.SecondsPath) ?? 0) * 1000);
  else if (state.TimestampPath !== undefined)
    clock.skipTo(Date.parse(String(readPath(input, state.TimestampPath))));
}

/** The delay AWS would wait before retry `attempt` (1 = first retry). */
export function retryDelayMs(r: RetryTiming, attempt: number): number {
  let delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** (attempt - 1);
  if (r.MaxDelaySeconds !== undefined) delay = Math.min(delay, r.MaxDelaySeconds);
  if (r.JitterStrategy === 'FULL') delay = Math.random() * delay;
  return delay * 1000;
}

/** A simple JSONPath (`$.a.b`) read, for Wait states' paths. */
function readPath(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

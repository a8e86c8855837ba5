/**
 * @module runtime/lambda-logging
 * Task logs on Lambda: every `ctx.log` line (already masked by the task's SecretMasker) goes out
 * through Powertools Logger as one JSON line in CloudWatch, with the run, task and try as
 * correlation keys, so `updraft logs --target aws` and Logs Insights can filter by them. The
 * middleware appends the keys from the request's identifiers only: params, inputs and items are
 * never logged (they are the DAG's data, and the raw event is never logged at all).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { LogSink } from './task-logger.ts';

/** Keys Powertools owns (it drops them from extra attributes with a warning); the task logger already renames its own. */
const POWERTOOLS_RESERVED = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);

/** A task logger sink writing through Powertools at the line's level. */
export function powertoolsSink(logger: Logger): LogSink {
  return (line) => {
    // `time` is Powertools' `timestamp` on Lambda (the run's clock is the real clock there).
    const { time: _time, level, message, ...fields } = line;
    const extra = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [POWERTOOLS_RESERVED.has(k) ? `field_${k}` : k, v]),
    );
    logger[level](message, extra);
  };
}

/** Correlation keys of one invocation: DAG, run, task and map index from the request (`try` is added once numbered). */
export function correlationKeys(logger: Logger): MiddlewareObj {
  return {
    before: (request) => {
      const event = (request.event ?? {}) as {
        task?: unknown;
        index?: unknown;
        run?: { dagId?: unknown; runId?: unknown };
      };
      const keys: Record<string, string | number> = {};
      if (typeof event.run?.dagId === 'string') keys.dag = event.run.dagId;
      if (typeof event.run?.runId === 'string') keys.run = event.run.runId;
      if (typeof event.task === 'string') keys.task = event.task;
      if (typeof event.index === 'number') keys.mapIndex = event.index;
      logger.appendKeys(keys);
    },
  };
}

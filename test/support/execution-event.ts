/**
 * A Step Functions "Execution Status Change" event as EventBridge delivers it to the recorder, for
 * a run whose execution input carries its values (as the launcher starts it).
 */
import type { ExecutionStatusDetail, ExecutionStatusEvent } from '../../src/runtime/recorder.ts';

export interface EventOptions {
  readonly dagId: string;
  readonly runId: string;
  readonly status: ExecutionStatusDetail['status'];
  /** The event's time (ISO). */
  readonly time: string;
  readonly startDate: number;
  readonly stopDate?: number;
  /** `arn:aws:states:<region>:<account>` */
  readonly prefix?: string;
  readonly environment?: string;
  readonly interval?: { readonly logicalDate: string; readonly end: string };
}

export function executionEvent(o: EventOptions): ExecutionStatusEvent {
  const prefix = o.prefix ?? 'arn:aws:states:eu-central-1:123456789012';
  const machine = `updraft-${o.environment ?? 'prod'}-${o.dagId}`;
  const logicalDate = o.interval?.logicalDate ?? '2026-11-20T00:00:00.000Z';
  const failed = o.status === 'FAILED';
  return {
    version: '0',
    id: `event-${o.status}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: prefix.split(':')[4]!,
    time: o.time,
    region: prefix.split(':')[3]!,
    resources: [`${prefix}:execution:${machine}:${o.runId}`],
    detail: {
      executionArn: `${prefix}:execution:${machine}:${o.runId}`,
      stateMachineArn: `${prefix}:stateMachine:${machine}`,
      name: o.runId,
      status: o.status,
      startDate: o.startDate,
      stopDate: o.stopDate ?? null,
      input: JSON.stringify({
        run: {
          runId: o.runId,
          dagId: o.dagId,
          logicalDate,
          dataIntervalStart: logicalDate,
          dataIntervalEnd: o.interval?.end ?? '2026-11-21T00:00:00.000Z',
          params: {},
          triggeredBy: 'schedule',
        },
        t: {},
        done: {},
      }),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: failed ? 'Updraft.DagRunFailed' : null,
      cause: failed ? 'task load failed' : null,
      redriveCount: 0,
      redriveDate: null,
    },
  };
}

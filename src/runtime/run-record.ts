/**
 * @module runtime/run-record
 * A run's record as it is created, from the run's values: the one builder the launcher, the
 * engine, `updraft trigger` and the task runner (for a run started outside Updraft) share. Kept
 * apart from runtime/launch so that the task runner's bundle does not carry the schedule code.
 */
import type { TriggerKind } from '../sdk/context.ts';
import type { RunRecord } from '../store/types.ts';
import type { RunValues } from './args.ts';

/** The run record created (conditionally) before the execution starts. */
export function queuedRunRecord(
  run: RunValues,
  conf: Readonly<Record<string, unknown>>,
  queuedAt: Date,
  extra: { readonly parentRunId?: string } = {},
): RunRecord {
  return {
    runId: run.runId,
    dagId: run.dagId,
    key: run.key,
    logicalDate: run.logicalDate,
    dataIntervalStart: run.dataIntervalStart,
    dataIntervalEnd: run.dataIntervalEnd,
    triggeredBy: run.triggeredBy as TriggerKind,
    conf,
    status: 'queued',
    attempt: 1,
    queuedAt: queuedAt.toISOString(),
    ...(extra.parentRunId && { parentRunId: extra.parentRunId }),
  };
}

/**
 * @module runtime/deadline-schedules
 * A run's deadline check on AWS: one EventBridge Scheduler one-time schedule (`at(...)`, UTC)
 * per run with a deadline, created by the recorder when the run starts, deleted by it when the
 * run ends, and deleted by Scheduler itself after it fires (`ActionAfterCompletion: DELETE`). Its
 * target is the recorder with `{ "updraft": "deadline", "runId": … }`, which checks the run
 * (runtime/run-notifications checkDeadline: idempotent; a run that ended in time sends nothing).
 *
 * Why this and not a periodic sweep: a schedule costs nothing while it waits and one invocation
 * when it fires (Scheduler: $1.00 per million invocations, the first 14 million a month free), and
 * most are deleted before they fire; a sweep every minute costs 43,800 invocations a month
 * whether any run has a deadline or not, and is late by up to its period.
 */
import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { RunRecord } from '../store/types.ts';
import type { DeadlineSchedules } from './run-notifications.ts';

/** The recorder's input when a deadline check fires. */
export interface DeadlineCheckEvent {
  readonly updraft: 'deadline';
  readonly runId: string;
  readonly dagId: string;
}

export function isDeadlineCheck(event: unknown): event is DeadlineCheckEvent {
  const e = event as Partial<DeadlineCheckEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.updraft === 'deadline' &&
    typeof e.runId === 'string' &&
    typeof e.dagId === 'string'
  );
}

/** A schedule name for the run (Scheduler allows 64 of [0-9a-zA-Z-_.]; run ids may be longer). */
export function deadlineScheduleName(runId: string): string {
  return `deadline-${createHash('sha256').update(runId).digest('hex').slice(0, 40)}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)`: Scheduler's one-time expression, in the schedule's zone (UTC here). */
export function atExpression(at: Date): string {
  // Scheduler fires at whole seconds: round up, never before the deadline.
  const seconds = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  return `at(${seconds.toISOString().slice(0, 19)})`;
}

export function deadlineSchedules(
  client: SchedulerClient,
  options: {
    readonly group: string;
    /** The recorder function's ARN (its own, from the invocation context). */
    readonly targetArn: () => string;
    readonly roleArn: string;
    /** The dead-letter queue for a check Scheduler could not deliver. */
    readonly deadLetterArn?: string;
  },
): DeadlineSchedules {
  return {
    async create(run: RunRecord, at: Date): Promise<void> {
      const input: DeadlineCheckEvent = { updraft: 'deadline', runId: run.runId, dagId: run.dagId };
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: deadlineScheduleName(run.runId),
            GroupName: options.group,
            Description: `Updraft: deadline of run ${run.runId}`.slice(0, 512),
            ScheduleExpression: atExpression(at),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: options.targetArn(),
              RoleArn: options.roleArn,
              Input: JSON.stringify(input),
              RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
              ...(options.deadLetterArn && { DeadLetterConfig: { Arn: options.deadLetterArn } }),
            },
          }),
        );
      } catch (error) {
        // A redelivered RUNNING event: the check exists already.
        if (!(error instanceof ConflictException)) throw error;
      }
    },
    async remove(run: RunRecord): Promise<void> {
      try {
        await client.send(
          new DeleteScheduleCommand({
            Name: deadlineScheduleName(run.runId),
            GroupName: options.group,
          }),
        );
      } catch (error) {
        // Fired and deleted itself, or the run had none (it started past its deadline).
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

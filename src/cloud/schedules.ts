/**
 * @module cloud/schedules
 * Pausing and unpausing a deployed DAG: its EventBridge Scheduler schedule (`names.schedule` in
 * `names.scheduleGroup(env)`) set DISABLED or ENABLED. UpdateSchedule replaces the whole
 * schedule, so every field GetSchedule returned is sent back unchanged; only the state changes.
 */
import {
  GetScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { names } from '../runtime/env.ts';
import type { Cloud } from './context.ts';
import { CloudError, deployHint } from './errors.ts';

export type ScheduleState = 'ENABLED' | 'DISABLED';

export interface ScheduleChange {
  readonly dagId: string;
  readonly schedule: string;
  readonly group: string;
  readonly state: ScheduleState;
  /** False when the schedule already was in that state (nothing was updated). */
  readonly changed: boolean;
  readonly expression: string | null;
  readonly timezone: string | null;
}

/**
 * The UpdateSchedule input that keeps everything `current` has and sets `state`. A StartDate
 * already past is left out: it no longer gates anything, and Scheduler validates a schedule's
 * start date as new on every write ("The StartDate you specify cannot be earlier than 5 minutes
 * ago"; UpdateSchedule replaces the whole schedule), so sending it back could fail the pause.
 */
export function updateInput(
  current: GetScheduleCommandOutput,
  state: ScheduleState,
  now: Date,
): UpdateScheduleCommandInput {
  const startsLater =
    current.StartDate !== undefined && current.StartDate.getTime() > now.getTime();
  return {
    Name: current.Name,
    GroupName: current.GroupName,
    ScheduleExpression: current.ScheduleExpression,
    ...(current.ScheduleExpressionTimezone !== undefined && {
      ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
    }),
    ...(startsLater && { StartDate: current.StartDate }),
    ...(current.EndDate !== undefined && { EndDate: current.EndDate }),
    ...(current.Description !== undefined && { Description: current.Description }),
    ...(current.KmsKeyArn !== undefined && { KmsKeyArn: current.KmsKeyArn }),
    ...(current.ActionAfterCompletion !== undefined && {
      ActionAfterCompletion: current.ActionAfterCompletion,
    }),
    Target: current.Target,
    FlexibleTimeWindow: current.FlexibleTimeWindow,
    State: state,
  };
}

export async function setScheduleState(
  cloud: Cloud,
  dagId: string,
  state: ScheduleState,
  now: Date,
): Promise<ScheduleChange> {
  const Name = names.schedule(dagId);
  const GroupName = names.scheduleGroup(cloud.target.env);
  let current: GetScheduleCommandOutput;
  try {
    current = await cloud.clients.scheduler.send(new GetScheduleCommand({ Name, GroupName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new CloudError(
        `DAG "${dagId}" has no schedule "${Name}" in group ${GroupName} (${cloud.where}): either it is not deployed to ${cloud.target.env}, or it has no time schedule (manual and dataset-triggered DAGs have none)`,
        {
          hint: `updraft list shows each DAG's schedule; to deploy: ${deployHint(cloud.target).replace(/^deploy first: /, '')}`,
          cause: error,
        },
      );
    }
    throw error;
  }
  const result = {
    dagId,
    schedule: Name,
    group: GroupName,
    state,
    expression: current.ScheduleExpression ?? null,
    timezone: current.ScheduleExpressionTimezone ?? null,
  };
  if (current.State === state) return { ...result, changed: false };
  await cloud.clients.scheduler.send(new UpdateScheduleCommand(updateInput(current, state, now)));
  return { ...result, changed: true };
}

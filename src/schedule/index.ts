/**
 * @module schedule
 * The schedule model: which runs a DAG's schedule produces (logical date, data interval, when
 * each may start), in the DAG's timezone, plus validation and description of cron expressions.
 * Pure: no file system, no AWS.
 */
export { CRON_PRESETS, expandPreset } from './presets.ts';
export { cronProblem } from './cron-problem.ts';
export { isValidTimezone, parseDateInZone } from './timezone.ts';
export { describeSchedule } from './describe-schedule.ts';
export {
  conditionHolds,
  datasetsOf,
  describeCondition,
  formatCondition,
  waitingFor,
} from './dataset-condition.ts';
export { awsScheduleOf, type AwsSchedule } from './aws-schedule.ts';
export { awsTicks, nextAwsTick } from './aws-ticks.ts';
export { logicalDateKey } from './logical-date-key.ts';
export {
  latestCompleteRun,
  nextRuns,
  runForLogicalDate,
  runsBetween,
  type RunInterval,
  type ScheduledDag,
} from './run-intervals.ts';
export { backfillIntervals, intervalFor, parseDate, scheduledDag } from './requested-intervals.ts';
export {
  DEFERRED_COUNT_CAP,
  planLaunch,
  type CatchupDag,
  type CatchupSettings,
  type LaunchPlan,
} from './catchup.ts';

/**
 * @module runtime/launcher
 * The launcher Lambda's logic: an EventBridge Scheduler tick of one DAG → the run of the interval
 * that just ended (and, with `catchup`, the intervals missed since the DAG's newest scheduled run,
 * a bounded number per tick), each created in the store as a queued run carrying its execution
 * input, then started oldest first while the DAG has fewer than `maxActiveRuns` running
 * (runtime/run-queue). Run ids are the execution names (`<dag>-<logical date>`), so a tick
 * delivered twice creates and starts nothing new.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { ConfigError } from '../errors.ts';
import { timeScheduleOf } from '../ir/types.ts';
import { DEFERRED_COUNT_CAP, planLaunch, type LaunchPlan } from '../schedule/index.ts';
import type { RunRecord, DagPauses, PoolSlots, RunSlots, Store } from '../store/types.ts';
import { ENV, parseEnvironment, readEnv, type Environment } from './env.ts';
import { executionInput, queuedRunRecord, runValuesOf, type LaunchSpec } from './launch.ts';
import { startQueuedRuns, type RuntimeLog } from './run-queue.ts';
import { reapPoolHolders } from './pool-release.ts';

/** Which intervals a tick starts is the schedule model's (schedule/catchup). */
export { planLaunch, type LaunchPlan } from '../schedule/index.ts';

/** The input of every DAG's schedule (infra sets it; Scheduler fills in `scheduledTime`). */
export interface LaunchEvent {
  readonly spec: LaunchSpec;
  readonly stateMachineArn: string;
  /** `<aws.scheduler.scheduled-time>`: the tick's instant, ISO-8601 UTC. */
  readonly scheduledTime: string;
}

export interface LauncherSettings {
  readonly environment: Environment;
  readonly table: string;
  /** Most intervals one tick creates when catching up. @default 25 */
  readonly catchupLimit: number;
  /** Never start intervals whose data interval ended more than this many days before the tick. @default - no bound */
  readonly dataWindowDays?: number;
}

export interface LauncherDeps {
  /** Pool slots too: the run queue it shares with the recorder takes the recorder's store. */
  readonly store: Store & RunSlots & DagPauses & PoolSlots;
  readonly sfn: SFNClient;
  readonly log: RuntimeLog;
  readonly settings: Pick<LauncherSettings, 'catchupLimit' | 'dataWindowDays'>;
  /** The queued runs' `queuedAt`. @default the wall clock */
  readonly now?: () => Date;
}

export interface LaunchSummary {
  readonly dagId: string;
  /** Runs started by this tick: new ones, and older queued ones a free slot let through. */
  readonly started: readonly string[];
  /** New runs left queued (maxActiveRuns reached); a run's end or a later tick starts them. */
  readonly queued: readonly string[];
  /** Intervals that already had a run (a repeated tick, a manual trigger): left as they are. */
  readonly skipped: readonly string[];
  /** Missed intervals past the catchup limit, created by the next ticks. */
  readonly deferred: number;
}

export const DEFAULT_CATCHUP_LIMIT = 25;
/** Runs read to find the newest scheduled one (manual runs may be newer). */
const NEWEST_RUNS_READ = 25;

/** The launcher's settings from its environment, or a ConfigError naming the variable. */
export function launcherSettings(
  env: Readonly<Record<string, string | undefined>>,
): LauncherSettings {
  const { environment, table } = readEnv(env, ['environment', 'table']);
  const dataWindowDays = positiveNumber(env, 'dataWindowDays', false);
  return {
    environment: parseEnvironment(environment, ENV.environment),
    table,
    catchupLimit: positiveNumber(env, 'catchupLimit', true) ?? DEFAULT_CATCHUP_LIMIT,
    ...(dataWindowDays !== undefined && { dataWindowDays }),
  };
}

function positiveNumber(
  env: Readonly<Record<string, string | undefined>>,
  key: 'catchupLimit' | 'dataWindowDays',
  whole: boolean,
): number | undefined {
  const text = env[ENV[key]];
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    const allowed = whole
      ? 'a whole number of 1 or more, such as 25'
      : 'a number of days above 0, such as 7';
    throw new ConfigError(
      `${ENV[key]} is ${JSON.stringify(text)}: use ${allowed} (set it in the environment settings and redeploy with npm run deploy)`,
    );
  }
  return n;
}

/** One tick: creates the runs it is due, starts what maxActiveRuns allows. */
export async function launch(event: LaunchEvent, deps: LauncherDeps): Promise<LaunchSummary> {
  const { spec, stateMachineArn } = event;
  const summary = {
    dagId: spec.dagId,
    started: [] as string[],
    queued: [] as string[],
    skipped: [] as string[],
    deferred: 0,
  };
  const tick = new Date(event.scheduledTime);
  if (Number.isNaN(tick.getTime())) {
    throw new ConfigError(
      `the launcher got scheduledTime ${JSON.stringify(event.scheduledTime)} for DAG "${spec.dagId}": the schedule's input must pass <aws.scheduler.scheduled-time>; redeploy with npm run deploy`,
    );
  }
  if (!timeScheduleOf(spec.schedule)) {
    deps.log.info(
      `DAG "${spec.dagId}" has a ${spec.schedule.kind} schedule: a schedule tick starts nothing (its schedule should not exist)`,
      { dagId: spec.dagId },
    );
    return summary;
  }
  // Slots of pools whose holder's run ended without giving them back (a lost end event).
  await reapPoolHolders(deps);
  // `updraft pause` is kept in the table: a deploy re-enables the schedule, this tick stays idle.
  const paused = await deps.store.pausedAt(spec.dagId);
  if (paused !== undefined) {
    deps.log.info(
      `DAG "${spec.dagId}" is paused (since ${paused}): the tick of ${event.scheduledTime} starts nothing; updraft unpause resumes it`,
      { dagId: spec.dagId, pausedAt: paused },
    );
    return summary;
  }

  // Catchup continues after the newest *scheduled* run: manual runs, as in Airflow, do not move it.
  const recent = spec.catchup
    ? await deps.store.listRuns({ dagId: spec.dagId, limit: NEWEST_RUNS_READ })
    : [];
  const newest = recent.find((r) => r.triggeredBy === 'schedule');
  const plan = planLaunch(spec, tick, newest && new Date(newest.dataIntervalEnd), deps.settings);
  logPlan(deps.log, spec, plan, deps.settings);

  const queuedAt = deps.now?.() ?? new Date();
  const created: RunRecord[] = [];
  for (const interval of plan.intervals) {
    const run = runValuesOf({
      dagId: spec.dagId,
      timezone: spec.timezone,
      timers: spec.timers,
      interval,
      params: spec.params,
      triggeredBy: 'schedule',
    });
    // Written with its input before starting: if this invocation dies in between, the next tick
    // or the next run's end starts it.
    const record: RunRecord = {
      ...queuedRunRecord(run, {}, queuedAt),
      pendingInput: JSON.stringify(executionInput(run)),
      maxActiveRuns: spec.maxActiveRuns,
    };
    const { created: isNew } = await deps.store.createRun(record);
    if (isNew) created.push(record);
    else summary.skipped.push(record.runId);
  }
  if (summary.skipped.length > 0)
    deps.log.info(
      `${summary.skipped.length} interval(s) of DAG "${spec.dagId}" already have a run: left as they are`,
      { skipped: summary.skipped },
    );

  const { started, waiting } = await startQueuedRuns(
    deps,
    { dagId: spec.dagId, stateMachineArn, maxActiveRuns: spec.maxActiveRuns },
    { known: created, ...(deps.now && { now: deps.now }) },
  );
  const createdIds = new Set(created.map((r) => r.runId));
  return {
    ...summary,
    started: [...started],
    queued: waiting.filter((id) => createdIds.has(id)),
    deferred: plan.deferred,
  };
}

function logPlan(
  log: RuntimeLog,
  spec: LaunchSpec,
  plan: LaunchPlan,
  settings: LauncherDeps['settings'],
): void {
  const dagId = spec.dagId;
  if (plan.intervals.length === 0) {
    log.info(
      `DAG "${dagId}" has no interval due at this tick (before its start date, or outside the data window)`,
      { dagId },
    );
  }
  if (plan.windowFrom) {
    log.info(
      `catchup of DAG "${dagId}" starts at ${plan.windowFrom.toISOString()}: older missed intervals end before the data window (${ENV.dataWindowDays}=${settings.dataWindowDays}) and are not run`,
      { dagId },
    );
  }
  if (plan.deferred > 0) {
    const last = plan.intervals.at(-1)!.logicalDate.toISOString();
    const count =
      plan.deferred >= DEFERRED_COUNT_CAP
        ? `at least ${DEFERRED_COUNT_CAP}`
        : String(plan.deferred);
    log.info(
      `catchup of DAG "${dagId}": ${plan.intervals.length} missed interval(s) this tick (${ENV.catchupLimit}=${settings.catchupLimit}); ${count} more after ${last} are left for the next ticks`,
      {
        dagId,
        leftOut: plan.deferred,
      },
    );
  }
}

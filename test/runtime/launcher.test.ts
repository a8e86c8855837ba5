// The launcher Lambda's logic against a real (in-memory) DynamoStore on dynalite and a mocked Step
// Functions: execution names and intervals, repeated ticks, catchup bounds, maxActiveRuns.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  launch,
  launcherSettings,
  planLaunch,
  type LaunchEvent,
  type LauncherDeps,
} from '../../src/runtime/launcher.ts';
import {
  executionInput,
  queuedRunRecord,
  runValuesOf,
  type LaunchSpec,
} from '../../src/runtime/launch.ts';
import type { DynamoStore, RunRecord } from '../../src/store/index.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

const MACHINE = 'arn:aws:states:eu-central-1:123456789012:stateMachine:updraft-prod-daily_orders';
const EXECUTION = 'arn:aws:states:eu-central-1:123456789012:execution:updraft-prod-daily_orders';
const STARTED_AT = new Date('2026-11-21T17:00:01.000Z');

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({
  region: 'eu-central-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
let local: Dynalite;
let store: DynamoStore;
let logs: string[];

beforeEach(async () => {
  local = await startDynalite();
  store = local.store;
  logs = [];
  sfnMock.reset();
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: `${EXECUTION}:${input.name}`,
    startDate: STARTED_AT,
  }));
});

afterEach(async () => {
  await local.close();
});

function deps(
  settings: Partial<LauncherDeps['settings']> = {},
  now = '2026-11-21T17:00:00.500Z',
): LauncherDeps {
  const log = (message: string) => void logs.push(message);
  return {
    store,
    sfn,
    log: { info: log, warn: log },
    settings: { catchupLimit: 25, ...settings },
    now: () => new Date(now),
  };
}

function spec(overrides: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    dagId: 'daily_orders',
    timezone: 'Europe/Berlin',
    schedule: { kind: 'cron', expression: '0 2 * * *', timezone: 'Europe/Berlin' },
    startDate: '2026-01-01',
    catchup: false,
    maxActiveRuns: 16,
    params: { region: 'eu' },
    timers: [{ key: 'wait_for_close', afterIntervalEndSeconds: 3600 }],
    ...overrides,
  };
}

const hourly = (overrides: Partial<LaunchSpec> = {}): LaunchSpec =>
  spec({
    timezone: 'UTC',
    schedule: { kind: 'cron', expression: '0 * * * *', timezone: 'UTC' },
    timers: [],
    catchup: true,
    ...overrides,
  });

function tick(s: LaunchSpec, scheduledTime: string): LaunchEvent {
  return { spec: s, stateMachineArn: MACHINE, scheduledTime };
}

function startedNames(): string[] {
  return sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name!);
}

/** A finished scheduled run of `dagId` at `logicalDate` (one hour long), as an earlier tick left it. */
async function seedRun(
  dagId: string,
  logicalDate: string,
  triggeredBy: 'schedule' | 'manual' = 'schedule',
): Promise<void> {
  const start = new Date(logicalDate);
  const values = runValuesOf({
    dagId,
    timezone: 'UTC',
    timers: [],
    interval: {
      logicalDate: start,
      dataIntervalStart: start,
      dataIntervalEnd: new Date(start.getTime() + 3_600_000),
    },
    params: {},
    triggeredBy,
  });
  await store.createRun({ ...queuedRunRecord(values, {}, start), status: 'success' });
}

describe('a schedule tick', () => {
  it('starts the interval that just ended, named by its logical date, across the Berlin DST change', async () => {
    // 02:00 Berlin: CEST (00:00Z) on 2026-10-25, the day the clocks go back; CET (01:00Z) after.
    const first = await launch(tick(spec(), '2026-10-25T00:00:00Z'), deps());
    const second = await launch(tick(spec(), '2026-10-26T01:00:00Z'), deps());
    const winter = await launch(tick(spec(), '2026-11-21T01:00:00Z'), deps());

    expect([first.started, second.started, winter.started]).toEqual([
      ['daily_orders-2026-10-24T00-00-00Z'],
      ['daily_orders-2026-10-25T00-00-00Z'],
      ['daily_orders-2026-11-20T01-00-00Z'],
    ]);
    const call = sfnMock.commandCalls(StartExecutionCommand)[1]!.args[0].input;
    expect(call.stateMachineArn).toBe(MACHINE);
    expect(call.name).toBe('daily_orders-2026-10-25T00-00-00Z');
    // The 25-hour day: from 02:00 CEST to 02:00 CET.
    expect(JSON.parse(call.input!)).toEqual({
      run: {
        dagId: 'daily_orders',
        runId: 'daily_orders-2026-10-25T00-00-00Z',
        key: '2026-10-25T00-00-00Z',
        logicalDate: '2026-10-25T00:00:00.000Z',
        ds: '2026-10-25',
        dataIntervalStart: '2026-10-25T00:00:00.000Z',
        dataIntervalEnd: '2026-10-26T01:00:00.000Z',
        params: { region: 'eu' },
        triggeredBy: 'schedule',
        timers: { wait_for_close: '2026-10-26T02:00:00.000Z' },
      },
      t: {},
      done: {},
    });
    const run = await store.getRun('daily_orders-2026-10-25T00-00-00Z');
    expect(run).toMatchObject({
      status: 'running',
      triggeredBy: 'schedule',
      executionArn: `${EXECUTION}:daily_orders-2026-10-25T00-00-00Z`,
      startedAt: STARTED_AT.toISOString(),
      maxActiveRuns: 16,
    });
    expect(run?.pendingInput).toBeUndefined();
  });

  it('a paused DAG (updraft pause, kept in the table): its ticks start nothing, though a deploy re-enabled the schedule', async () => {
    await store.setPaused('daily_orders', '2026-11-20T09:00:00.000Z');
    const summary = await launch(tick(spec(), '2026-11-21T01:00:00Z'), deps());
    expect(summary).toEqual({
      dagId: 'daily_orders',
      started: [],
      queued: [],
      skipped: [],
      deferred: 0,
    });
    expect(startedNames()).toEqual([]);
    expect(await store.listRuns({ dagId: 'daily_orders' })).toEqual([]);
    await store.setPaused('daily_orders', undefined);
    await launch(tick(spec(), '2026-11-21T01:00:00Z'), deps());
    expect(startedNames()).toEqual(['daily_orders-2026-11-20T01-00-00Z']);
  });

  it('delivered twice: the second creates and starts nothing', async () => {
    const event = tick(spec(), '2026-11-21T01:00:00Z');
    await launch(event, deps());
    const again = await launch(event, deps());

    expect(again).toEqual({
      dagId: 'daily_orders',
      started: [],
      queued: [],
      skipped: ['daily_orders-2026-11-20T01-00-00Z'],
      deferred: 0,
    });
    expect(startedNames()).toEqual(['daily_orders-2026-11-20T01-00-00Z']);
    expect((await store.listRuns({ dagId: 'daily_orders' })).length).toBe(1);
  });

  it('delivered again after the first delivery started the execution but died before recording it: ExecutionAlreadyExists is no error', async () => {
    const event = tick(spec(), '2026-11-21T01:00:00Z');
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING', startDate: STARTED_AT, redriveCount: 0 });
    // What the first delivery left: the run queued with its input.
    const values = runValuesOf({
      dagId: 'daily_orders',
      timezone: 'Europe/Berlin',
      timers: [],
      interval: {
        logicalDate: new Date('2026-11-20T01:00:00Z'),
        dataIntervalStart: new Date('2026-11-20T01:00:00Z'),
        dataIntervalEnd: new Date('2026-11-21T01:00:00Z'),
      },
      params: {},
      triggeredBy: 'schedule',
    });
    await store.createRun({
      ...queuedRunRecord(values, {}, new Date()),
      pendingInput: JSON.stringify(executionInput(values)),
    });

    const summary = await launch(event, deps());

    expect(summary).toEqual({
      dagId: 'daily_orders',
      started: [],
      queued: [],
      skipped: ['daily_orders-2026-11-20T01-00-00Z'],
      deferred: 0,
    });
    expect(startedNames()).toEqual(['daily_orders-2026-11-20T01-00-00Z']);
    const runs = await store.listRuns({ dagId: 'daily_orders' });
    expect(runs.map((r) => [r.runId, r.status, r.executionArn, r.pendingInput])).toEqual([
      [
        'daily_orders-2026-11-20T01-00-00Z',
        'running',
        `${EXECUTION}:daily_orders-2026-11-20T01-00-00Z`,
        undefined,
      ],
    ]);
    expect(logs).toContain(
      'run daily_orders-2026-11-20T01-00-00Z was already started (a repeated delivery): nothing to do',
    );
  });

  it('two deliveries at once: one run record, one execution, no error', async () => {
    let starts = 0;
    sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (starts++ > 0)
        throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
      return { executionArn: `${EXECUTION}:${input.name}`, startDate: STARTED_AT };
    });
    const event = tick(spec(), '2026-11-21T01:00:00Z');
    const [a, b] = await Promise.all([launch(event, deps()), launch(event, deps())]);

    expect([...a.started, ...b.started]).toEqual(['daily_orders-2026-11-20T01-00-00Z']);
    expect((await store.listRuns({ dagId: 'daily_orders' })).map((r) => r.status)).toEqual([
      'running',
    ]);
  });

  it("a DAG on datasets or a time schedule (AssetOrTimeSchedule): its time schedule's tick starts the interval, as a cron DAG's", async () => {
    const either = spec({
      schedule: {
        kind: 'datasets',
        condition: { kind: 'dataset', uri: 's3://lake/orders' },
        datasets: ['s3://lake/orders'],
        time: { kind: 'cron', expression: '0 2 * * *', timezone: 'Europe/Berlin' },
      },
    });
    const summary = await launch(tick(either, '2026-11-21T01:00:00Z'), deps());
    expect(summary.started).toEqual(['daily_orders-2026-11-20T01-00-00Z']);
    expect(await store.getRun('daily_orders-2026-11-20T01-00-00Z')).toMatchObject({
      triggeredBy: 'schedule',
      dataIntervalEnd: '2026-11-21T01:00:00.000Z',
    });
  });

  it('a manual or dataset-scheduled DAG: a tick does nothing', async () => {
    const summary = await launch(
      tick(spec({ schedule: { kind: 'manual' } }), '2026-11-21T01:00:00Z'),
      deps(),
    );
    expect(summary).toEqual({
      dagId: 'daily_orders',
      started: [],
      queued: [],
      skipped: [],
      deferred: 0,
    });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(logs).toEqual([
      'DAG "daily_orders" has a manual schedule: a schedule tick starts nothing (its schedule should not exist)',
    ]);
  });
});

describe('catchup', () => {
  it('creates at most UPDRAFT_CATCHUP_LIMIT missed intervals per tick, oldest first; the next tick continues', async () => {
    await seedRun('daily_orders', '2026-11-20T00:00:00Z');
    await seedRun('daily_orders', '2026-11-21T10:00:00Z', 'manual'); // a manual run does not move catchup
    // Missed: 2026-11-20T01:00Z … 2026-11-21T16:00Z, 40 hourly intervals.
    const first = await launch(tick(hourly(), '2026-11-21T17:00:00Z'), deps());

    const ids = (from: string, n: number) =>
      Array.from(
        { length: n },
        (_, i) =>
          `daily_orders-${new Date(Date.parse(from) + i * 3_600_000).toISOString().replace('.000Z', 'Z').replaceAll(':', '-')}`,
      );
    expect(first.started).toEqual(ids('2026-11-20T01:00:00Z', 16)); // maxActiveRuns 16
    expect(first.queued).toEqual(ids('2026-11-20T17:00:00Z', 9));
    expect(first.deferred).toBe(15);
    expect(logs).toContain(
      'catchup of DAG "daily_orders": 25 missed interval(s) this tick (UPDRAFT_CATCHUP_LIMIT=25); 15 more after 2026-11-21T01:00:00.000Z are left for the next ticks',
    );
    const queued = await store.getRun(first.queued[0]!);
    expect(queued).toMatchObject({ status: 'queued', maxActiveRuns: 16 });
    expect(JSON.parse(queued!.pendingInput!).run.dataIntervalEnd).toBe('2026-11-20T18:00:00.000Z');

    // The next tick: the 15 left over (02:00Z … 16:00Z, 10:00Z has its manual run) and the
    // interval that just ended (17:00Z). 16 slots (none running: their end events were lost, and
    // their claims, an hour old, are given back): the 9 still queued go first.
    const second = await launch(
      tick(hourly(), '2026-11-21T18:00:00Z'),
      deps({}, '2026-11-21T18:00:00.500Z'),
    );
    expect(second.deferred).toBe(0);
    expect(second.skipped).toEqual(['daily_orders-2026-11-21T10-00-00Z']);
    expect(second.started).toEqual(ids('2026-11-20T17:00:00Z', 16));
    expect(second.queued).toEqual(
      ids('2026-11-21T09:00:00Z', 9).filter((id) => id !== 'daily_orders-2026-11-21T10-00-00Z'),
    );
    expect(await store.listRuns({ dagId: 'daily_orders', limit: 100 })).toHaveLength(
      2 + 40 + 1 - 1,
    );
  });

  it('never before the data window (thin staging), and without a start date or runs only the window', async () => {
    // Window: data intervals that ended at or after 2026-11-20T17:00Z (one day before the tick).
    const plan = planLaunch(
      hourly({ startDate: undefined }),
      new Date('2026-11-21T17:00:00Z'),
      undefined,
      { catchupLimit: 100, dataWindowDays: 1 },
    );
    expect(plan.intervals.map((r) => r.dataIntervalEnd.toISOString())[0]).toBe(
      '2026-11-20T17:00:00.000Z',
    );
    expect(plan.intervals).toHaveLength(25);
    expect(plan.windowFrom?.toISOString()).toBe('2026-11-20T16:00:00.000Z');

    const summary = await launch(
      tick(hourly({ maxActiveRuns: 100 }), '2026-11-21T17:00:00Z'),
      deps({ catchupLimit: 100, dataWindowDays: 1 }),
    );
    expect(summary.started).toHaveLength(25);
    expect(summary.started[0]).toBe('daily_orders-2026-11-20T16-00-00Z');
    expect(logs).toContain(
      'catchup of DAG "daily_orders" starts at 2026-11-20T16:00:00.000Z: older missed intervals end before the data window (UPDRAFT_DATA_WINDOW_DAYS=1) and are not run',
    );
  });

  it('a DAG whose end date is older than the data window gets nothing', async () => {
    const plan = planLaunch(
      hourly({ endDate: '2026-11-01' }),
      new Date('2026-11-21T17:00:00Z'),
      undefined,
      { catchupLimit: 25, dataWindowDays: 7 },
    );
    expect(plan.intervals).toEqual([]);
  });

  it('without a start date or earlier runs: only the latest interval', () => {
    const plan = planLaunch(
      hourly({ startDate: undefined }),
      new Date('2026-11-21T17:00:00Z'),
      undefined,
      { catchupLimit: 25 },
    );
    expect(plan.intervals.map((r) => r.logicalDate.toISOString())).toEqual([
      '2026-11-21T16:00:00.000Z',
    ]);
  });

  it('catchup false: only the latest interval, however many were missed', async () => {
    await seedRun('daily_orders', '2026-11-01T00:00:00Z');
    const summary = await launch(tick(hourly({ catchup: false }), '2026-11-21T17:00:00Z'), deps());
    expect(summary).toEqual({
      dagId: 'daily_orders',
      started: ['daily_orders-2026-11-21T16-00-00Z'],
      queued: [],
      skipped: [],
      deferred: 0,
    });
    expect(startedNames()).toEqual(['daily_orders-2026-11-21T16-00-00Z']);
  });
});

describe('maxActiveRuns', () => {
  it('1 with one running: the new run waits queued with its execution input', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${EXECUTION}:other`,
          stateMachineArn: MACHINE,
          name: 'other',
          status: 'RUNNING',
          startDate: STARTED_AT,
        },
      ],
    });
    const summary = await launch(tick(spec({ maxActiveRuns: 1 }), '2026-11-21T01:00:00Z'), deps());

    expect(summary).toEqual({
      dagId: 'daily_orders',
      started: [],
      queued: ['daily_orders-2026-11-20T01-00-00Z'],
      skipped: [],
      deferred: 0,
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      statusFilter: 'RUNNING',
      maxResults: 1000,
      nextToken: undefined,
    });
    const run = (await store.getRun('daily_orders-2026-11-20T01-00-00Z')) as RunRecord;
    expect(run.status).toBe('queued');
    expect(JSON.parse(run.pendingInput!).run).toMatchObject({
      runId: 'daily_orders-2026-11-20T01-00-00Z',
      dataIntervalEnd: '2026-11-21T01:00:00.000Z',
    });
  });
});

describe('launcherSettings', () => {
  it('reads the table and environment, with catchup limit 25 and no data window by default', () => {
    expect(launcherSettings({ UPDRAFT_ENV: 'staging', UPDRAFT_TABLE: 'updraft-staging' })).toEqual({
      environment: 'staging',
      table: 'updraft-staging',
      catchupLimit: 25,
    });
    expect(
      launcherSettings({
        UPDRAFT_ENV: 'staging',
        UPDRAFT_TABLE: 't',
        UPDRAFT_CATCHUP_LIMIT: '5',
        UPDRAFT_DATA_WINDOW_DAYS: '7',
      }),
    ).toMatchObject({ catchupLimit: 5, dataWindowDays: 7 });
  });

  it('says which variable is wrong', () => {
    expect(() => launcherSettings({ UPDRAFT_ENV: 'prod' })).toThrow(
      'environment variable UPDRAFT_TABLE is not set; the Updraft stack sets them: redeploy with npm run deploy',
    );
    expect(() =>
      launcherSettings({ UPDRAFT_ENV: 'prod', UPDRAFT_TABLE: 't', UPDRAFT_CATCHUP_LIMIT: '2.5' }),
    ).toThrow(
      'UPDRAFT_CATCHUP_LIMIT is "2.5": use a whole number of 1 or more, such as 25 (set it in the environment settings and redeploy with npm run deploy)',
    );
    expect(() => launcherSettings({ UPDRAFT_ENV: 'qa', UPDRAFT_TABLE: 't' })).toThrow(
      'UPDRAFT_ENV is "qa": use one of dev, staging, prod (for example UPDRAFT_ENV=dev)',
    );
  });
});

describe('maxActiveRuns under races and expired records', () => {
  it('two launches of different intervals at once, maxActiveRuns 1: one execution starts, the other run waits queued (the slot is a conditional write)', async () => {
    // ListExecutions is eventually consistent: neither launch sees the other's execution.
    const names = new Set<string>();
    sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (names.has(input.name!))
        throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
      names.add(input.name!);
      return { executionArn: `${EXECUTION}:${input.name}`, startDate: STARTED_AT };
    });
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING', startDate: STARTED_AT, redriveCount: 0 });
    const one = spec({ maxActiveRuns: 1 });
    const [a, b] = await Promise.all([
      launch(tick(one, '2026-11-20T01:00:00Z'), deps()),
      launch(tick(one, '2026-11-21T01:00:00Z'), deps()),
    ]);

    expect(names.size).toBe(1);
    expect([...a.started, ...b.started]).toEqual([...names]);
    expect([...a.queued, ...b.queued]).toHaveLength(1);
    const runs = await store.listRuns({ dagId: 'daily_orders' });
    expect(runs.map((r) => r.status).sort()).toEqual(['queued', 'running']);
    expect(Object.keys(await store.slotHolders('daily_orders'))).toEqual([...names]);
  });

  it('the run that held the slot ends: the recorder gives it back and the waiting run may start', async () => {
    const one = spec({ maxActiveRuns: 1 });
    await launch(tick(one, '2026-11-20T01:00:00Z'), deps());
    const second = await launch(tick(one, '2026-11-21T01:00:00Z'), deps());
    expect(second.queued).toEqual(['daily_orders-2026-11-20T01-00-00Z']);

    await store.updateRun('daily_orders-2026-11-19T01-00-00Z', { status: 'success' });
    await store.releaseSlot('daily_orders', 'daily_orders-2026-11-19T01-00-00Z');
    const third = await launch(tick(one, '2026-11-21T01:00:00Z'), deps());
    expect(third.started).toEqual(['daily_orders-2026-11-20T01-00-00Z']);
  });

  it('a run whose record expired but whose execution name Step Functions still keeps: its real status is recorded, not "running"', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      startDate: new Date('2026-11-20T01:00:02Z'),
      stopDate: new Date('2026-11-20T01:05:02Z'),
      redriveCount: 0,
      error: 'Updraft.TaskFailed',
      cause: '{"errorType":"Updraft.TaskFailed","errorMessage":"task \\"load\\" failed"}',
    });

    const summary = await launch(tick(spec({ maxActiveRuns: 1 }), '2026-11-21T01:00:00Z'), deps());

    expect(summary.started).toEqual([]);
    expect(await store.getRun('daily_orders-2026-11-20T01-00-00Z')).toMatchObject({
      status: 'failed',
      attempt: 1,
      startedAt: '2026-11-20T01:00:02.000Z',
      endedAt: '2026-11-20T01:05:02.000Z',
      durationMs: 300_000,
      error: { error: 'Updraft.TaskFailed', cause: 'task "load" failed' },
      executionArn: `${EXECUTION}:daily_orders-2026-11-20T01-00-00Z`,
    });
    expect(logs).toContain(
      'run daily_orders-2026-11-20T01-00-00Z was not started again: Step Functions keeps the name of its execution, which already ended FAILED at 2026-11-20T01:05:02.000Z (its run record had expired); recorded as failed',
    );
    // It holds no slot: the DAG's next run may start.
    expect(await store.slotHolders('daily_orders')).toEqual({});
  });
});

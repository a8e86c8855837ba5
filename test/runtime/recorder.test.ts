// The recorder Lambda's logic against a real (in-memory) DynamoStore on dynalite, with Step
// Functions and SNS mocked: status → run record, transitions and cost, one alert per failed
// attempt, idempotency under repeated and late events, redrive, and queued runs started on an end.
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type GetExecutionHistoryCommandInput,
  type HistoryEvent,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { partExecutionArn } from '../../src/runtime/execution-events.ts';
import { launch } from '../../src/runtime/launcher.ts';
import type { LaunchSpec } from '../../src/runtime/launch.ts';
import {
  recordExecution,
  recorderSettings,
  type ExecutionStatusDetail,
  type ExecutionStatusEvent,
  type RecorderDeps,
} from '../../src/runtime/recorder.ts';
import type { DynamoStore } from '../../src/store/index.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

const MACHINE = 'arn:aws:states:eu-central-1:123456789012:stateMachine:updraft-prod-daily_orders';
const EXECUTION = 'arn:aws:states:eu-central-1:123456789012:execution:updraft-prod-daily_orders';
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:updraft-prod-alerts';
const RUN_ID = 'daily_orders-2026-11-20T01-00-00Z';
const START = Date.parse('2026-11-21T01:00:02.000Z');
const STOP = Date.parse('2026-11-21T01:03:12.250Z');

const sfnMock = mockClient(SFNClient);
const snsMock = mockClient(SNSClient);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const sfn = new SFNClient({ region: 'eu-central-1', credentials });
const sns = new SNSClient({ region: 'eu-central-1', credentials });
let local: Dynalite;
let store: DynamoStore;

/** Two history pages: 5 states entered among 9 events (transitions count across pages). */
const PAGES: Record<string, { events: Partial<HistoryEvent>[]; nextToken?: string }> = {
  first: {
    events: [
      { type: 'ExecutionStarted' },
      { type: 'PassStateEntered' },
      { type: 'PassStateExited' },
      { type: 'TaskStateEntered' },
      { type: 'TaskScheduled' },
    ],
    nextToken: 'page-2',
  },
  'page-2': {
    events: [
      { type: 'ParallelStateEntered' },
      { type: 'TaskStateEntered' },
      { type: 'FailStateEntered' },
      {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'Updraft.TaskFailed', cause: 'from history' },
      },
    ],
  },
};

beforeEach(async () => {
  local = await startDynalite();
  store = local.store;
  sfnMock.reset();
  snsMock.reset();
  sfnMock
    .on(GetExecutionHistoryCommand)
    .callsFake((input: GetExecutionHistoryCommandInput) => PAGES[input.nextToken ?? 'first']);
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: `${EXECUTION}:${input.name}`,
    startDate: new Date(STOP + 1000),
  }));
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

afterEach(async () => {
  await local.close();
});

const quiet = { info: () => {}, warn: () => {} };

function deps(): RecorderDeps {
  return { store, sfn, sns, log: quiet, settings: { environment: 'prod', alertsTopic: TOPIC } };
}

function event(
  status: ExecutionStatusDetail['status'],
  detail: Partial<ExecutionStatusDetail> = {},
): ExecutionStatusEvent {
  const name = detail.name ?? RUN_ID;
  const ended = status !== 'RUNNING';
  return {
    version: '0',
    id: `event-${status}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-21T01:03:13Z',
    region: 'eu-central-1',
    resources: [`${EXECUTION}:${name}`],
    detail: {
      executionArn: `${EXECUTION}:${name}`,
      stateMachineArn: MACHINE,
      name,
      status,
      startDate: START,
      stopDate: ended ? STOP : null,
      input: null,
      inputDetails: { included: false },
      output: null,
      outputDetails: null,
      error: status === 'FAILED' ? 'Updraft.TaskFailed' : null,
      cause:
        status === 'FAILED'
          ? '{"errorType":"Updraft.TaskFailed","errorMessage":"task \\"load\\" failed: warehouse refused the connection","trace":[]}'
          : null,
      redriveCount: 0,
      redriveDate: null,
      ...detail,
    },
  };
}

function spec(overrides: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    dagId: 'daily_orders',
    timezone: 'Europe/Berlin',
    schedule: { kind: 'cron', expression: '0 2 * * *', timezone: 'Europe/Berlin' },
    catchup: false,
    maxActiveRuns: 16,
    params: {},
    timers: [],
    ...overrides,
  };
}

/** The run as the launcher leaves it: started, running. */
async function launched(): Promise<void> {
  await launch(
    { spec: spec(), stateMachineArn: MACHINE, scheduledTime: '2026-11-21T01:00:00Z' },
    { store, sfn, log: quiet, settings: { catchupLimit: 25 } },
  );
  sfnMock.resetHistory();
}

describe('status events → run records', () => {
  it('RUNNING: running, with its start and execution', async () => {
    await launched();
    const outcome = await recordExecution(event('RUNNING'), deps());
    expect(outcome).toEqual({
      runId: RUN_ID,
      applied: true,
      status: 'running',
      created: false,
      notified: false,
      started: [],
      datasetRuns: [],
    });
    expect(await store.getRun(RUN_ID)).toMatchObject({
      status: 'running',
      attempt: 1,
      startedAt: '2026-11-21T01:00:02.000Z',
      executionArn: `${EXECUTION}:${RUN_ID}`,
    });
  });

  it("a Distributed Map's child execution is an instance, not a run: its events change no record", async () => {
    await launched();
    const child = event('SUCCEEDED', {
      name: '0d7b1c2e-5f7a-4c59-9f0b-7a1d2c3e4f50',
      executionArn: `${EXECUTION}/process:6a1f7c2b-9d7e-4f0a-8c4b-2e5d1a9b3c70:0d7b1c2e-5f7a-4c59-9f0b-7a1d2c3e4f50`,
    });
    const outcome = await recordExecution(child, deps());
    expect(outcome).toMatchObject({ applied: false, created: false, notified: false });
    expect(await store.getRun(RUN_ID)).toMatchObject({ status: 'running', attempt: 1 });
    expect(await store.listRuns({ dagId: 'daily_orders', limit: 10 })).toHaveLength(1);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it("a Distributed Map's child executions are billed too: each instance's tries and its failure record", async () => {
    await launched();
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        { type: 'ExecutionStarted' },
        { type: 'MapStateEntered', stateEnteredEventDetails: { name: 'each [distributed]' } },
        {
          type: 'MapRunStarted',
          mapRunStartedEventDetails: { mapRunArn: `${MACHINE}/each:run` },
        },
        { type: 'MapRunSucceeded' },
        { type: 'MapStateExited' },
        { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'each collect' } },
        { type: 'ExecutionSucceeded' },
      ] as HistoryEvent[],
    });
    const at = '2026-11-21T01:01:00.000Z';
    const tryOf = (mapIndex: number, tryNumber: number, state: 'success' | 'failed') =>
      store.putTry({
        runId: RUN_ID,
        taskId: 'each',
        mapIndex,
        tryNumber,
        runAttempt: 1,
        state,
        startedAt: at,
        endedAt: at,
      });
    // Instance 0 ran once; 1 was retried and succeeded; 2 failed twice (its failure record too).
    await Promise.all([
      tryOf(0, 1, 'success'),
      tryOf(1, 1, 'failed'),
      tryOf(1, 2, 'success'),
      tryOf(2, 1, 'failed'),
      tryOf(2, 2, 'failed'),
    ]);
    await recordExecution(event('SUCCEEDED'), deps());
    // 2 states entered in the run's history, 5 tries and 1 failure record in its children.
    expect(await store.getRun(RUN_ID)).toMatchObject({ transitions: 8, costUsd: 8 * 0.000025 });
  });

  it("a retried run's cost adds up its executions: the first's history and the retry's", async () => {
    await launched();
    // The first execution's history is PAGES (5 transitions); the retry's enters 3 states.
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: `${EXECUTION}:${RUN_ID}-r2` }).resolves({
      events: [
        { type: 'ExecutionStarted' },
        { type: 'TaskStateEntered' },
        { type: 'ChoiceStateEntered' },
        { type: 'SucceedStateEntered' },
        { type: 'ExecutionSucceeded' },
      ] as HistoryEvent[],
    });
    await recordExecution(event('SUCCEEDED', { name: `${RUN_ID}-r2` }), deps());
    expect(await store.getRun(RUN_ID)).toMatchObject({
      status: 'success',
      attempt: 2,
      transitions: 8,
      historyEvents: 5,
      costUsd: 8 * 0.000025,
    });
    expect(
      sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.executionArn),
    ).toEqual([`${EXECUTION}:${RUN_ID}-r2`, `${EXECUTION}:${RUN_ID}`, `${EXECUTION}:${RUN_ID}`]);
  });

  it('SUCCEEDED: success, end, duration, and the transitions of every history page with their cost', async () => {
    await launched();
    await recordExecution(event('SUCCEEDED'), deps());
    const run = await store.getRun(RUN_ID);
    expect(run).toMatchObject({
      status: 'success',
      endedAt: '2026-11-21T01:03:12.250Z',
      durationMs: 190_250,
      transitions: 5,
      historyEvents: 9,
      costUsd: 0.000125,
    });
    expect(run?.error).toBeUndefined();
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input)).toEqual([
      {
        executionArn: `${EXECUTION}:${RUN_ID}`,
        maxResults: 1000,
        includeExecutionData: false,
        nextToken: undefined,
      },
      {
        executionArn: `${EXECUTION}:${RUN_ID}`,
        maxResults: 1000,
        includeExecutionData: false,
        nextToken: 'page-2',
      },
    ]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('FAILED twice: one alert, the same record', async () => {
    await launched();
    const first = await recordExecution(event('FAILED'), deps());
    const after = await store.getRun(RUN_ID);
    const second = await recordExecution(event('FAILED'), deps());

    expect([first.notified, second.notified]).toEqual([true, false]);
    expect(await store.getRun(RUN_ID)).toEqual(after);
    expect(after).toMatchObject({
      status: 'failed',
      transitions: 5,
      costUsd: 0.000125,
      notifiedAttempt: 1,
      error: {
        error: 'Updraft.TaskFailed',
        cause: 'task "load" failed: warehouse refused the connection',
      },
    });
    const publishes = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(publishes).toHaveLength(1);
    expect(publishes[0]!.TopicArn).toBe(TOPIC);
    expect(publishes[0]!.Subject).toBe('Updraft prod: DAG daily_orders run failed');
    expect(JSON.parse(publishes[0]!.Message!)).toEqual({
      environment: 'prod',
      dag: 'daily_orders',
      run: RUN_ID,
      status: 'failed',
      attempt: 1,
      logicalDate: '2026-11-20T01:00:00.000Z',
      error: {
        error: 'Updraft.TaskFailed',
        cause: 'task "load" failed: warehouse refused the connection',
      },
      startedAt: '2026-11-21T01:00:02.000Z',
      endedAt: '2026-11-21T01:03:12.250Z',
      console: `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${EXECUTION}:${RUN_ID}`,
    });
  });

  it('RUNNING after SUCCEEDED (delivered late): still success', async () => {
    await launched();
    await recordExecution(event('SUCCEEDED'), deps());
    const late = await recordExecution(event('RUNNING'), deps());
    expect(late.applied).toBe(false);
    expect(await store.getRun(RUN_ID)).toMatchObject({
      status: 'success',
      endedAt: '2026-11-21T01:03:12.250Z',
      durationMs: 190_250,
    });
  });

  it('RUNNING handled at the same time as SUCCEEDED (read before the end was written): still success', async () => {
    await launched();
    const before = await store.getRun(RUN_ID);
    await recordExecution(event('SUCCEEDED'), deps());
    // This invocation read the run while it was still running; its write must not win.
    const racing = new Proxy(store, {
      get: (target, prop) =>
        prop === 'getRun'
          ? async () => before
          : (Reflect.get(target, prop) as (...args: unknown[]) => unknown).bind(target),
    });
    const late = await recordExecution(event('RUNNING'), { ...deps(), store: racing });
    expect(late.applied).toBe(false);
    expect(await store.getRun(RUN_ID)).toMatchObject({
      status: 'success',
      endedAt: '2026-11-21T01:03:12.250Z',
    });
  });

  it('TIMED_OUT: failed with States.Timeout and one alert; ABORTED: failed, no alert', async () => {
    await launched();
    await recordExecution(event('TIMED_OUT'), deps());
    expect((await store.getRun(RUN_ID))?.error).toEqual({
      error: 'States.Timeout',
      cause: 'from history',
    });
    expect(
      snsMock
        .commandCalls(PublishCommand)
        .map((c) => [c.args[0].input.Subject, JSON.parse(c.args[0].input.Message!).status]),
    ).toEqual([['Updraft prod: DAG daily_orders run timed out', 'timed_out']]);

    await recordExecution(event('ABORTED', { name: 'aborted-by-hand' }), deps());
    expect(await store.getRun('aborted-by-hand')).toMatchObject({
      status: 'failed',
      error: { error: 'Updraft.Aborted', cause: 'from history' },
    });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('a redriven execution is a new attempt: running again, a second alert on its failure, the old attempt ignored after', async () => {
    await launched();
    await recordExecution(event('FAILED'), deps());
    const redriveDate = Date.parse('2026-11-21T09:00:00.000Z');
    await recordExecution(event('RUNNING', { redriveCount: 1, redriveDate }), deps());
    const rerun = await store.getRun(RUN_ID);
    expect(rerun).toMatchObject({
      status: 'running',
      attempt: 2,
      startedAt: '2026-11-21T09:00:00.000Z',
    });
    expect(rerun?.error).toBeUndefined();
    expect(rerun?.endedAt).toBeUndefined();

    await recordExecution(
      event('FAILED', { redriveCount: 1, redriveDate, stopDate: redriveDate + 60_000 }),
      deps(),
    );
    const stale = await recordExecution(event('FAILED'), deps()); // attempt 1's event, delivered again
    expect(stale.applied).toBe(false);
    expect(await store.getRun(RUN_ID)).toMatchObject({
      status: 'failed',
      attempt: 2,
      notifiedAttempt: 2,
      durationMs: 60_000,
      endedAt: '2026-11-21T09:01:00.000Z',
    });
    expect(
      snsMock.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!).attempt),
    ).toEqual([1, 2]);
  });

  it("a resumed run's execution (<run id>-r2, from retry or clear) updates its run as attempt 2; attempt 1's late events are ignored", async () => {
    await launched();
    await recordExecution(event('FAILED'), deps());
    const resumed = `${RUN_ID}-r2`;
    const outcome = await recordExecution(event('RUNNING', { name: resumed }), deps());
    expect(outcome).toMatchObject({
      runId: RUN_ID,
      applied: true,
      status: 'running',
      created: false,
    });
    expect(await store.getRun(RUN_ID)).toMatchObject({
      status: 'running',
      attempt: 2,
      executionArn: `${EXECUTION}:${resumed}`,
    });
    expect(await store.getRun(resumed)).toBeUndefined();
    await recordExecution(event('SUCCEEDED', { name: resumed }), deps());
    expect((await recordExecution(event('FAILED'), deps())).applied).toBe(false);
    expect(await store.getRun(RUN_ID)).toMatchObject({ status: 'success', attempt: 2 });
  });

  it('an alert SNS refuses is released, so the retried event sends it', async () => {
    await launched();
    snsMock
      .on(PublishCommand)
      .rejectsOnce(new Error('Throttling: Rate exceeded'))
      .resolves({ MessageId: 'm-2' });
    await expect(recordExecution(event('FAILED'), deps())).rejects.toThrow(
      'Throttling: Rate exceeded',
    );
    expect((await store.getRun(RUN_ID))?.notifiedAttempt).toBeUndefined();
    expect((await recordExecution(event('FAILED'), deps())).notified).toBe(true);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('an execution started from the console: the run record is created from its input', async () => {
    const input = JSON.stringify({
      run: {
        dagId: 'daily_orders',
        runId: 'x',
        key: '2026-11-19T01-00-00Z',
        logicalDate: '2026-11-19T01:00:00.000Z',
        ds: '2026-11-19',
        dataIntervalStart: '2026-11-19T01:00:00.000Z',
        dataIntervalEnd: '2026-11-20T01:00:00.000Z',
        params: { region: 'us' },
        triggeredBy: 'manual',
        timers: {},
      },
      t: {},
    });
    const outcome = await recordExecution(
      event('RUNNING', { name: 'console-0b5e', input, inputDetails: { included: true } }),
      deps(),
    );
    expect(outcome).toMatchObject({ applied: true, created: true, status: 'running' });
    expect(await store.getRun('console-0b5e')).toMatchObject({
      runId: 'console-0b5e',
      dagId: 'daily_orders',
      logicalDate: '2026-11-19T01:00:00.000Z',
      dataIntervalEnd: '2026-11-20T01:00:00.000Z',
      triggeredBy: 'manual',
      conf: { region: 'us' },
      status: 'running',
      executionArn: `${EXECUTION}:console-0b5e`,
    });

    await recordExecution(event('SUCCEEDED', { name: 'no-input' }), deps());
    expect(await store.getRun('no-input')).toMatchObject({
      dagId: 'daily_orders',
      logicalDate: '2026-11-21T01:00:02.000Z',
      status: 'success',
      transitions: 5,
    });
  });

  it("another environment's state machine: ignored", async () => {
    const outcome = await recordExecution(
      event('FAILED', { stateMachineArn: MACHINE.replace('updraft-prod-', 'updraft-dev-') }),
      deps(),
    );
    expect(outcome.applied).toBe(false);
    expect(await store.getRun(RUN_ID)).toBeUndefined();
    expect(snsMock.calls()).toHaveLength(0);
  });
});

describe('transitions and cost: best-effort, retries included', () => {
  it('the history cannot be read (throttled past the retries): the status is recorded all the same, without transitions, and a warning says why', async () => {
    await launched();
    const warnings: string[] = [];
    sfnMock
      .on(GetExecutionHistoryCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const outcome = await recordExecution(event('SUCCEEDED'), {
      ...deps(),
      log: { info: () => {}, warn: (m: string) => void warnings.push(m) },
    });

    expect(outcome).toMatchObject({ applied: true, status: 'success' });
    const run = await store.getRun(RUN_ID);
    expect(run).toMatchObject({
      status: 'success',
      endedAt: '2026-11-21T01:03:12.250Z',
      durationMs: 190_250,
    });
    expect(run?.transitions).toBeUndefined();
    expect(warnings).toEqual([
      `run ${RUN_ID}: its state transitions and cost are not recorded, the execution history could not be read (ThrottlingException: Rate exceeded)`,
    ]);
  });

  it('each retry of a Task state is a billed transition: it counts, and so does its cost', async () => {
    await launched();
    // One Task state tried three times (two retries), then a Succeed state: 2 entered + 2 retries.
    const events: Partial<HistoryEvent>[] = [
      { id: 1, type: 'ExecutionStarted' },
      { id: 2, previousEventId: 1, type: 'TaskStateEntered' },
      { id: 3, previousEventId: 2, type: 'TaskScheduled' },
      { id: 4, previousEventId: 3, type: 'TaskStarted' },
      { id: 5, previousEventId: 4, type: 'TaskFailed' },
      { id: 6, previousEventId: 5, type: 'TaskScheduled' },
      { id: 7, previousEventId: 6, type: 'TaskStarted' },
      { id: 8, previousEventId: 7, type: 'TaskTimedOut' },
      { id: 9, previousEventId: 8, type: 'TaskScheduled' },
      { id: 10, previousEventId: 9, type: 'TaskStarted' },
      { id: 11, previousEventId: 10, type: 'TaskSucceeded' },
      { id: 12, previousEventId: 11, type: 'TaskStateExited' },
      { id: 13, previousEventId: 12, type: 'SucceedStateEntered' },
      { id: 14, previousEventId: 13, type: 'SucceedStateExited' },
      { id: 15, previousEventId: 14, type: 'ExecutionSucceeded' },
    ];
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: events as HistoryEvent[] });

    await recordExecution(event('SUCCEEDED'), deps());

    expect(await store.getRun(RUN_ID)).toMatchObject({
      transitions: 4,
      historyEvents: 15,
      costUsd: 0.0001,
    });
  });
});

describe('transitions of a DAG cut into parts (compiler/parts)', () => {
  it("adds each part's execution, found by its start state's name, nested parts too", async () => {
    await launched();
    const run = `${EXECUTION}:${RUN_ID}`;
    const p1 = partExecutionArn(run, 'p1');
    const p2 = partExecutionArn(p1, 'p2');
    expect(p1).toBe(
      `arn:aws:states:eu-central-1:123456789012:execution:updraft-part-prod-daily_orders-p1:${createHash('md5').update(RUN_ID).digest('hex')}-p1`,
    );
    expect(p2.split(':execution:')[1]!.startsWith('updraft-part-prod-daily_orders-p2:')).toBe(true);
    const histories: Record<string, Partial<HistoryEvent>[]> = {
      // The run: a task, p1's start and merge, the Succeed state.
      [run]: [
        { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'extract' } },
        { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'p1: load…' } },
        { type: 'PassStateEntered', stateEnteredEventDetails: { name: 'p1 merge' } },
        { type: 'SucceedStateEntered', stateEnteredEventDetails: { name: 'run succeeded' } },
      ],
      // p1: a task, p2's start and merge, its exports.
      [p1]: [
        { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'load' } },
        { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'p2: report…' } },
        { type: 'PassStateEntered', stateEnteredEventDetails: { name: 'p2 merge' } },
        { type: 'PassStateEntered', stateEnteredEventDetails: { name: 'p1 exports' } },
      ],
      [p2]: [
        { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'report' } },
        { type: 'PassStateEntered', stateEnteredEventDetails: { name: 'p2 exports' } },
      ],
    };
    sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => ({
      events: histories[input.executionArn!] as HistoryEvent[],
    }));
    await recordExecution(event('SUCCEEDED'), deps());
    expect(await store.getRun(RUN_ID)).toMatchObject({ transitions: 4 + 4 + 2, historyEvents: 10 });
  });
});

describe('maxActiveRuns across launcher and recorder', () => {
  it('1, one running: the next run waits queued, and starts with its input when the running one succeeds', async () => {
    const one = spec({ maxActiveRuns: 1 });
    const running = `${EXECUTION}:daily_orders-2026-11-19T01-00-00Z`;
    await launch(
      { spec: one, stateMachineArn: MACHINE, scheduledTime: '2026-11-20T01:00:00Z' },
      { store, sfn, log: quiet, settings: { catchupLimit: 25 } },
    );
    // ListExecutions is eventually consistent: it still lists the run that has just ended.
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: running,
          stateMachineArn: MACHINE,
          name: 'daily_orders-2026-11-19T01-00-00Z',
          status: 'RUNNING',
          startDate: new Date(START),
        },
      ],
    });
    const tick = await launch(
      { spec: one, stateMachineArn: MACHINE, scheduledTime: '2026-11-21T01:00:00Z' },
      { store, sfn, log: quiet, settings: { catchupLimit: 25 } },
    );
    expect(tick.queued).toEqual([RUN_ID]);
    const pendingInput = (await store.getRun(RUN_ID))!.pendingInput!;
    sfnMock.resetHistory();

    const outcome = await recordExecution(
      event('SUCCEEDED', { name: 'daily_orders-2026-11-19T01-00-00Z' }),
      deps(),
    );

    expect(outcome.started).toEqual([RUN_ID]);
    expect(sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, name: RUN_ID, input: pendingInput },
    ]);
    const next = await store.getRun(RUN_ID);
    expect(next).toMatchObject({ status: 'running', executionArn: `${EXECUTION}:${RUN_ID}` });
    expect(next?.pendingInput).toBeUndefined();
  });

  it('an end while the DAG is still full starts nothing', async () => {
    const two = spec({ maxActiveRuns: 2 });
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: ['a', 'b'].map((name) => ({
        executionArn: `${EXECUTION}:${name}`,
        stateMachineArn: MACHINE,
        name,
        status: 'RUNNING' as const,
        startDate: new Date(START),
      })),
    });
    await launch(
      { spec: two, stateMachineArn: MACHINE, scheduledTime: '2026-11-21T01:00:00Z' },
      { store, sfn, log: quiet, settings: { catchupLimit: 25 } },
    );
    // A third execution (say, from the console) ended; a and b still run.
    const outcome = await recordExecution(event('SUCCEEDED', { name: 'c' }), deps());
    expect(outcome.started).toEqual([]);
    expect((await store.getRun(RUN_ID))?.status).toBe('queued');
  });
});

describe('data-aware runs: a producer run ends, its consumers start', () => {
  const ORDERS = 's3://lake/orders';
  const CUSTOMERS = 's3://lake/customers';
  const MART = 'arn:aws:states:eu-central-1:123456789012:stateMachine:updraft-prod-orders_mart';
  const mart = {
    ...spec({ dagId: 'orders_mart', maxActiveRuns: 1, params: { region: 'eu' } }),
    timers: [{ key: 'wait', afterIntervalEndSeconds: 60 }],
    schedule: {
      kind: 'datasets' as const,
      condition: {
        kind: 'all' as const,
        of: [
          { kind: 'dataset' as const, uri: ORDERS },
          { kind: 'dataset' as const, uri: CUSTOMERS },
        ],
      },
      datasets: [CUSTOMERS, ORDERS],
    },
  };
  const withConsumers = (): RecorderDeps => ({ ...deps(), datasetConsumers: [mart] });
  const wrote = (runId: string, dataset: string, at: string) =>
    store.putLineage([
      { runId, dagId: 'daily_orders', taskId: 'load', direction: 'out', dataset, at },
    ]);

  it('starts one consumer run, with its execution input, once its condition holds; a repeated end starts nothing', async () => {
    await launched();
    await wrote(RUN_ID, ORDERS, '2026-11-21T01:02:00.000Z');
    expect((await recordExecution(event('SUCCEEDED'), withConsumers())).datasetRuns).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toEqual([]);

    // Another producer run wrote customers and failed afterwards: the update counts all the same.
    const other = 'daily_orders-2026-11-19T01-00-00Z';
    await wrote(other, CUSTOMERS, '2026-11-21T01:02:30.000Z');
    const ended = await recordExecution(event('FAILED', { name: other }), withConsumers());
    const runId = 'orders_mart-2026-11-21T01-03-13Z-d1';
    expect(ended.datasetRuns).toEqual([runId]);
    const calls = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.stateMachineArn, c.name])).toEqual([[MART, runId]]);
    expect(JSON.parse(calls[0]!.input!)).toEqual({
      run: {
        dagId: 'orders_mart',
        runId,
        key: '2026-11-21T01-03-13Z',
        logicalDate: '2026-11-21T01:03:13.000Z',
        ds: '2026-11-21',
        dataIntervalStart: '2026-11-21T01:02:00.000Z',
        dataIntervalEnd: '2026-11-21T01:02:30.000Z',
        params: { region: 'eu' },
        triggeredBy: 'dataset',
        timers: { wait: '2026-11-21T01:03:30.000Z' },
        // What the consumer's tasks see as ctx.triggeringDatasetEvents.
        triggeringEvents: [
          {
            dataset: CUSTOMERS,
            at: '2026-11-21T01:02:30.000Z',
            dagId: 'daily_orders',
            runId: other,
            taskId: 'load',
          },
          {
            dataset: ORDERS,
            at: '2026-11-21T01:02:00.000Z',
            dagId: 'daily_orders',
            runId: RUN_ID,
            taskId: 'load',
          },
        ],
      },
      t: {},
      done: {},
    });
    expect(await store.getRun(runId)).toMatchObject({
      status: 'running',
      triggeredBy: 'dataset',
      triggeringEvents: [
        { dataset: CUSTOMERS, runId: other },
        { dataset: ORDERS, runId: RUN_ID },
      ],
    });

    // EventBridge delivers the end again: the events are consumed, nothing starts twice.
    sfnMock.resetHistory();
    const again = await recordExecution(event('FAILED', { name: other }), withConsumers());
    expect(again.datasetRuns).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('a consumer at its maxActiveRuns: the run waits queued with its input', async () => {
    await launched();
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${MART}:older`,
          stateMachineArn: MART,
          name: 'older',
          status: 'RUNNING',
          startDate: new Date(START),
        },
      ],
    });
    await wrote(RUN_ID, ORDERS, '2026-11-21T01:02:00.000Z');
    await wrote(RUN_ID, CUSTOMERS, '2026-11-21T01:02:01.000Z');
    const outcome = await recordExecution(event('SUCCEEDED'), withConsumers());
    expect(outcome.datasetRuns).toEqual([]);
    const [queued] = await store.listRuns({ dagId: 'orders_mart' });
    expect(queued).toMatchObject({ status: 'queued', triggeredBy: 'dataset', maxActiveRuns: 1 });
    expect(JSON.parse(queued!.pendingInput!).run.runId).toBe(queued!.runId);
  });
});

describe('recorderSettings', () => {
  it('needs the environment, table and alerts topic', () => {
    expect(
      recorderSettings({
        UPDRAFT_ENV: 'prod',
        UPDRAFT_TABLE: 'updraft-prod',
        UPDRAFT_ALERTS_TOPIC: TOPIC,
      }),
    ).toEqual({ environment: 'prod', table: 'updraft-prod', alertsTopic: TOPIC });
    expect(() => recorderSettings({ UPDRAFT_ENV: 'prod' })).toThrow(
      'environment variables UPDRAFT_TABLE, UPDRAFT_ALERTS_TOPIC are not set; the Updraft stack sets them: redeploy with npm run deploy',
    );
  });
});

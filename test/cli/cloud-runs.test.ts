/**
 * The read commands on `--target aws`: `runs` and `show` read the environment's table
 * through the real DynamoStore (dynalite), `show` adds DescribeExecution, `logs` reads CloudWatch
 * Logs (FilterLogEvents on the DAG's task log group, filtered by run and task) — retry and clear
 * are in cloud-resume.test.ts. Step Functions and CloudWatch Logs are mocked.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SFNClient,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/store/types.ts';
import {
  REGION,
  machineArn,
  openCloudHarness,
  runRecord,
  type CloudHarness,
} from './cloud-harness.ts';

const sfn = mockClient(SFNClient);
const logs = mockClient(CloudWatchLogsClient);
let h: CloudHarness;

const ok = runRecord('orders', { logicalDate: '2026-11-10T01:00:00.000Z' });
const bad = runRecord('orders', {
  logicalDate: '2026-11-12T01:00:00.000Z',
  status: 'failed',
  error: { error: 'Updraft.TaskFailed', cause: 'load: connection reset' },
});
const running = runRecord('orders', {
  logicalDate: '2026-11-20T01:00:00.000Z',
  status: 'running',
  endedAt: undefined,
  startedAt: '2026-11-21T11:59:00.000Z',
});
const old = runRecord('orders', { logicalDate: '2026-10-01T00:00:00.000Z', status: 'failed' });

beforeAll(async () => {
  h = await openCloudHarness();
  for (const r of [ok, bad, running, old]) await h.local.store.createRun(r);
  const store = h.local.store;
  await store.putTask({
    runId: bad.runId,
    dagId: 'orders',
    taskId: 'wait_6h',
    state: 'success',
    attempts: 1,
    startedAt: '2026-11-13T01:00:01.000Z',
    endedAt: '2026-11-13T01:00:02.000Z',
  });
  await store.putTask({
    runId: bad.runId,
    dagId: 'orders',
    taskId: 'load',
    state: 'failed',
    attempts: 2,
    startedAt: '2026-11-13T01:00:03.000Z',
    endedAt: '2026-11-13T01:01:03.000Z',
    error: { error: 'Updraft.TaskFailed', cause: 'connection reset' },
  });
  await store.putTry({
    runId: bad.runId,
    taskId: 'load',
    mapIndex: -1,
    tryNumber: 1,
    runAttempt: 1,
    state: 'failed',
    startedAt: '2026-11-13T01:00:03.000Z',
    endedAt: '2026-11-13T01:00:33.000Z',
    durationMs: 30_000,
    error: { error: 'Error', cause: 'connection reset' },
  });
});
afterAll(async () => {
  sfn.restore();
  logs.restore();
  await h.close();
});
beforeEach(() => {
  sfn.reset();
  logs.reset();
});

function execution(
  run: RunRecord,
  status: string,
  extra: Partial<DescribeExecutionCommandOutput> = {},
): DescribeExecutionCommandOutput {
  return {
    $metadata: {},
    executionArn: run.executionArn,
    stateMachineArn: machineArn('orders'),
    status: status as DescribeExecutionCommandOutput['status'],
    startDate: new Date(run.startedAt!),
    ...(run.endedAt && { stopDate: new Date(run.endedAt) }),
    ...extra,
  };
}

describe('updraft runs --target aws', () => {
  it('lists the runs from the environment’s table, with hints that keep the target', async () => {
    const r = await h.cli(['runs', 'orders', '--status', 'failed', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      '┌─────────────────────────────┬──────────┬──────────────────────┬──────────────┬──────────────────────┬──────────┬───────────┐',
      '│ run id                      │ state    │ logical date         │ triggered by │ started              │ duration │ execution │',
      '├─────────────────────────────┼──────────┼──────────────────────┼──────────────┼──────────────────────┼──────────┼───────────┤',
      '│ orders-2026-11-12T01-00-00Z │ ✖ failed │ 2026-11-12 01:00:00Z │ schedule     │ 2026-11-13 01:00:01Z │ 1m       │ 1         │',
      '├─────────────────────────────┼──────────┼──────────────────────┼──────────────┼──────────────────────┼──────────┼───────────┤',
      '│ orders-2026-10-01T00-00-00Z │ ✖ failed │ 2026-10-01 00:00:00Z │ schedule     │ 2026-10-02 00:00:01Z │ 1m       │ 1         │',
      '└─────────────────────────────┴──────────┴──────────────────────┴──────────────┴──────────────────────┴──────────┴───────────┘',
      '2 runs · details: updraft show <run id> --target aws · task logs: updraft logs <run id> --target aws',
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('--json gives the records; an unknown DAG gets a did-you-mean with the target', async () => {
    const json = await h.cli(['runs', 'orders', '--limit', '1', '--target', 'aws', '--json']);
    expect(JSON.parse(json.out)).toEqual([running]);
    const near = await h.cli(['runs', 'order', '--target', 'aws']);
    expect(near.out).toBe(
      'No runs of DAG "order" (did you mean "orders"? updraft runs orders --target aws lists its runs)',
    );
  });

  it('says to deploy when the environment has no table', async () => {
    const r = await h.cli(['runs', '--target', 'aws', '--env', 'prod']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ the run table "updraft-prod" does not exist in AWS ${REGION}: Updraft is not deployed to prod there\n    ↳ deploy first: npm run deploy -- -c env=prod`,
    );
  });
});

describe('updraft show --target aws', () => {
  it('shows the records and the execution’s own status', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolves(execution(bad, 'FAILED', { stopDate: new Date('2026-11-13T01:01:04Z') }));
    const r = await h.cli(['show', bad.runId, '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✖ failed  ${bad.runId}  (logical date 2026-11-12T01:00:00.000Z, took 1m)`,
      '  DAG orders · triggered by its schedule · data interval 2026-11-12T01:00:00.000Z → 2026-11-13T01:00:00.000Z',
      `  execution: FAILED, stopped 2026-11-13 01:01:04Z  ${bad.executionArn}`,
      '  Updraft.TaskFailed: load: connection reset',
      // No transitions recorded for this run; its one try's Lambda time: 30 s × 1 GB + a request.
      '  cost $0.000400: no transitions recorded yet + $0.000400 for 1 Lambda invocation, 30.0 s at 1024 MiB',
      '┌─────────┬───────────┬───────┬──────────┐',
      '│ task    │ state     │ tries │ duration │',
      '├─────────┼───────────┼───────┼──────────┤',
      '│ wait_6h │ ✔ success │ 1     │ 1s       │',
      '├─────────┼───────────┼───────┼──────────┤',
      '│ load    │ ✖ failed  │ 2     │ 1m       │',
      '└─────────┴───────────┴───────┴──────────┘',
      'Failed tasks',
      '  ✖ load  Updraft.TaskFailed: connection reset',
      '      try 1  ✖ failed  started 2026-11-13 01:00:03Z, took 30s  Error: connection reset',
      'Cost by task',
      '  load  $0.000400 · 1 × Lambda, 30.00 s',
      `  ↳ updraft logs ${bad.runId} --target aws · fix, then resume: updraft retry ${bad.runId} --target aws`,
    ]);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: bad.executionArn,
    });
  });

  it('--json adds the execution (null once Step Functions no longer has it)', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const r = await h.cli(['show', ok.runId, '--target', 'aws', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      runId: ok.runId,
      status: 'success',
      tasks: {},
      tries: [],
      outbox: [],
      execution: null,
    });
  });

  it('an unknown run id gets a did-you-mean and the target in the hint', async () => {
    const r = await h.cli(['show', 'orders-2026-11-12T01-00-01Z', '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ run "orders-2026-11-12T01-00-01Z" not found (did you mean "${bad.runId}"?)\n    ↳ list the runs of a DAG with: updraft runs orders --target aws (or every DAG's with: updraft runs --target aws)`,
    );
  });
});

describe('updraft logs --target aws', () => {
  // As Powertools Logger writes them on Lambda: its own keys, `timestamp`, upper-case levels.
  const line = (task: string, message: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      level: 'INFO',
      message,
      timestamp: '2026-11-13T01:00:04.000Z',
      service: 'updraft',
      cold_start: true,
      function_request_id: 'r-1',
      xray_trace_id: '1-abc',
      dag: 'orders',
      run: bad.runId,
      task,
      try: 1,
      ...extra,
    });

  it('filters the DAG’s task log group by run, page by page, and prints the lines as locally', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({
        events: [
          {
            timestamp: Date.parse('2026-11-13T01:00:40Z'),
            message: line('load', 'retrying', {
              level: 'WARN',
              timestamp: '2026-11-13T01:00:40.000Z',
              try: 2,
              attempt: 2,
            }),
          },
          {
            timestamp: Date.parse('2026-11-13T01:00:04Z'),
            message: `2026-11-13T01:00:04.000Z\tr-1\tINFO\t${line('load', 'loading', { limit: 5, table: 'public orders' })}`,
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        events: [
          {
            timestamp: Date.parse('2026-11-13T01:00:05Z'),
            message: 'REPORT RequestId: r-1 Duration: 3.1 ms',
          },
          {
            timestamp: Date.parse('2026-11-13T01:00:45Z'),
            message: line('load', 'failed', {
              level: 'ERROR',
              timestamp: '2026-11-13T01:00:45.000Z',
              try: 2,
            }),
          },
        ],
      });
    const r = await h.cli(['logs', bad.runId, '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      '2026-11-13T01:00:04.000Z  INFO   load  try 1  loading  limit=5  table="public orders"',
      '2026-11-13T01:00:40.000Z  WARN   load  try 2  retrying  attempt=2',
      '2026-11-13T01:00:45.000Z  ERROR  load  try 2  failed',
    ]);
    const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    const first = {
      logGroupName: '/aws/lambda/updraft-dev-orders',
      filterPattern: `{ $.run = "${bad.runId}" }`,
      startTime: Date.parse(bad.queuedAt) - 60_000,
    };
    expect(calls).toEqual([first, { ...first, nextToken: 'page-2' }]);
  });

  it('--task narrows the filter to one task of the run', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const r = await h.cli(['logs', bad.runId, '--task', 'wait_6h', '--target', 'aws']);
    expect(r.out).toBe(
      `No log lines for task "wait_6h" of run ${bad.runId}: it logged nothing (task code logs with ctx.log.info(message, fields)).`,
    );
    expect(logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input.filterPattern).toBe(
      `{ ($.run = "${bad.runId}") && ($.task = "wait_6h") }`,
    );
    const unknown = await h.cli(['logs', bad.runId, '--task', 'lod', '--target', 'aws']);
    expect(unknown.err).toBe(
      `✖ task "lod" is not in run ${bad.runId} (did you mean "load"?)\n    ↳ its tasks: load, wait_6h; or leave the task out for every task's lines`,
    );
  });

  it('explains a missing log group', async () => {
    logs.on(FilterLogEventsCommand).rejects(
      new ResourceNotFoundException({
        message: 'The specified log group does not exist.',
        $metadata: {},
      }),
    );
    const r = await h.cli(['logs', ok.runId, '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ the log group /aws/lambda/updraft-dev-orders does not exist in AWS (dev, ${REGION}): no task of DAG "orders" has run there yet, or the DAG is not deployed to dev\n    ↳ see what the run recorded: updraft show ${ok.runId} --target aws`,
    );
  });
});

/**
 * The pool semaphore as it runs on AWS, on a real DynamoDB API (dynalite): the compiled acquire and
 * release states' UpdateItem requests (their parameters evaluated as Step Functions does) against
 * the pool's item as infra creates it at deploy (test/infra/stacks.test.ts checks infra runs that
 * very call) — of 20 concurrent acquires of a 3-slot pool exactly 3 win; a redeploy keeps the
 * holders — and the recorder giving back what an execution still held when it was aborted, and
 * only that execution's (runtime/pool-release).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import { buildDagIR, dag, pool, task } from 'updraft';
import { compileDag } from '../../src/compiler/compile.ts';
import type { State } from '../../src/compiler/asl.ts';
import { poolItemUpdate } from '../../src/store/table.ts';
import { recordExecution, type ExecutionStatusEvent } from '../../src/runtime/recorder.ts';
import { reapPoolHolders } from '../../src/runtime/pool-release.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

const DAG = 'loads';
const RUN = 'loads-2026-11-20T00-00-00Z';
const machine = compileDag(
  buildDagIR(
    dag(DAG, {}, () => {
      const list = task('list', async () => [1, 2, 3])();
      task('load', { pool: pool('warehouse', { slots: 3 }) }, async (_c, n: number) => n).map(list);
    }),
    'loads.ts',
  ).ir,
).definition;
const items = (machine.States.load as Extract<State, { Type: 'Map' }>).ItemProcessor.States;
const acquire = items['load [pool slot]'] as Extract<State, { Type: 'Task' }>;
const release = items['load [release slot]'] as Extract<State, { Type: 'Task' }>;

/**
 * A state's Parameters as Step Functions evaluates them for one Map item: `.$` fields from the
 * item's input and the context object (the only intrinsic the pool states use is States.Format).
 */
function evaluate(value: unknown, input: Record<string, unknown>, execution: string): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, input, execution));
  if (value === null || typeof value !== 'object') return value;
  const path = (p: string): unknown =>
    p === '$$.Execution.Name'
      ? execution
      : p
          .slice(2)
          .split('.')
          .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], input);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!k.endsWith('.$')) {
      out[k] = evaluate(v, input, execution);
      continue;
    }
    const format = /^States\.Format\('(.*)', (.*)\)$/.exec(String(v));
    const args = format?.[2]?.split(', ').map(path);
    out[k.slice(0, -2)] = format
      ? format[1]!.replace(/\{\}/g, () => String(args!.shift()))
      : path(String(v));
  }
  return out;
}

let local: Dynalite;
let client: DynamoDBClient;
const request = (
  state: typeof acquire,
  index: number,
  execution = RUN,
): UpdateItemCommandInput => ({
  ...(evaluate(
    state.Parameters,
    { run: { runId: RUN }, index },
    execution,
  ) as UpdateItemCommandInput),
  TableName: local.tableName,
});

beforeAll(async () => {
  local = await startDynalite();
  client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: local.endpoint,
  });
  // The pool's item, as infra creates it at deploy (infra/pools).
  await client.send(new UpdateItemCommand(poolItemUpdate(local.tableName, 'warehouse', 3)));
});
afterAll(async () => {
  client.destroy();
  await local.close();
});

/** What the recorder is given: no history to read and no queued runs (what it asks Step Functions). */
function recorderDeps() {
  return {
    store: local.store,
    sfn: { send: async () => ({ events: [], executions: [] }) } as unknown as SFNClient,
    sns: { send: async () => ({}) } as unknown as SNSClient,
    log: { info: () => undefined, warn: () => undefined },
    settings: { environment: 'prod' as const, alertsTopic: 'arn:aws:sns:eu-central-1:1:alerts' },
  };
}

/** EventBridge's status event of an execution of the DAG that ended. */
function ended(name: string, status: 'ABORTED' | 'SUCCEEDED'): ExecutionStatusEvent {
  return {
    version: '0',
    id: `e-${name}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-21T01:03:13Z',
    region: 'eu-central-1',
    resources: [],
    detail: {
      executionArn: `arn:aws:states:eu-central-1:123456789012:execution:updraft-prod-${DAG}:${name}`,
      stateMachineArn: `arn:aws:states:eu-central-1:123456789012:stateMachine:updraft-prod-${DAG}`,
      name,
      status,
      startDate: Date.parse('2026-11-21T01:00:00Z'),
      stopDate: Date.parse('2026-11-21T01:03:12Z'),
      input: null,
      inputDetails: { included: false },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      redriveCount: 0,
      redriveDate: null,
    },
  };
}

describe('the compiled pool states on DynamoDB', () => {
  it('let exactly 3 of 20 concurrent acquires of a 3-slot pool win; a release lets the next one in', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.send(new UpdateItemCommand(request(acquire, i))).then(
          () => 'won',
          (e: unknown) => (e instanceof ConditionalCheckFailedException ? 'full' : String(e)),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'full')).toHaveLength(17);
    const winners = outcomes.flatMap((o, i) => (o === 'won' ? [i] : []));
    const holders = await local.store.poolHolders('warehouse');
    expect(holders).toEqual(
      winners
        .map((i) => ({ pool: 'warehouse', holder: `${RUN}#load#${i}`, runId: RUN, execution: RUN }))
        .sort((a, b) => (a.holder < b.holder ? -1 : 1)),
    );
    // Acquiring again what it holds: still fine (a retried request after a lost answer).
    await client.send(new UpdateItemCommand(request(acquire, winners[0]!)));
    await client.send(new UpdateItemCommand(request(release, winners[0]!)));
    const next = outcomes.indexOf('full');
    await client.send(new UpdateItemCommand(request(acquire, next, `${RUN}-r2`)));
    expect((await local.store.poolHolders('warehouse')).map((h) => h.holder)).toContain(
      `${RUN}#load#${next}`,
    );
  });

  it('keep their holders when infra runs its deploy-time UpdateItem again (a redeploy)', async () => {
    const before = await local.store.poolHolders('warehouse');
    expect(before).toHaveLength(3);
    await client.send(new UpdateItemCommand(poolItemUpdate(local.tableName, 'warehouse', 3)));
    expect(await local.store.poolHolders('warehouse')).toEqual(before);
  });

  it('are given back by the recorder when the execution holding them is aborted, not those of a later execution', async () => {
    const before = await local.store.poolHolders('warehouse');
    expect(before.map((h) => h.execution).sort()).toEqual([RUN, RUN, `${RUN}-r2`]);
    expect(await recordExecution(ended(RUN, 'ABORTED'), recorderDeps())).toMatchObject({
      applied: true,
      status: 'failed',
    });
    expect(await local.store.poolHolders('warehouse')).toEqual(
      before.filter((h) => h.execution === `${RUN}-r2`),
    );
  });

  it('the end of a resumed execution also gives back what an earlier one left (whose end event came too late to count)', async () => {
    const left = { pool: 'warehouse', holder: `${RUN}#load#9`, runId: RUN, execution: RUN };
    expect(await local.store.acquirePoolSlot(left, 3)).toBe(true);
    expect(await recordExecution(ended(`${RUN}-r2`, 'SUCCEEDED'), recorderDeps())).toMatchObject({
      applied: true,
      status: 'success',
    });
    expect(await local.store.poolHolders('warehouse')).toEqual([]);
  });

  it("the launcher's sweep gives back the slots of runs that ended or have no record, and no running run's", async () => {
    const holder = (runId: string, n: number) => ({
      pool: 'warehouse',
      holder: `${runId}#load#${n}`,
      runId,
      execution: runId,
    });
    const running = 'loads-2026-11-22T00-00-00Z';
    const ended = 'loads-2026-11-23T00-00-00Z';
    const base = {
      dagId: DAG,
      logicalDate: '2026-11-22T00:00:00.000Z',
      dataIntervalStart: '2026-11-22T00:00:00.000Z',
      dataIntervalEnd: '2026-11-23T00:00:00.000Z',
      triggeredBy: 'schedule' as const,
      conf: {},
      attempt: 1,
      queuedAt: '2026-11-23T00:00:00.000Z',
    };
    await local.store.createRun({ ...base, runId: running, key: 'k1', status: 'running' });
    await local.store.createRun({ ...base, runId: ended, key: 'k2', status: 'failed' });
    for (const h of [holder(running, 0), holder(ended, 0), holder('loads-gone', 0)])
      expect(await local.store.acquirePoolSlot(h, 3)).toBe(true);
    const released = await reapPoolHolders({ store: local.store });
    expect(released.map((h) => h.holder).sort()).toEqual([`${ended}#load#0`, 'loads-gone#load#0']);
    expect((await local.store.poolHolders('warehouse')).map((h) => h.holder)).toEqual([
      `${running}#load#0`,
    ]);
  });
});

/**
 * Pools in the compiled machine (compiler/states/pool): a pooled task's acquire (the conditional
 * DynamoDB UpdateItem, retried while the pool is full), its releases on success and on the failure
 * path (which task timeouts take too), the mapped variant inside the Map's items, no slot for a
 * time sensor, both ASL validators, and what `updraft explain` counts for them.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import type { State, StateMachine } from '../../src/compiler/asl.ts';
import { explanation, poolLines } from '../../src/cli/commands/explain.ts';
import { dag, pool, snsPublish, task, timeSensor, type Dag } from './imports.ts';
import { runDag } from './harness.ts';
import { aslProblems } from '../support/validate-asl.ts';

const warehouse = pool('warehouse', { slots: 3 });

function pooledDag(withPool = true): Dag {
  const p = withPool ? { pool: warehouse } : {};
  return dag('pooled', {}, () => {
    const extract = task('extract', { ...p, timeout: '5m' }, async () => [1, 2, 3])();
    const each = task('each', p, async (_c, n: number) => n).map(extract);
    const send = snsPublish('send', { ...p, topic: 'done', message: 'loaded' });
    each.then(send);
    send.then(timeSensor('later', { ...p, after: '1h' }));
  });
}

const compiled = (d: Dag) => compileDag(buildDagIR(d, 'pooled.ts').ir);
type TaskState = Extract<State, { Type: 'Task' }>;

const acquireOf = (taskId: string, holder: string): State => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::dynamodb:updateItem',
  Parameters: {
    TableName: '${RunTable}',
    Key: { pk: { S: 'POOL#warehouse' }, sk: { S: 'POOL' } },
    UpdateExpression: 'SET #h.#k = :v',
    ConditionExpression: 'attribute_exists(#h) AND (size(#h) < :max OR attribute_exists(#h.#k))',
    ExpressionAttributeNames: { '#h': 'holders', '#k.$': holder },
    ExpressionAttributeValues: {
      ':v': { M: { runId: { 'S.$': '$.run.runId' }, execution: { 'S.$': '$$.Execution.Name' } } },
      ':max': { N: '3' },
    },
  },
  ResultPath: null,
  Retry: [
    {
      ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
      IntervalSeconds: 1,
      MaxAttempts: 250,
      BackoffRate: 2,
      MaxDelaySeconds: 60,
    },
    {
      ErrorEquals: [
        'DynamoDB.ProvisionedThroughputExceededException',
        'DynamoDB.RequestLimitExceeded',
        'DynamoDB.ThrottlingException',
        'DynamoDB.InternalServerError',
        'DynamoDB.AmazonDynamoDBException',
      ],
      IntervalSeconds: 1,
      MaxAttempts: 6,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: 'FULL',
    },
  ],
  Catch: [
    {
      ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
      ResultPath: '$.err',
      Next: `${taskId} pool wait exceeded`,
    },
    { ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: `${taskId} failed` },
  ],
  Next: taskId,
});

describe('a pooled task', () => {
  const c = compiled(pooledDag());
  const states = c.definition.States;

  it('takes a slot first: a conditional UpdateItem retried while the pool is full, then a clear failure', () => {
    expect(c.definition.StartAt).toBe('extract pool slot');
    expect(states['extract pool slot']).toEqual(
      acquireOf('extract', "States.Format('{}#extract#-1', $.run.runId)"),
    );
    expect(states['extract pool wait exceeded']).toEqual({
      Type: 'Pass',
      Result: {
        Error: 'Updraft.PoolTimeout',
        Cause:
          'task "extract" waited over 4.1 h for one of the 3 slots of pool "warehouse", held all that time by other tasks; give the pool more slots, run fewer of its tasks at once (maxActiveRuns, maxConcurrency), or retry the run',
      },
      ResultPath: '$.err',
      Next: 'extract failed',
    });
  });

  it('gives it back after success, and after a failure or a timeout (both caught into the failure record)', () => {
    const body = states.extract as TaskState;
    expect(body.TimeoutSeconds).toBe(300);
    expect(body.Next).toBe('extract release slot');
    expect(body.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'extract failed' },
    ]);
    expect((states['extract failed'] as { Next?: string }).Next).toBe(
      'extract release slot (failed)',
    );
    const release = (next: string): State => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: '${RunTable}',
        Key: { pk: { S: 'POOL#warehouse' }, sk: { S: 'POOL' } },
        UpdateExpression: 'REMOVE #h.#k',
        ExpressionAttributeNames: {
          '#h': 'holders',
          '#k.$': "States.Format('{}#extract#-1', $.run.runId)",
        },
      },
      ResultPath: null,
      Retry: [
        {
          ErrorEquals: ['States.ALL'],
          IntervalSeconds: 1,
          MaxAttempts: 6,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
          JitterStrategy: 'FULL',
        },
      ],
      // A release DynamoDB keeps refusing does not stop the run: the recorder releases at its end.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }],
      Next: next,
    });
    const { Next: afterSuccess } = states['extract release slot'] as { Next: string };
    expect(states['extract release slot']).toEqual(release(afterSuccess));
    const { Next: afterFailure } = states['extract release slot (failed)'] as { Next: string };
    expect(states['extract release slot (failed)']).toEqual(release(afterFailure));
    expect(afterFailure).not.toBe(afterSuccess);
  });

  it('mapped: each instance takes its own slot inside the Map and keeps its answer aside until it gives it back', () => {
    const map = states.each as Extract<State, { Type: 'Map' }>;
    const items: StateMachine = map.ItemProcessor;
    expect(map.MaxConcurrency).toBeUndefined();
    expect(items.StartAt).toBe('each [pool slot]');
    expect(Object.keys(items.States)).toEqual([
      'each [pool slot]',
      'each [item]',
      'each [release slot]',
      'each [item failed]',
      'each [release slot (failed)]',
      'each [pool wait exceeded]',
      'each [released]',
    ]);
    const acquire = acquireOf(
      'each',
      "States.Format('{}#each#{}', $.run.runId, $.index)",
    ) as TaskState & { Catch: { Next: string }[] };
    acquire.Catch[0]!.Next = 'each [pool wait exceeded]';
    acquire.Catch[1]!.Next = 'each [item failed]';
    expect(items.States['each [pool slot]']).toEqual({ ...acquire, Next: 'each [item]' });
    expect(items.States['each [item]']).toMatchObject({
      ResultPath: '$.r',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'each [item failed]' }],
      Next: 'each [release slot]',
    });
    expect(items.States['each [item failed]']).toEqual({
      Type: 'Pass',
      Parameters: { s: 'failed', o: null, 'e.$': '$.err' },
      ResultPath: '$.r',
      Next: 'each [release slot (failed)]',
    });
    for (const name of ['each [release slot]', 'each [release slot (failed)]'])
      expect(items.States[name]).toMatchObject({
        Parameters: { UpdateExpression: 'REMOVE #h.#k' },
        OutputPath: '$.r',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'each [released]' }],
        End: true,
      });
    expect(items.States['each [released]']).toEqual({ Type: 'Pass', OutputPath: '$.r', End: true });
  });

  it('an operator takes one too; a time sensor, which runs nothing, takes none', () => {
    expect(states['send pool slot']).toMatchObject({ Next: 'send given?' });
    expect(
      Object.keys(states).filter((n) => /slot|pool|release/.test(n) && n.startsWith('later')),
    ).toEqual([]);
    expect(states.later).toMatchObject({ Type: 'Wait', Next: 'later reached' });
  });

  it('is valid ASL for both validators, and its table is a placeholder infra fills', async () => {
    expect(await aslProblems(c.json)).toEqual([]);
    expect(c.manifest.substitutions).toContain('RunTable');
    expect(c.manifest.states['extract pool slot']).toEqual({ tasks: ['extract'], role: 'acquire' });
    expect(c.manifest.states['extract release slot']).toEqual({
      tasks: ['extract'],
      role: 'release',
    });
    // Without pools nothing of this is there.
    const plain = compiled(pooledDag(false));
    expect(plain.manifest.substitutions).not.toContain('RunTable');
    expect(plain.json).not.toContain('dynamodb');
  });
});

describe('explain', () => {
  it('counts 2 more transitions per pooled task instance, the retries of instances waiting for each other, and what waiting costs', () => {
    const pooled = compiled(pooledDag()).analysis;
    const plain = compiled(pooledDag(false)).analysis;
    // extract and send: 2 each; each: 2 per instance (10 assumed).
    expect(pooled.transitions.allSuccess - plain.transitions.allSuccess).toBe(2 + 2 + 2 * 10);
    // 10 instances over 3 slots, a minute each: 3 wait 60 s (6 retries each), 3 wait 120 s (7), 1 waits 180 s (8).
    expect(pooled.transitions.poolWaits).toBe(3 * 6 + 3 * 7 + 8);
    expect(plain.transitions.poolWaits).toBe(0);
    expect(pooled.costPerRunUsd).toBeCloseTo((pooled.transitions.allSuccess + 47) * 0.000025, 12);
    expect(pooled.pools.waiting).toEqual({
      checkEverySeconds: 60,
      transitionsPerHour: 60,
      costPerHourUsd: 0.0015,
      historyEventsPerHour: 180,
      maxWaitSeconds: 63 + 244 * 60,
      maxWaitHistoryEvents: 750,
    });
    const e = explanation(compiled(pooledDag()), false);
    expect(poolLines(e)).toEqual([
      '',
      'Pools',
      '  warehouse (3 slots): extract, each, send — 2 more state transitions per task instance (take a slot, give it back)',
      "  each: its 10 instances wait for each other's slots: ~47 retries per run (counted above; a maxConcurrency of 3 makes them wait in the Map, for free)",
      '  waiting for a slot other runs hold: a retry at least every 60 s, 60 transitions ($0.0015) and 180 history events per hour of waiting; after 4.1 h the task fails (Updraft.PoolTimeout)',
    ]);
    expect(poolLines(explanation(compiled(pooledDag(false)), false))).toEqual([]);
  });

  it('matches what the engine counts running the machine when no instance waits', async () => {
    const roomy = pool('roomy', { slots: 10 });
    const d = dag('roomy', {}, () => {
      const list = task('list', { pool: roomy }, async () =>
        Array.from({ length: 10 }, (_, i) => i),
      )();
      task('each', { pool: roomy }, async (_c, n: number) => n).map(list);
    });
    const predicted = compiled(d).analysis;
    expect(predicted.transitions.poolWaits).toBe(0);
    const r = await runDag(d);
    expect(r.status).toBe('success');
    expect(r.transitions).toBe(predicted.transitions.allSuccess);
  });
});

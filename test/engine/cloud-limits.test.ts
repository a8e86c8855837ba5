/**
 * The engine refuses what Step Functions refuses, where aws-local-stepfunctions would not: a
 * Parallel whose branches return over 256 KiB together and a Map whose instances do (AWS counts
 * the result array before ResultSelector, and States.DataLimitExceeded cannot be caught), and a
 * field with more than 10 intrinsic functions (AWS refuses the definition). Each machine here is
 * written by hand so that its ResultSelector makes the state's output small: a lax engine runs it
 * to success.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR, dag, task } from '../../src/sdk/index.ts';
import { compileDag, type CompileResult } from '../../src/compiler/compile.ts';
import { runMachine } from '../../src/engine/run-machine.ts';
import { countIntrinsics } from '../../src/engine/intrinsic-limit.ts';
import { RUN } from '../compiler/harness.ts';

const holder = dag('limits', {}, () => {
  task('t', async () => null)();
});
const { ir } = buildDagIR(holder, 'limits.ts');

/** Run a hand-written machine with `params` in the run values (the execution input is `{ run, t: {} }`). */
function run(machine: object, params: Record<string, unknown>) {
  const compiled: CompileResult = { ...compileDag(ir), json: JSON.stringify(machine) };
  return runMachine({ dag: holder, ir, compiled, run: { ...RUN, dagId: 'limits', params } });
}

const big = 'x'.repeat(100 * 1024);

describe('cloud limits the engine enforces', () => {
  const parallel = (branches: number) => ({
    StartAt: 'fan',
    States: {
      fan: {
        Type: 'Parallel',
        Branches: Array.from({ length: branches }, (_, i) => ({
          StartAt: `b${i}`,
          States: { [`b${i}`]: { Type: 'Pass', End: true } },
        })),
        ResultSelector: { 'run.$': '$[0].run', 't.$': '$[0].t' },
        End: true,
      },
    },
  });

  it('a Parallel whose branches return 3 × 100 KiB fails with States.DataLimitExceeded, though its ResultSelector keeps one', async () => {
    const r = await run(parallel(3), { big });
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({
      error: 'States.DataLimitExceeded',
      cause: `the branches of Parallel state "fan" returned over 301 KiB together, over Step Functions' 256 KiB limit for a state's result (counted before its ResultSelector). Make the tasks in these branches return less: select fields, or write the data to S3 and return its key.`,
    });
  });

  it('the same Parallel with 2 branches (200 KiB) succeeds', async () => {
    const r = await run(parallel(2), { big });
    expect(r.status).toBe('success');
  });

  const map = {
    StartAt: 'each',
    States: {
      each: {
        Type: 'Map',
        ItemsPath: '$.run.params.items',
        ItemSelector: { 'big.$': '$.run.params.big' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'item',
          States: { item: { Type: 'Pass', End: true } },
        },
        ResultSelector: { 'n.$': 'States.ArrayLength($)' },
        ResultPath: '$.t.each',
        End: true,
      },
    },
  };

  it('a Map whose 3 instances return 100 KiB each fails with States.DataLimitExceeded, though its ResultSelector keeps a count', async () => {
    const r = await run(map, { big, items: [1, 2, 3] });
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({
      error: 'States.DataLimitExceeded',
      cause: `the instances of Map state "each" returned over 300 KiB together, over Step Functions' 256 KiB limit for a state's result (counted before its ResultSelector). Map over fewer items per run, or make each instance return less.`,
    });
  });

  it('the same Map over 2 items succeeds', async () => {
    const r = await run(map, { big, items: [1, 2] });
    expect(r.status).toBe('success');
    expect(r.document.t).toEqual({ each: { n: 2 } });
  });

  // A Distributed Map's instance is a child execution with limits of its own: past one (here its
  // 25,000 history events, counting down from n), that child fails — a failed instance, which
  // ToleratedFailureCount may allow — not the run.
  const distributed = (tolerated: number) => ({
    StartAt: 'each',
    States: {
      each: {
        Type: 'Map',
        ItemsPath: '$.run.params.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'down',
          States: {
            down: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, -1)' }, Next: 'more?' },
            'more?': {
              Type: 'Choice',
              Choices: [{ Variable: '$.n', NumericGreaterThan: 0, Next: 'down' }],
              Default: 'done',
            },
            done: { Type: 'Succeed' },
          },
        },
        ToleratedFailureCount: tolerated,
        ResultSelector: { 'arn.$': '$.MapRunArn' },
        ResultPath: '$.t.each',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.t.each', Next: 'caught' }],
        End: true,
      },
      caught: { Type: 'Pass', End: true },
    },
  });

  it("a Distributed Map's child past its history limit fails that child only: the Map Run tolerates it, or fails past its threshold", async () => {
    // Four events a round: 7,000 rounds pass 25,000 events; 2 rounds are a few.
    const items = [{ n: 2 }, { n: 7000 }, { n: 2 }];
    const tolerant = await run(distributed(1), { items });
    expect(tolerant.status).toBe('success');
    expect(tolerant.document.t.each).toEqual({ arn: expect.stringContaining(':mapRun:') });
    const strict = await run(distributed(0), { items });
    expect(strict.status).toBe('success'); // the Map's Catch took it
    expect(strict.document.t.each).toEqual({
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause:
        'The specified tolerated failure threshold was exceeded: 1 of 3 child executions of the Map Run of state "each" failed',
    });
  });

  const merges = (n: number) => {
    let field = '$.run';
    for (let i = 0; i < n; i++) field = `States.JsonMerge(${field}, $.t, false)`;
    return {
      StartAt: 'm',
      States: { m: { Type: 'Pass', Parameters: { 'run.$': '$.run', 't.$': field }, End: true } },
    };
  };

  it('a field with 11 intrinsic functions is refused before the run; 10 run', async () => {
    await expect(run(merges(11), {})).rejects.toThrow(
      'the state machine of DAG "limits" is not valid for Step Functions, which allows at most 10 intrinsic functions in one field: state "m" field "t.$" has 11 intrinsic functions',
    );
    expect((await run(merges(10), {})).status).toBe('success');
  });

  it('counts every call, nested or side by side, and none inside string literals (AWS: its example of nine)', () => {
    expect(
      countIntrinsics(
        "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
      ),
    ).toBe(9);
    expect(countIntrinsics("States.Format('States.Array(1) it\\'s {}', $.a)")).toBe(1);
  });
});

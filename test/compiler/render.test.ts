/**
 * Small inline expectations per state kind: what the compiler writes for a join gate, a failure
 * record, fused marks, a Parallel merge, a Map, a sensor loop, a time sensor and an operator —
 * and that it refuses DAGs over the cloud's limits with a message that says what to change.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR, dag, glueJob, group, sensor, task, timeSensor, type Dag } from './imports.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import type { State } from '../../src/compiler/asl.ts';
import { DagDefinitionError } from '../../src/errors.ts';

const noop = async () => null;

function states(d: Dag): Record<string, State> {
  const { ir } = buildDagIR(d, 'x.ts');
  const all: Record<string, State> = {};
  const walk = (m: { States: Record<string, State> }) => {
    for (const [k, v] of Object.entries(m.States)) {
      all[k] = v;
      if (v.Type === 'Parallel') v.Branches.forEach((b) => walk(b as never));
      if (v.Type === 'Map') walk(v.ItemProcessor as never);
    }
  };
  walk(compileDag(ir).definition as never);
  return all;
}

const diamond = () =>
  dag('diamond', {}, () => {
    const a = task('a', noop)();
    const d = task('d', { triggerRule: 'none_failed' }, noop)();
    a.then(task('b', noop)).then(d);
    a.then(task('c', noop)).then(d);
  });

describe('renderers', () => {
  it("a join's trigger rule is decided by the task runner from the upstream states; the Parallel merges the branches' records", () => {
    const s = states(diamond());
    // No Choice in front of d: its Task state hands the runner the states its rule reads, and
    // takes the runner's answer as the whole record (it may say skipped or upstream_failed).
    expect(s['d?']).toBeUndefined();
    expect(s.d).toMatchObject({
      Type: 'Task',
      Resource: '${TaskRunnerFunctionArn}',
      Parameters: {
        task: 'd',
        'run.$': '$.run',
        'done.$': '$.done',
        g: { 'b.$': '$.t.b.s', 'c.$': '$.t.c.s' },
      },
      ResultPath: '$.t.d',
      Next: 'run failed?',
    });
    expect(s.d).not.toHaveProperty('ResultSelector');
    // The first branch returns the document; the others only their own records (ownRecords).
    expect(s['parallel b…']).toMatchObject({
      Type: 'Parallel',
      ResultSelector: { 'run.$': '$[0].run', 't.$': 'States.JsonMerge($[0].t, $[1], false)' },
      Next: 'd',
    });
    expect(s.b).toMatchObject({ ResultPath: '$.t.b', End: true });
    // c ends its branch: the runner answers the branch's own records (`b` hands it the others:
    // none), which are the branch's output as they come (no ResultPath, no Pass to select them).
    expect(s.c).toMatchObject({
      Parameters: {
        task: 'c',
        'run.$': '$.run',
        'done.$': '$.done',
        g: { 'a.$': '$.t.a.s' },
        b: {},
      },
      End: true,
    });
    for (const field of ['ResultPath', 'ResultSelector', 'OutputPath'])
      expect(s.c).not.toHaveProperty(field);
    // c's Catch writes its error as its state; the Pass that ends the branch returns c's record.
    expect(s.c).toHaveProperty('Catch', [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.t.c.s', Next: 'c failed' },
    ]);
    expect(s['c failed']).toEqual({ Type: 'Pass', Parameters: { 'c.$': '$.t.c' }, End: true });
    expect(s.b).toHaveProperty('Catch', [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.t.b.s', Next: 'b failed' },
    ]);
    expect(s['b failed']).toEqual({ Type: 'Pass', End: true });
  });

  it('a task success goes straight on (one transition); a failure is recorded by the Catch, the error as the state, and goes on to the same states', () => {
    const s = states(diamond());
    // a has no upstream task: it runs, with nothing to decide (no g). The function is the
    // Resource: its answer (a's record) is the state's result, no ResultSelector.
    expect(s.a).toEqual(
      expect.objectContaining({
        Type: 'Task',
        Resource: '${TaskRunnerFunctionArn}',
        Parameters: { task: 'a', 'run.$': '$.run', 'done.$': '$.done' },
        ResultPath: '$.t.a',
        Next: 'parallel b…',
      }),
    );
    expect(s.a).not.toHaveProperty('ResultSelector');
    // Nothing but the task runner reads a's output: its Catch writes the error as its state, no
    // failure Pass (compiler/context failsInPlace). Downstream tasks answer upstream_failed
    // themselves: one copy of what follows, no marks.
    expect(s.a).toHaveProperty('Catch', [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.t.a.s', Next: 'parallel b…' },
    ]);
    expect(s['a failed']).toBeUndefined();
    expect(Object.keys(s).filter((n) => n.includes('upstream_failed'))).toEqual([]);
  });

  it('a mapped task checks its list, maps with a concurrency cap and aggregates its instances', () => {
    const s = states(
      dag('m', {}, () => {
        const each = task('each', { maxConcurrency: 3 }, async (_c, x: number) => x);
        each.map(task('list', async () => [1, 2])());
      }),
    );
    expect(s['each has items?']).toEqual({
      Type: 'Choice',
      Choices: [
        { Not: { Variable: '$.t.list.o', IsPresent: true }, Next: 'each list missing' },
        {
          And: [
            { Not: { Variable: '$.t.list.o', IsString: true } },
            { Variable: '$.t.list.o[0]', IsPresent: true },
          ],
          Next: 'each',
        },
        // Resumed with the instances still to run listed apart: a Distributed Map over those.
        {
          And: [
            { Variable: '$.t.list.o.key', IsPresent: true },
            { Variable: '$.done.each.p.key', IsPresent: true },
          ],
          Next: 'each [pending]',
        },
        // A long list the runner put in the payload bucket: a Distributed Map reads it there.
        {
          And: [
            { Variable: '$.t.list.o.key', IsPresent: true },
            { Variable: '$.t.list.o.bytes', IsPresent: true },
          ],
          Next: 'each [from bucket]',
        },
      ],
      Default: 'each list as text',
    });
    // No first item: an empty list skips the task, anything else fails it (told apart by its JSON text).
    expect(s['each list as text']).toEqual({
      Type: 'Pass',
      Parameters: { 'j.$': 'States.JsonToString($.t.list.o)' },
      ResultPath: '$.t.each',
      Next: 'each empty list?',
    });
    expect(s['each empty list?']).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.t.each.j', StringEquals: '[]', Next: 'each skipped' }],
      Default: 'each not a list',
    });
    expect(s['each list missing']).toEqual({
      Type: 'Pass',
      Result: { j: 'nothing (no such field)' },
      ResultPath: '$.t.each',
      Next: 'each not a list',
    });
    expect(s['each not a list']).toMatchObject({
      Type: 'Pass',
      Parameters: {
        s: 'mapped',
        o: null,
        n: 1,
        f: true,
        a: false,
        e: { Error: 'Updraft.NotAList' },
      },
      ResultPath: '$.t.each',
    });
    expect(s.each).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.t.list.o',
      MaxConcurrency: 3,
      ResultSelector: {
        s: 'mapped',
        'o.$': '$[*].o',
        'n.$': 'States.ArrayLength($)',
        'f.$': "States.ArrayContains($[*].s, 'failed')",
        'a.$': "States.ArrayContains($[*].s, 'success')",
      },
    });
  });

  it('a list in the payload bucket is mapped by a Distributed Map, whose results the runner collects', () => {
    const s = states(
      dag('m', {}, () => {
        const each = task('each', { maxConcurrency: 3 }, async (_c, x: number) => x);
        each.map(task('list', async () => [1, 2])());
      }),
    );
    // What the Distributed Map reads is chosen into the task's record: the whole list, or a
    // resumed run's instances still to run (`{ i, v }` each, which the runner unwraps).
    expect(s['each [from bucket]']).toEqual({
      Type: 'Pass',
      Parameters: { 'key.$': '$.t.list.o.key', p: false },
      ResultPath: '$.t.each',
      Next: 'each [distributed]',
    });
    expect(s['each [pending]']).toEqual({
      Type: 'Pass',
      Parameters: { 'key.$': '$.done.each.p.key', p: true },
      ResultPath: '$.t.each',
      Next: 'each [distributed]',
    });
    expect(s['each [distributed]']).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: '${PayloadBucket}', 'Key.$': '$.t.each.key' },
      },
      ItemSelector: {
        'item.$': '$$.Map.Item.Value',
        'index.$': '$$.Map.Item.Index',
        'pending.$': '$.t.each.p',
      },
      MaxConcurrency: 3,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'each [item] (bucket)',
      },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: '${PayloadBucket}', 'Prefix.$': '$.run.runId' },
      },
      ResultSelector: { 'm.$': '$.ResultWriterDetails.Key' },
      ResultPath: '$.t.each',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'each map run failed' }],
      Next: 'each collect',
    });
    expect(s['each [distributed]']).not.toHaveProperty('ItemsPath');
    const item = (s['each [distributed]'] as { ItemProcessor: { States: Record<string, unknown> } })
      .ItemProcessor.States['each [item] (bucket)'];
    expect(item).toMatchObject({ Parameters: { Payload: { 'pending.$': '$.pending' } } });
    expect(s['each collect']).toMatchObject({
      Type: 'Task',
      Resource: '${TaskRunnerFunctionArn}',
      Parameters: {
        task: 'each',
        'run.$': '$.run',
        'collect.$': '$.t.each.m',
        'done.$': '$.done',
      },
      ResultPath: '$.t.each',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'each map run failed' }],
    });
    // The inline Map and the bucket's go on to the same state.
    expect(s['each collect']).toHaveProperty('Next', (s.each as { Next: string }).Next);
    expect(s['each map run failed']).toMatchObject({
      Parameters: { s: 'mapped', o: null, n: 1, f: true, a: false, 'e.$': '$.err' },
      ResultPath: '$.t.each',
    });
  });

  it('a mapped task over 40 at once, or tolerating failures, is always a Distributed Map; a tolerated failure fails its child execution', () => {
    const s = states(
      dag('m', {}, () => {
        const wide = task('wide', { maxConcurrency: 100 }, async (_c, x: number) => x);
        const lax = task('lax', { toleratedFailures: '10%' }, async (_c, x: number) => x);
        wide.map([1, 2, 3]);
        lax.map([1, 2, 3]);
      }),
    );
    expect(s.wide).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.t.wide.l',
      MaxConcurrency: 100,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      Next: 'wide collect',
    });
    expect(s.wide).not.toHaveProperty('ToleratedFailurePercentage');
    // A literal list is never in the bucket.
    expect(s['wide [from bucket]']).toBeUndefined();
    expect(s.lax).toMatchObject({ ToleratedFailurePercentage: 10 });
    const processor = (s.lax as { ItemProcessor: { States: Record<string, unknown> } })
      .ItemProcessor.States;
    expect(processor['lax [item failed]']).toMatchObject({ Next: 'lax [instance failed]' });
    expect(processor['lax [instance failed]']).toEqual({
      Type: 'Fail',
      ErrorPath: '$.e.Error',
      CausePath: '$.e.Cause',
    });
  });

  it("over a list in the bucket, a tolerated percentage is the record's: the whole list's, or a resumed run's scaled by runtime/resume", () => {
    const s = states(
      dag('m', {}, () => {
        const files = task('files', async () => [1, 2, 3]);
        task('lax', { toleratedFailures: '10%' }, async (_c, x: number) => x).map(files());
      }),
    );
    expect(s['lax [distributed]']).toMatchObject({ ToleratedFailurePercentagePath: '$.t.lax.tp' });
    expect(s['lax [distributed]']).not.toHaveProperty('ToleratedFailurePercentage');
    expect(s['lax [from bucket]']).toMatchObject({
      Parameters: { 'key.$': '$.t.files.o.key', p: false, tp: 10 },
    });
    expect(s['lax [pending]']).toMatchObject({
      Parameters: { 'key.$': '$.done.lax.p.key', p: true, 'tp.$': '$.done.lax.p.tp' },
    });
  });

  it('a sensor pokes, checks and waits in the state machine', () => {
    const s = states(
      dag(
        's',
        {},
        () =>
          void sensor(
            'ready',
            { pokeInterval: '1m', timeout: '1h', softFail: true },
            async () => true,
          )(),
      ),
    );
    expect(s['ready done?']).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.t.ready.s', StringEquals: 'success', Next: 'run succeeded' },
        { Variable: '$.t.ready.s', StringEquals: 'poking', Next: 'ready wait' },
      ],
      Default: 'ready skipped',
    });
    expect(s['ready wait']).toEqual({ Type: 'Wait', SecondsPath: '$.t.ready.wait', Next: 'ready' });
    expect(states(dag('t', {}, () => void timeSensor('six', { after: '6h' }))).six).toEqual({
      Type: 'Wait',
      TimestampPath: '$.run.timers.six',
      Next: 'six reached',
    });
  });

  it('a native operator is a service integration with its own retry policy', () => {
    const s = states(
      dag(
        'o',
        {},
        () => void glueJob('crunch', { jobName: 'nightly', retry: { attempts: 2, delay: '1m' } }),
      ),
    );
    expect(s.crunch).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::glue:startJobRun.sync',
      Parameters: { JobName: 'nightly' },
      ResultSelector: { s: 'success', o: { 'jobRunId.$': '$.Id' } },
      Retry: [
        { ErrorEquals: ['Updraft.PermanentError'], MaxAttempts: 0 },
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 60, MaxAttempts: 1, BackoffRate: 1 },
      ],
    });
  });
});

describe('limits', () => {
  it('refuses a DAG whose worst case exceeds 25,000 history events', () => {
    const d = dag(
      'pokes_forever',
      {},
      () => void sensor('wait', { pokeInterval: '1s', timeout: '2d' }, async () => false)(),
    );
    const { ir } = buildDagIR(d, 'x.ts');
    expect(refusalCodes(() => compileDag(ir))).toEqual(['history-over-limit']);
    expect(() => compileDag(ir)).toThrow(
      /^DAG "pokes_forever" can produce up to [\d,]+ execution history events \(every retry, sensor poke and group attempt\), over Step Functions' limit of 25,000\. Lower retry attempts, lengthen sensor poke intervals \(or shorten their timeouts\), or split the DAG with triggerDag\(\)\.$/,
    );
  });

  it('refuses a definition over 1 MiB that cutting into parts cannot help, and explains how to split it', () => {
    // 1,600 tasks in one retried group: a group retry re-runs its states in one execution, so
    // the group is never cut (compiler/parts), and its 1,600 tasks are over 1 MiB.
    const d = dag('huge', {}, () => {
      group('all', { retry: { attempts: 2, delay: '1m' } }, () => {
        const start = task('start', noop)();
        for (let c = 0; c < 40; c++) {
          let prev = start;
          for (let i = 0; i < 40; i++) prev = prev.then(task(`c${c}_${i}`, noop));
        }
      });
    });
    const { ir } = buildDagIR(d, 'x.ts');
    let refused: unknown;
    try {
      compileDag(ir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DagDefinitionError);
    expect((refused as Error).message).toMatch(
      /^DAG "huge" compiles to (\d+) KiB of ASL, over Step Functions' 1 MiB definition limit\. Split it: move a part into its own DAG and start it with triggerDag\(\), or reduce the number of tasks\.$/,
    );
    expect(Number(/(\d+) KiB/.exec((refused as Error).message)![1])).toBeGreaterThan(1024);
    expect((refused as DagDefinitionError).problems.map((p) => p.code)).toEqual([
      'definition-over-limit',
    ]);
  });
});

/** The codes of the problems a compiler refusal carries (what `updraft validate` reports). */
function refusalCodes(compile: () => unknown): string[] {
  try {
    compile();
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    return (error as DagDefinitionError).problems.map((p) => p.code);
  }
  throw new Error('the compiler did not refuse the DAG');
}

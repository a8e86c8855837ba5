/**
 * Conformance: data passing on compiled machines. Return values flow to downstream tasks
 * (whole, or a field with `.get()`), nested objects and arrays of references are assembled
 * into arguments, and run values (ds, logical date, data interval, params) reach the context.
 */
import { expect } from 'vitest';
import { chain, dag, format, lambdaInvoke, param, runValues, task } from 'updraft';
import { defineCases } from '../case.ts';

export const data = defineCases('data', (it) => {
  it('passes outputs through several tasks, whole and by .get() paths', async (run) => {
    const d = dag('data_chain', {}, () => {
      const extract = task('extract', async () => ({
        rows: [{ id: 1 }, { id: 2 }],
        meta: { source: 'pg', stats: { count: 2 } },
      }))();
      const count = task(
        'count',
        async (_ctx, n: number) => n + 1,
      )(extract.get('meta').get('stats').get('count'));
      const first = task(
        'first',
        async (_ctx, row: { id: number }) => row.id,
      )(extract.get('rows').get(0));
      const src = task('src', async (_ctx, s: string) => s.toUpperCase())(
        extract.get('meta').get('source'),
      );
      task('summary', async (_ctx, c: number, f: number, s: string) => `${s}:${c}:${f}`)(
        count,
        first,
        src,
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({
      extract: 'success',
      count: 'success',
      first: 'success',
      src: 'success',
      summary: 'success',
    });
    expect(r.tasks.count!.output).toBe(3);
    expect(r.tasks.first!.output).toBe(1);
    expect(r.tasks.summary!.output).toBe('PG:3:1');
    expect(r.started[0]).toBe('extract');
    expect(r.started.at(-1)).toBe('summary');
  });

  it('nested objects and arrays of outputs as arguments', async (run) => {
    const d = dag('data_nested', {}, () => {
      const a = task('a', async () => ({ n: 1, tags: ['x', 'y'] }))();
      const b = task('b', async () => 'bee')();
      task(
        'combine',
        async (
          _ctx,
          arg: {
            first: number;
            both: [string, { n: number; tags: string[] }];
            lit: { deep: number[] };
            tag: string;
          },
        ) => arg,
      )({
        first: a.get('n'),
        both: [b, a],
        lit: { deep: [1, 2, 3] },
        tag: a.get('tags').get(1),
      });
    });
    const r = await run(d);
    expect(r.tasks.combine!.output).toEqual({
      first: 1,
      both: ['bee', { n: 1, tags: ['x', 'y'] }],
      lit: { deep: [1, 2, 3] },
      tag: 'y',
    });
  });

  it('the same output feeds several tasks; a diamond joins two outputs', async (run) => {
    const d = dag('data_diamond', {}, () => {
      const base = task('base', async () => 10)();
      const plus = task('plus', async (_ctx, x: number) => x + 1)(base);
      const times = task('times', async (_ctx, x: number) => x * 2)(base);
      task('join', async (_ctx, p: number, t: number, b: number) => [p, t, b])(plus, times, base);
    });
    const r = await run(d);
    expect(r.tasks.join!.output).toEqual([11, 20, 10]);
    expect(r.states).toEqual({
      base: 'success',
      plus: 'success',
      times: 'success',
      join: 'success',
    });
  });

  it('null, false, 0 and empty string outputs are passed as they are', async (run) => {
    const d = dag('data_falsy', {}, () => {
      const z = task('zero', async () => 0)();
      const f = task('no', async () => false)();
      const e = task('empty', async () => '')();
      const n = task('nothing', async () => null)();
      task('collect', async (_ctx, ...xs: unknown[]) => xs)(z, f, e, n);
    });
    const r = await run(d);
    expect(r.tasks.collect!.output).toEqual([0, false, '', null]);
  });

  it('a task returning undefined passes null downstream', async (run) => {
    const d = dag('data_undefined', {}, () => {
      const v = task('void', async () => undefined)();
      task('see', async (_ctx, x: unknown) => ({ got: x === null ? 'null' : typeof x }))(v);
    });
    const r = await run(d);
    expect(r.tasks.see!.output).toEqual({ got: 'null' });
  });

  it('explicit edges order tasks without passing data', async (run) => {
    const order: string[] = [];
    const d = dag('data_explicit', {}, () => {
      chain(
        task('a', async () => {
          order.push('a');
          return 'A';
        }),
        task('b', async (_ctx, ...args: unknown[]) => {
          order.push('b');
          return args.length;
        }),
      );
    });
    const r = await run(d);
    expect(order).toEqual(['a', 'b']);
    expect(r.tasks.b!.output).toBe(0);
  });

  it('run values reach the task context: ds, logical date, data interval, run id, dag id', async (run) => {
    // A daily schedule: the data interval is the day (a DAG without one runs for an instant).
    const d = dag('data_ctx', { schedule: '@daily' }, () => {
      task('ctx', async (ctx) => ({
        dagId: ctx.dagId,
        runId: ctx.runId,
        taskId: ctx.taskId,
        ds: ctx.ds,
        logicalDate: ctx.logicalDate.toISOString(),
        start: ctx.dataInterval.start.toISOString(),
        end: ctx.dataInterval.end.toISOString(),
        attempt: ctx.attempt,
        triggeredBy: ctx.triggeredBy,
        mapIndex: ctx.mapIndex ?? null,
      }))();
    });
    const r = await run(d);
    expect(r.tasks.ctx!.output).toEqual({
      dagId: 'data_ctx',
      runId: 'data_ctx-2026-11-20T00-00-00Z',
      taskId: 'ctx',
      ds: '2026-11-20',
      logicalDate: '2026-11-20T00:00:00.000Z',
      start: '2026-11-20T00:00:00.000Z',
      end: '2026-11-21T00:00:00.000Z',
      attempt: 1,
      triggeredBy: 'manual',
      mapIndex: null,
    });
  });

  it('params given to the run reach ctx.params', async (run) => {
    const d = dag(
      'data_params',
      {
        params: {
          table: param.string({ default: 'orders' }),
          limit: param.integer({ default: 10 }),
        },
      },
      () => {
        task('read', async (ctx) => `${String(ctx.params.table)}:${String(ctx.params.limit)}`)();
      },
    );
    const r = await run(d, { params: { table: 'customers', limit: 5 } });
    expect(r.tasks.read!.output).toBe('customers:5');
  });

  // Every runner checks and defaults params against the declared ones, as the launcher does on trigger.
  it('params reach mapped instances too', async (run) => {
    const d = dag('data_params_mapped', { params: { env: param.string() } }, () => {
      task('m', async (ctx, x: number) => `${x}@${String(ctx.params.env)}`).map([1, 2]);
    });
    const r = await run(d, { params: { env: 'prod' } });
    expect(r.tasks.m!.output).toEqual(['1@prod', '2@prod']);
  });

  it('run values and format templates as task arguments', async (run) => {
    const d = dag('data_run_values_args', { params: { full: param.boolean() } }, () => {
      const up = task('up', async () => ({ table: 'orders' }))();
      task(
        't',
        async (_ctx, ds: string, start: string, path: string, p: Record<string, unknown>) => ({
          ds,
          start,
          path,
          p,
        }),
      )(
        runValues.ds,
        runValues.dataIntervalStart,
        format`s3://lake/${up.get('table')}/${runValues.ds}/`,
        runValues.params,
      );
    });
    const r = await run(d, { params: { full: true } });
    expect(r.tasks.t!.output).toEqual({
      ds: '2026-11-20',
      start: '2026-11-20T00:00:00.000Z',
      path: 's3://lake/orders/2026-11-20/',
      p: { full: true },
    });
  });

  it('mapped instances see their index in ctx.mapIndex', async (run) => {
    const d = dag('data_map_index', {}, () => {
      task('m', async (ctx, x: string) => `${ctx.mapIndex}:${x}`).map(['a', 'b', 'c']);
    });
    const r = await run(d);
    expect(r.tasks.m!.output).toEqual(['0:a', '1:b', '2:c']);
  });

  it('a large-ish output (10k items) passes through', async (run) => {
    const d = dag('data_large', {}, () => {
      const big = task('big', async () => Array.from({ length: 10_000 }, (_, i) => i))();
      task('sum', async (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0))(big);
    });
    const r = await run(d);
    expect(r.tasks.sum!.output).toBe(49_995_000);
  });

  it('an output over 256 KiB reaches downstream while the state document stays under 256 KiB', async (run) => {
    const d = dag('data_over_limit', {}, () => {
      const big = task('big', async () => 'x'.repeat(300 * 1024))();
      task('len', async (_ctx, s: string) => s.length)(big);
    });
    const r = await run(d);
    expect(r.tasks.len!.output).toBe(300 * 1024);
    // The state document holds the recorded outputs, references to the payload store, not the values.
    expect(JSON.stringify(r.tasks).length).toBeLessThan(256 * 1024);
    expect(r.tasks.big!.output).toEqual({
      $ref: expect.stringMatching(/^memory:\/\/.+big-1\.json$/),
      bytes: 300 * 1024 + 2,
    });
  });

  it('a list of over 244 items that a mapped task iterates goes to the payload store, where a Distributed Map reads it', async (run) => {
    const d = dag('data_big_list', {}, () => {
      const files = task('files', async () =>
        Array.from({ length: 1200 }, (_, i) => `inbox/2026-11-20/file-${i}.csv`),
      )();
      const count = task('count', async (_ctx, f: string) => f.length).map(files);
      task('total', async (_ctx, lengths: number[]) => lengths.reduce((a, b) => a + b, 0))(count);
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    // The state document holds a reference to the list, with its key for the Map's ItemReader.
    expect(r.tasks.files!.output).toEqual({
      $ref: expect.stringMatching(/^memory:\/\/.+files-1-list0\.json$/),
      bytes: expect.any(Number),
      key: expect.stringMatching(/files-1-list0\.json$/),
      items: 1200,
    });
    expect(r.tasks.count!.mapped).toEqual({ count: 1200, failed: 0 });
    // The instances' outputs, collected from the Map Run's results in item order, by reference too.
    expect(r.tasks.count!.output).toMatchObject({ items: 1200 });
    const lengths = Array.from({ length: 1200 }, (_, i) => `inbox/2026-11-20/file-${i}.csv`.length);
    expect(r.tasks.total!.output).toBe(lengths.reduce((a, b) => a + b, 0));
  });

  it('a list of at most 244 items stays in the document, and an inline Map reads it there', async (run) => {
    const d = dag('data_short_list', {}, () => {
      const files = task('files', async () => Array.from({ length: 244 }, (_, i) => `f-${i}`))();
      task('count', async (_ctx, f: string) => f.length).map(files);
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.tasks.files!.output).toHaveLength(244);
    expect(r.tasks.count!.output).toHaveLength(244);
  });

  it('an operator response over 256 KiB fails the run with States.DataLimitExceeded, as on AWS', async (run) => {
    const d = dag('data_operator_over_limit', {}, () => {
      chain(
        lambdaInvoke('inv', { functionName: 'f' }),
        task('after', async () => 1),
      );
    });
    const r = await run(d, { overrides: { inv: () => ({ Payload: 'y'.repeat(300 * 1024) }) } });
    expect(r.status).toBe('failed');
    expect(r.error?.error).toBe('States.DataLimitExceeded');
    expect(r.error?.cause).toMatch(
      /^the output of state "inv" is 300 KiB, over Step Functions' 256 KiB limit/,
    );
    expect(r.started).toEqual(['inv']);
  });

  it('mapped results feed a field-path argument of a later task', async (run) => {
    const d = dag('data_map_then_get', {}, () => {
      const m = task('m', async (_ctx, x: number) => ({ v: x * 2 })).map([1, 2]);
      task('second', async (_ctx, s: { v: number }) => s.v)(m.get(1));
    });
    const r = await run(d);
    expect(r.tasks.second!.output).toBe(4);
  });
});

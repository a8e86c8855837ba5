/**
 * The authoring SDK turns what a DAG file says into IR: ids, edges (data and explicit), groups,
 * mapping, branches, sensors, operators, retries and defaults. Each test builds a DAG inline
 * and asserts the IR it produces.
 */
import { describe, expect, it } from 'vitest';
import {
  branch,
  buildDagIR,
  chain,
  cron,
  crossDownstream,
  dag,
  dataset,
  externalDagSensor,
  format,
  group,
  lambdaInvoke,
  manual,
  notify,
  onDatasets,
  allOf,
  anyOf,
  param,
  pool,
  rate,
  runValues,
  s3KeySensor,
  sensor,
  setup,
  shortCircuit,
  task,
  teardown,
  timeSensor,
  triggerDag,
  type Dag,
  type DagOptions,
} from '../../src/sdk/index.ts';
import type { DagIR, Problem } from '../../src/ir/types.ts';
import { awsScheduleOf, describeSchedule } from '../../src/schedule/index.ts';

function build(d: Dag): { ir: DagIR; problems: Problem[]; edges: string[] } {
  const { ir, problems } = buildDagIR(d, 'dags/test.ts');
  return {
    ir,
    problems,
    edges: ir.edges.map((e) => `${e.from}->${e.to}${e.kind === 'data' ? ' (data)' : ''}`).sort(),
  };
}

const noop = async () => null;

describe('tasks and edges', () => {
  it('TaskFlow calls create data edges with the argument references', () => {
    const { ir, problems, edges } = build(
      dag('etl', {}, () => {
        const extract = task('extract', async () => ({ rows: 3, key: 'k' }));
        const check = task(
          'check',
          async (_ctx, rows: number, key: string) => rows > 0 && key !== '',
        );
        const e = extract();
        check(e.get('rows'), e.get('key'));
      }),
    );
    expect(problems).toEqual([]);
    expect(edges).toEqual(['extract->check (data)']);
    expect(ir.tasks.find((t) => t.id === 'check')!.args).toEqual([
      { kind: 'output', task: 'extract', path: ['rows'] },
      { kind: 'output', task: 'extract', path: ['key'] },
    ]);
  });

  it('nested references in objects and arrays become object/array values', () => {
    const { ir, edges } = build(
      dag('nested', {}, () => {
        const a = task('a', async () => 1);
        const b = task('b', async () => 'x');
        const c = task(
          'c',
          async (_ctx, input: { n: number; list: string[]; fixed: boolean }) => input,
        );
        c({ n: a(), list: [b(), 'lit'], fixed: true });
      }),
    );
    expect(edges).toEqual(['a->c (data)', 'b->c (data)']);
    expect(ir.tasks.find((t) => t.id === 'c')!.args[0]).toEqual({
      kind: 'object',
      fields: {
        n: { kind: 'output', task: 'a', path: [] },
        list: {
          kind: 'array',
          items: [
            { kind: 'output', task: 'b', path: [] },
            { kind: 'literal', value: 'lit' },
          ],
        },
        fixed: { kind: 'literal', value: true },
      },
    });
  });

  it('then, chain with fan-out/fan-in and pairwise lists, crossDownstream, string ids', () => {
    const { edges, problems } = build(
      dag('shape', {}, () => {
        const [a, b, c, d, e, f, g, h] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) =>
          task(id, noop),
        );
        a!().then(b!, c!);
        chain(b!, [d!, e!], f!);
        chain([d!, e!], [g!, h!]);
        crossDownstream([g!, h!], ['f']);
      }),
    );
    expect(problems).toEqual([]);
    expect(edges).toEqual([
      'a->b',
      'a->c',
      'b->d',
      'b->e',
      'd->f',
      'd->g',
      'e->f',
      'e->h',
      'g->f',
      'h->f',
    ]);
  });

  it('then(taskFn) reuses the single instance and returns it for chaining', () => {
    const { edges, ir } = build(
      dag('chained', {}, () => {
        const a = task('a', noop);
        const b = task('b', noop);
        const c = task('c', noop);
        b();
        a().then(b).then(c);
      }),
    );
    expect(ir.tasks.map((t) => t.id)).toEqual(['b', 'a', 'c']);
    expect(edges).toEqual(['a->b', 'b->c']);
  });

  it('calling a declaration twice creates id__1 (Airflow style)', () => {
    const { ir } = build(
      dag('twice', {}, () => {
        const ping = task('ping', async (_ctx, host: string) => host);
        ping('a');
        ping('b');
        ping('c');
      }),
    );
    expect(ir.tasks.map((t) => t.id)).toEqual(['ping', 'ping__1', 'ping__2']);
    expect(ir.tasks.map((t) => t.args)).toEqual([
      [{ kind: 'literal', value: 'a' }],
      [{ kind: 'literal', value: 'b' }],
      [{ kind: 'literal', value: 'c' }],
    ]);
  });

  it('an async build function (awaiting a task) is reported, and nothing runs later', async () => {
    const d = dag('awaited', {}, async () => {
      const a = task('a', noop);
      // @ts-expect-error tasks are not promises: TypeScript already refuses this await
      await a();
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const { problems } = build(d);
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      [
        'build-failed',
        'the build function of dag("awaited") is async; it must be synchronous (tasks run later, on the state machine). Remove "async" and any await from it.',
      ],
    ]);
  });
});

describe('groups', () => {
  it('prefixes ids, nests, inherits defaults and expands edges to first/last tasks', () => {
    const { ir, edges, problems } = build(
      dag('groups', { retry: { attempts: 2, delay: '1m' } }, () => {
        const start = task('start', noop);
        const end = task('end', noop);
        const g = group(
          'transform',
          {
            retry: { attempts: 2 },
            defaults: { timeout: '5m', retry: { attempts: 5, delay: '10s' } },
          },
          () => {
            const x = task('x', noop);
            const y = task('y', { retry: false }, noop);
            group('inner', () => {
              task('z', noop)();
            });
            x().then(y);
          },
        );
        start().then(g).then(end);
      }),
    );
    expect(problems).toEqual([]);
    expect(ir.tasks.map((t) => [t.id, t.group ?? null])).toEqual([
      ['transform.inner.z', 'transform.inner'],
      ['transform.x', 'transform'],
      ['transform.y', 'transform'],
      ['start', null],
      ['end', null],
    ]);
    expect(ir.groups).toEqual([
      {
        id: 'transform',
        retry: { attempts: 2, delaySeconds: 300, backoffRate: 1, jitter: 'none' },
      },
      { id: 'transform.inner', parent: 'transform' },
    ]);
    expect(edges).toEqual([
      'start->transform.inner.z',
      'start->transform.x',
      'transform.inner.z->end',
      'transform.x->transform.y',
      'transform.y->end',
    ]);
    const byId = new Map(ir.tasks.map((t) => [t.id, t]));
    expect(byId.get('transform.x')!.retry).toEqual({
      attempts: 5,
      delaySeconds: 10,
      backoffRate: 1,
      jitter: 'none',
    });
    expect(byId.get('transform.x')!.timeoutSeconds).toBe(300);
    expect(byId.get('transform.y')!.retry).toBeUndefined();
    expect(byId.get('transform.inner.z')!.retry).toEqual({
      attempts: 5,
      delaySeconds: 10,
      backoffRate: 1,
      jitter: 'none',
    });
    expect(byId.get('start')!.retry).toEqual({
      attempts: 2,
      delaySeconds: 60,
      backoffRate: 1,
      jitter: 'none',
    });
  });
});

describe('mapping, branching, short-circuit, setup/teardown', () => {
  it('map() records the list, the argument position and maxConcurrency', () => {
    const { ir, edges, problems } = build(
      dag('mapped', {}, () => {
        const list = task('list', async () => ['a', 'b']);
        const each = task(
          'each',
          { maxConcurrency: 4 },
          async (_ctx, item: string, suffix: string) => item + suffix,
        );
        const all = task('all', async (_ctx, results: string[]) => results.length);
        all(each.map(list(), '!'));
      }),
    );
    expect(problems).toEqual([]);
    expect(edges).toEqual(['each->all (data)', 'list->each (data)']);
    expect(ir.tasks.find((t) => t.id === 'each')!.mapping).toEqual({
      over: { kind: 'output', task: 'list', path: [] },
      argIndex: 0,
      maxConcurrency: 4,
    });
    expect(ir.tasks.find((t) => t.id === 'each')!.args).toEqual([
      { kind: 'output', task: 'list', path: [] },
      { kind: 'literal', value: '!' },
    ]);
  });

  it('toleratedFailures: a count or a percentage on a mapped task; anything else, or on a task not mapped, is an error saying the fix', () => {
    const { ir, problems } = build(
      dag('tolerant', {}, () => {
        task('few', { toleratedFailures: 3 }, async (_c, n: number) => n).map([1]);
        task('some', { toleratedFailures: '12.5%' }, async (_c, n: number) => n).map([1]);
      }),
    );
    expect(problems).toEqual([]);
    expect(ir.tasks.map((t) => t.mapping?.toleratedFailures)).toEqual([
      { count: 3 },
      { percent: 12.5 },
    ]);
    const bad = build(
      dag('intolerant', {}, () => {
        task('neg', { toleratedFailures: -1 }, async (_c, n: number) => n).map([1]);
        task('pct', { toleratedFailures: '120%' as `${number}%` }, async (_c, n: number) => n).map([
          1,
        ]);
        task('plain', { toleratedFailures: 1 }, async () => 1)();
      }),
    ).problems;
    expect(bad.map((p) => [p.code, p.message, p.hint])).toEqual([
      [
        'invalid-tolerated-failures',
        'task "neg" toleratedFailures is -1 but must be a whole number of instances (0 or more) or a percentage from 0% to 100%',
        "e.g. toleratedFailures: 3, or toleratedFailures: '5%'",
      ],
      [
        'invalid-tolerated-failures',
        'task "pct" toleratedFailures is "120%" but must be a whole number of instances (0 or more) or a percentage from 0% to 100%',
        "e.g. toleratedFailures: 3, or toleratedFailures: '5%'",
      ],
      [
        'tolerated-failures-unmapped',
        'task "plain" sets toleratedFailures but is not mapped: only a mapped task\'s instances can fail apart',
        'map it with plain.map(list), or remove toleratedFailures and use retry',
      ],
    ]);
  });

  it('branch records its choices; shortCircuit its downstream mode', () => {
    const { ir, problems } = build(
      dag('branchy', {}, () => {
        const pick = branch('pick', { choices: ['left', 'right'] }, async () => 'left' as const);
        const gate = shortCircuit(
          'gate',
          { ignoreDownstreamTriggerRules: false },
          async () => true,
        );
        const left = task('left', noop);
        const right = task('right', noop);
        const join = task('join', { triggerRule: 'none_failed_min_one_success' }, noop);
        chain(gate, pick, [left, right], join);
      }),
    );
    expect(problems).toEqual([]);
    const byId = new Map(ir.tasks.map((t) => [t.id, t]));
    expect(byId.get('pick')!.body).toEqual({ kind: 'branch', choices: ['left', 'right'] });
    expect(byId.get('gate')!.body).toEqual({
      kind: 'short_circuit',
      ignoreDownstreamTriggerRules: false,
    });
    expect(byId.get('join')!.triggerRule).toBe('none_failed_min_one_success');
  });

  it('teardown runs after its setups with a fixed rule', () => {
    const { ir, edges, problems } = build(
      dag('st', {}, () => {
        const create = setup('create', noop);
        const work = task('work', noop);
        const drop = teardown('drop', { setups: [create] }, noop);
        create().then(work).then(drop);
      }),
    );
    expect(problems).toEqual([]);
    expect(edges).toEqual(['create->drop', 'create->work', 'work->drop']);
    const byId = new Map(ir.tasks.map((t) => [t.id, t]));
    expect(byId.get('create')!.role).toEqual({ kind: 'setup' });
    expect(byId.get('drop')!.role).toEqual({
      kind: 'teardown',
      setups: ['create'],
      onFailureFailDagrun: false,
    });
    expect(byId.get('drop')!.triggerRule).toBe('all_done');
  });
});

describe('sensors and operators', () => {
  it('sensor timing, built-in checks, and templated keys', () => {
    const { ir, problems } = build(
      dag('sensors', {}, () => {
        const ready = sensor(
          'ready',
          {
            pokeInterval: '30s',
            timeout: '1h',
            backoff: 2,
            maxPokeInterval: '10m',
            softFail: true,
          },
          async () => ({ done: true, output: 5 }),
        );
        const key = s3KeySensor('key', {
          bucket: 'b',
          key: format`in/${runValues.ds}/x.csv`,
          pokeInterval: '1m',
          timeout: '2h',
        });
        const other = externalDagSensor('other', {
          dagId: 'upstream_dag',
          taskId: 'load',
          offset: '1h',
          pokeInterval: '5m',
          timeout: '3h',
        });
        const clock = timeSensor('clock', { after: '6h' });
        chain(ready, key, other, clock);
      }),
    );
    expect(problems).toEqual([]);
    const bodies = Object.fromEntries(ir.tasks.map((t) => [t.id, t.body]));
    expect(bodies.ready).toEqual({
      kind: 'sensor',
      sensor: {
        check: { kind: 'function' },
        pokeIntervalSeconds: 30,
        pokeBackoffRate: 2,
        maxPokeIntervalSeconds: 600,
        timeoutSeconds: 3600,
        softFail: true,
      },
    });
    expect(bodies.key).toEqual({
      kind: 'sensor',
      sensor: {
        check: {
          kind: 's3_key',
          bucket: { kind: 'literal', value: 'b' },
          key: { kind: 'format', template: 'in/{}/x.csv', args: [{ kind: 'context', name: 'ds' }] },
        },
        pokeIntervalSeconds: 60,
        pokeBackoffRate: 1,
        timeoutSeconds: 7200,
        softFail: false,
      },
    });
    expect(bodies.other).toMatchObject({
      sensor: {
        check: { kind: 'external_dag', dagId: 'upstream_dag', taskId: 'load', offsetSeconds: 3600 },
      },
    });
    expect(bodies.clock).toMatchObject({
      sensor: { check: { kind: 'time', afterIntervalEndSeconds: 21600 }, timeoutSeconds: 25200 },
    });
  });

  it('operators are data, and upstream outputs in their parameters are data edges', () => {
    const { ir, edges, problems } = build(
      dag('ops', {}, () => {
        const rows = task('rows', async () => ({ count: 1 }));
        const r = rows();
        const score = lambdaInvoke('score', {
          functionName: 'scorer',
          payload: { n: r.get('count') },
          retry: { attempts: 2 },
        });
        const child = triggerDag('child', { dagId: 'other_dag', conf: { date: runValues.ds } });
        score.then(child);
      }),
    );
    expect(problems).toEqual([]);
    expect(edges).toEqual(['rows->score (data)', 'score->child']);
    const byId = new Map(ir.tasks.map((t) => [t.id, t]));
    expect(byId.get('score')!.body).toEqual({
      kind: 'operator',
      operator: {
        kind: 'lambda_invoke',
        functionName: 'scorer',
        payload: {
          kind: 'object',
          fields: { n: { kind: 'output', task: 'rows', path: ['count'] } },
        },
      },
    });
    expect(byId.get('score')!.retry).toEqual({
      attempts: 2,
      delaySeconds: 300,
      backoffRate: 1,
      jitter: 'none',
    });
    expect(byId.get('child')!.body).toEqual({
      kind: 'operator',
      operator: {
        kind: 'trigger_dag',
        dagId: 'other_dag',
        conf: { kind: 'object', fields: { date: { kind: 'context', name: 'ds' } } },
        wait: true,
      },
    });
  });
});

describe('DAG options', () => {
  it('schedule factories, timezone, dates, params, pools, datasets and notifications', () => {
    const warehouse = pool('warehouse', { slots: 2 });
    const { ir, problems } = build(
      dag(
        'opts',
        {
          schedule: cron('30 2 * * *', { timezone: 'Europe/Berlin' }),
          startDate: '2026-03-01',
          endDate: '2026-12-31T23:00',
          catchup: true,
          maxActiveRuns: 2,
          runTimeout: '1h30m',
          deadline: '3h',
          params: {
            limit: param.integer({ default: 10, minimum: 1 }),
            mode: param.string({ default: 'fast', enum: ['fast', 'full'] }),
          },
          notify: [notify.sns({ on: ['failure', 'retry'] })],
          tags: ['a', 'b', 'a'],
          owner: 'me',
        },
        () => {
          task(
            't',
            {
              pool: warehouse,
              connections: ['warehouse_db'],
              inlets: [dataset('s3://in/x')],
              outlets: [dataset('s3://out/y')],
              memoryMiB: 2048,
            },
            noop,
          )();
        },
      ),
    );
    expect(problems).toEqual([]);
    expect(ir.schedule).toEqual({
      kind: 'cron',
      expression: '30 2 * * *',
      timezone: 'Europe/Berlin',
    });
    expect(ir.timezone).toBe('Europe/Berlin');
    expect(ir.startDate).toBe('2026-02-28T23:00:00.000Z');
    expect(ir.endDate).toBe('2026-12-31T22:00:00.000Z');
    expect([ir.catchup, ir.maxActiveRuns, ir.runTimeoutSeconds, ir.deadlineSeconds]).toEqual([
      true,
      2,
      5400,
      10800,
    ]);
    expect(ir.params).toEqual({
      limit: { type: 'integer', default: 10, minimum: 1, required: false },
      mode: { type: 'string', default: 'fast', enum: ['fast', 'full'], required: false },
    });
    expect(ir.notifications).toEqual([{ on: ['failure', 'retry'], channel: { kind: 'sns' } }]);
    expect(ir.tags).toEqual(['a', 'b']);
    expect(ir.tasks[0]).toMatchObject({
      pool: { name: 'warehouse', slots: 2 },
      connections: ['warehouse_db'],
      inlets: ['s3://in/x'],
      outlets: ['s3://out/y'],
      memoryMiB: 2048,
    });
  });

  it('presets, rate, manual and dataset schedules', () => {
    const one = (schedule: DagOptions['schedule']) =>
      build(dag('s', { schedule }, () => void task('t', noop)())).ir.schedule;
    expect(one('@daily')).toEqual({ kind: 'cron', expression: '@daily', timezone: 'UTC' });
    expect(one(rate('6h'))).toEqual({
      kind: 'rate',
      everySeconds: 21600,
      expression: '6h',
      timezone: 'UTC',
    });
    expect(one(manual())).toEqual({ kind: 'manual' });
    expect(one(undefined)).toEqual({ kind: 'manual' });
    const [a, b, c] = ['s3://a', 's3://b', 's3://c'] as const;
    expect(one([dataset(b), dataset(a)])).toEqual({
      kind: 'datasets',
      condition: {
        kind: 'all',
        of: [
          { kind: 'dataset', uri: b },
          { kind: 'dataset', uri: a },
        ],
      },
      datasets: [a, b],
    });
    expect(one(onDatasets([dataset(a)], { mode: 'any' }))).toEqual({
      kind: 'datasets',
      condition: { kind: 'any', of: [{ kind: 'dataset', uri: a }] },
      datasets: [a],
    });
    expect(one(onDatasets(anyOf(dataset(c), allOf(dataset(a), dataset(b), dataset(c)))))).toEqual({
      kind: 'datasets',
      condition: {
        kind: 'any',
        of: [
          { kind: 'dataset', uri: c },
          {
            kind: 'all',
            of: [
              { kind: 'dataset', uri: a },
              { kind: 'dataset', uri: b },
              { kind: 'dataset', uri: c },
            ],
          },
        ],
      },
      datasets: [a, b, c],
    });
    expect(one(onDatasets(dataset(a)))).toEqual({
      kind: 'datasets',
      condition: { kind: 'dataset', uri: a },
      datasets: [a],
    });
    // Airflow's AssetOrTimeSchedule: on the dataset, or every day at 06:00 in Berlin.
    const either = build(
      dag(
        's',
        {
          schedule: onDatasets(dataset(a), {
            or: cron('0 6 * * *', { timezone: 'Europe/Berlin' }),
          }),
        },
        () => void task('t', noop)(),
      ),
    ).ir;
    expect(either.schedule).toEqual({
      kind: 'datasets',
      condition: { kind: 'dataset', uri: a },
      datasets: [a],
      time: { kind: 'cron', expression: '0 6 * * *', timezone: 'Europe/Berlin' },
    });
    expect(either.timezone).toBe('Europe/Berlin'); // the DAG's zone: its time schedule's
    expect(describeSchedule(either.schedule)).toBe(
      'When s3://a is updated, or at 06:00 every day (Europe/Berlin)',
    );
    expect(awsScheduleOf(either)).toMatchObject({
      expression: 'cron(0 6 * * ? *)',
      timezone: 'Europe/Berlin',
    });
    const bad = build(
      dag(
        's',
        { schedule: onDatasets(dataset(a), { or: manual() }) },
        () => void task('t', noop)(),
      ),
    );
    expect(bad.problems.map((p) => [p.code, p.message, p.hint])).toEqual([
      [
        'invalid-schedule',
        'onDatasets(..., { or }) must be a time schedule, not manual',
        "write { or: cron('0 6 * * *') }, { or: '@daily' } or { or: rate('6h') }",
      ],
    ]);
  });

  it('keeps task code reachable by id for the runtime', () => {
    const code = async () => 42;
    const d = dag('code', {}, () => {
      group('g', () => void task('t', code)());
    });
    expect(d.taskCode('g.t')).toBe(code);
    expect(d.taskCode('t')).toBeUndefined();
  });

  it('is deterministic: the same DAG builds to identical IR', () => {
    const make = () =>
      dag('det', { schedule: '@hourly' }, () => {
        const a = task('a', async () => [1, 2]);
        const b = task('b', async (_ctx, n: number) => n);
        const c = task('c', noop);
        b.map(a()).then(c);
      });
    expect(JSON.stringify(build(make()).ir)).toBe(JSON.stringify(build(make()).ir));
  });
});

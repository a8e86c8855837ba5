/**
 * Type tests (checked by tsc in `npm run typecheck`): outputs' types flow into downstream
 * inputs, and a mismatch is a compile error. Each `@ts-expect-error` fails the build if the
 * line below it ever type-checks.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  branch,
  chain,
  dag,
  group,
  lambdaInvoke,
  param,
  sensor,
  shortCircuit,
  task,
  type Params,
  type TaskContext,
  type TaskFn,
  type TaskNode,
} from '../../src/sdk/index.ts';

describe('TaskFlow types', () => {
  it('infers task outputs and flows them into inputs', () => {
    dag('types', {}, () => {
      const extract = task('extract', async () => ({ rows: 42, key: 'k' }));
      expectTypeOf(extract).toEqualTypeOf<TaskFn<[], { rows: number; key: string }>>();
      const e = extract();
      expectTypeOf(e).toEqualTypeOf<TaskNode<{ rows: number; key: string }>>();

      const check = task('check', async (_ctx, rows: number) => rows > 0);
      expectTypeOf(check(e.get('rows'))).toEqualTypeOf<TaskNode<boolean>>();
      check(7); // literals are fine

      // @ts-expect-error a string field where a number is expected
      check(e.get('key'));
      // @ts-expect-error the whole object where a number is expected
      check(e);
      // @ts-expect-error unknown field
      e.get('rowz');
      // @ts-expect-error missing argument
      check();
    });
  });

  it('types nested references in object arguments', () => {
    dag('nested', {}, () => {
      const a = task('a', async () => 1);
      const b = task('b', async () => 'x');
      const c = task('c', async (_ctx, input: { n: number; s: string }) => input.s.repeat(input.n));
      c({ n: a(), s: b() });
      // @ts-expect-error n must be a number
      c({ n: b(), s: b() });
    });
  });

  it('maps over lists of the first argument type and returns a list', () => {
    dag('mapped', {}, () => {
      const files = task('files', async () => ['a', 'b']);
      const counts = task('counts', async () => [1, 2]);
      const size = task('size', async (_ctx, key: string, factor: number) => key.length * factor);
      const mapped = size.map(files(), 2);
      expectTypeOf(mapped).toEqualTypeOf<TaskNode<number[]>>();
      // @ts-expect-error a list of numbers cannot feed a string argument
      size.map(counts(), 2);
      // @ts-expect-error the remaining arguments are checked too
      size.map(files(), 'two');
    });
  });

  it('then() takes tasks, groups, no-input declarations and ids, and returns what it got', () => {
    dag('then', {}, () => {
      const a = task('a', async () => 1);
      const b = task('b', async () => 'b');
      const needsInput = task('needs', async (_ctx, n: number) => n);
      const g = group('g', () => b());
      expectTypeOf(a().then(b)).toEqualTypeOf<TaskNode<string>>();
      expectTypeOf(g.output).toEqualTypeOf<TaskNode<string>>();
      a().then(g, 'some_id');
      // @ts-expect-error a declaration that needs input cannot be scheduled without it
      a().then(needsInput);
      chain(a, [b, 'x'], g);
    });
  });

  it('branch return values are limited to the declared choices', () => {
    dag('branch', {}, () => {
      branch('pick', { choices: ['left', 'right'] }, async () => 'left' as const);
      // @ts-expect-error 'middle' is not a declared choice
      branch('pick2', { choices: ['left', 'right'] }, async () => 'middle' as const);
      shortCircuit('gate', async () => true);
      // @ts-expect-error a short-circuit returns a boolean
      shortCircuit('gate2', async () => 'yes');
    });
  });

  it('sensors require a timeout and expose the poke output', () => {
    dag('sensors', {}, () => {
      const s = sensor('s', { pokeInterval: '1m', timeout: '1h' }, async () => ({
        done: true,
        output: 3,
      }));
      expectTypeOf(s()).toEqualTypeOf<TaskNode<number>>();
      // @ts-expect-error timeout is required
      sensor('t', { pokeInterval: '1m' }, async () => true);
    });
  });

  it('params are typed in the context; durations need units; trigger rules are checked', () => {
    const params = {
      limit: param.integer({ default: 5 }),
      mode: param.string({ default: 'a', enum: ['a', 'b'] }),
    };
    type Ctx = TaskContext<Params<typeof params>>;
    dag('params', { params }, () => {
      task('t', async (ctx: Ctx) => {
        expectTypeOf(ctx.params.limit).toEqualTypeOf<number>();
        expectTypeOf(ctx.params.mode).toEqualTypeOf<'a' | 'b'>();
        return ctx.params.limit;
      })();
      // @ts-expect-error a bare number has no unit
      task('u', { timeout: 300 }, async () => 1);
      // @ts-expect-error unknown trigger rule
      task('v', { triggerRule: 'all_sucess' }, async () => 1);
      const r = lambdaInvoke<{ score: number }>('score', { functionName: 'f' });
      expectTypeOf(r.get('score')).toMatchTypeOf<{ readonly taskId: string }>();
    });
  });
});

/**
 * Conformance: branches and short-circuits on compiled machines. A branch's non-chosen direct
 * downstream tasks are skipped whatever their trigger rule and the skip propagates by rules;
 * a short-circuit returning false skips everything downstream (ignoreDownstreamTriggerRules,
 * the default) or only its direct downstream tasks, leaving the rest to trigger rules.
 */
import { expect } from 'vitest';
import { branch, chain, dag, shortCircuit, task } from 'updraft';
import { defineCases } from '../case.ts';

const ok = (id: string, value: unknown = id) => task(id, async () => value);

/** pick → weekday | weekend → join_any (none_failed_min_one_success), join_all (all_success). */
function weekDag(day: string) {
  return dag(`week_${day}`, {}, () => {
    const pick = branch('pick', { choices: ['weekday', 'weekend'] }, async (_ctx, d: string) =>
      ['sat', 'sun'].includes(d) ? 'weekend' : 'weekday',
    );
    const p = pick(day);
    const weekday = p.then(ok('weekday', 'work'));
    const weekend = p.then(ok('weekend', 'rest'));
    chain(
      [weekday, weekend],
      task('join_any', { triggerRule: 'none_failed_min_one_success' }, async () => 'joined'),
    );
    chain([weekday, weekend], ok('join_all'));
  });
}

export const branching = defineCases('branching', (it) => {
  it('weekday: the chosen path runs, the other is skipped; joins follow their rules', async (run) => {
    const r = await run(weekDag('mon'));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      pick: 'success',
      weekday: 'success',
      weekend: 'skipped',
      join_any: 'success',
      join_all: 'skipped',
    });
    expect(r.tasks.pick!.output).toEqual(['weekday']);
    expect(r.tasks.join_any!.output).toBe('joined');
    expect(r.started).toEqual(['pick', 'weekday', 'join_any']);
  });

  it('weekend: the mirror image', async (run) => {
    const r = await run(weekDag('sun'));
    expect(r.states).toEqual({
      pick: 'success',
      weekday: 'skipped',
      weekend: 'success',
      join_any: 'success',
      join_all: 'skipped',
    });
    expect(r.started).toEqual(['pick', 'weekend', 'join_any']);
  });

  it('a branch returning a list runs both chosen tasks and skips the third', async (run) => {
    const d = dag('branch_list', {}, () => {
      const b = branch('b', async () => ['x', 'y'])();
      b.then(ok('x'), ok('y'), ok('z'));
      chain([b.then(ok('x2')), 'x'], ok('after_x'));
    });
    const r = await run(d);
    expect(r.states).toEqual({
      b: 'success',
      x: 'success',
      y: 'success',
      z: 'skipped',
      x2: 'skipped',
      after_x: 'skipped',
    });
    expect(r.status).toBe('success');
  });

  it('a non-chosen task is skipped even with trigger rule all_done; its downstream follows rules', async (run) => {
    const d = dag('branch_all_done', {}, () => {
      const b = branch('b', async () => 'taken')();
      b.then(ok('taken'));
      b.then(task('other', { triggerRule: 'all_done' }, async () => 1)).then(
        task('after_other', { triggerRule: 'all_done' }, async () => 'still runs'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({
      b: 'success',
      taken: 'success',
      other: 'skipped',
      after_other: 'success',
    });
    expect(r.tasks.after_other!.output).toBe('still runs');
  });

  it('empty-branch join: a direct downstream task reached through the chosen task is not skipped', async (run) => {
    const d = dag('branch_empty_join', {}, () => {
      const b = branch('b', async () => 'task1')();
      const task1 = task('task1', async () => 1)();
      const join = task('join', async () => 'joined')();
      chain(b, [task1, join]);
      chain(task1, join);
    });
    const r = await run(d);
    expect(r.states).toEqual({ b: 'success', task1: 'success', join: 'success' });
    expect(r.started).toEqual(['b', 'task1', 'join']);
  });

  it('empty-branch join: choosing the join directly skips the other path', async (run) => {
    const d = dag('branch_empty_join_direct', {}, () => {
      const b = branch('b', async () => 'join')();
      const task1 = task('task1', async () => 1)();
      const join = task(
        'join',
        { triggerRule: 'none_failed_min_one_success' },
        async () => 'joined',
      )();
      chain(b, [task1, join]);
      chain(task1, join);
    });
    const r = await run(d);
    expect(r.states).toEqual({ b: 'success', task1: 'skipped', join: 'success' });
  });

  it('a branch returning null skips every direct downstream task', async (run) => {
    const d = dag('branch_null', {}, () => {
      const b = branch('b', async () => null)();
      b.then(ok('x')).then(ok('x_next'));
      b.then(ok('y'));
    });
    const r = await run(d);
    expect(r.states).toEqual({ b: 'success', x: 'skipped', x_next: 'skipped', y: 'skipped' });
    expect(r.started).toEqual(['b']);
    expect(r.status).toBe('success');
  });

  it('a branch returning an empty list skips them all too', async (run) => {
    const d = dag('branch_empty', {}, () => {
      branch('b', async () => [])().then(ok('x'), ok('y'));
    });
    const r = await run(d);
    expect(r.states).toEqual({ b: 'success', x: 'skipped', y: 'skipped' });
  });

  it('a branch returning an id that is not directly downstream fails with a clear error', async (run) => {
    const d = dag('branch_bad', { retry: { attempts: 3, delay: '1s' } }, () => {
      const b = branch('b', async () => 'far')();
      b.then(ok('near')).then(ok('far'));
      b.then(ok('other'));
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      b: 'failed',
      near: 'upstream_failed',
      far: 'upstream_failed',
      other: 'upstream_failed',
    });
    expect(r.tasks.b!.attempts).toBe(1);
    expect(r.tasks.b!.error).toEqual({
      error: 'Updraft.PermanentError',
      cause:
        'branch "b" returned "far", which is not directly downstream of it; return one of: "near", "other"',
    });
  });

  it('a branch after a data-producing task reads its input', async (run) => {
    const d = dag('branch_data', {}, () => {
      const size = task('size', async () => ({ rows: 1200 }))();
      const route = branch('route', async (_ctx, s: { rows: number }) =>
        s.rows > 1000 ? 'big' : 'small',
      )(size);
      route.then(ok('big'), ok('small'));
    });
    const r = await run(d);
    expect(r.states).toEqual({
      size: 'success',
      route: 'success',
      big: 'success',
      small: 'skipped',
    });
  });

  it('short-circuit true: everything downstream runs', async (run) => {
    const d = dag('sc_true', {}, () => {
      chain(
        shortCircuit('gate', async () => true),
        ok('a'),
        ok('b'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ gate: 'success', a: 'success', b: 'success' });
    expect(r.tasks.gate!.output).toBe(true);
    expect(r.started).toEqual(['gate', 'a', 'b']);
  });

  /** gate → a → b → c (all_done), with `side` independent of the gate also feeding c. */
  function scDag(ignoreDownstreamTriggerRules: boolean) {
    return dag(`sc_false_${ignoreDownstreamTriggerRules}`, {}, () => {
      const gate = shortCircuit('gate', { ignoreDownstreamTriggerRules }, async () => false);
      chain(
        gate,
        ok('a'),
        task('b', { triggerRule: 'all_done' }, async () => 'b ran'),
        task('c', { triggerRule: 'all_done' }, async () => 'c ran'),
      );
      chain(ok('side'), 'c');
    });
  }

  it('short-circuit false, ignoreDownstreamTriggerRules true (default): all downstream skipped whatever their rule', async (run) => {
    const r = await run(scDag(true));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      gate: 'success',
      a: 'skipped',
      b: 'skipped',
      c: 'skipped',
      side: 'success',
    });
    expect(r.tasks.gate!.output).toBe(false);
    expect([...r.started].sort()).toEqual(['gate', 'side']);
  });

  it('short-circuit false, ignoreDownstreamTriggerRules false: only direct downstream skipped, all_done tasks below run', async (run) => {
    const r = await run(scDag(false));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      gate: 'success',
      a: 'skipped',
      b: 'success',
      c: 'success',
      side: 'success',
    });
    expect(r.tasks.b!.output).toBe('b ran');
    expect(r.started.indexOf('b')).toBeLessThan(r.started.indexOf('c'));
  });

  it('the default of ignoreDownstreamTriggerRules is true', async (run) => {
    const d = dag('sc_default', {}, () => {
      chain(
        shortCircuit('gate', async () => false),
        ok('a'),
        task('b', { triggerRule: 'all_done' }, async () => 1),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ gate: 'success', a: 'skipped', b: 'skipped' });
  });

  it('a short-circuit that throws fails like any task', async (run) => {
    const d = dag('sc_throws', {}, () => {
      chain(
        shortCircuit('gate', async () => {
          throw new Error('cannot decide');
        }),
        ok('a'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ gate: 'failed', a: 'upstream_failed' });
    expect(r.tasks.gate!.error).toEqual({ error: 'Updraft.TaskFailed', cause: 'cannot decide' });
    expect(r.status).toBe('failed');
  });
});

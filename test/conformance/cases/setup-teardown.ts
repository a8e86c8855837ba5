/**
 * Conformance: setup/teardown on compiled machines (Airflow 2.7+ semantics). A teardown runs
 * once the work between it and its setups is done, whenever a setup succeeded; it is skipped
 * when all its setups were skipped and upstream_failed when none succeeded. A teardown does not
 * decide the run unless `onFailureFailDagrun`: the work before it counts as the leaves.
 */
import { expect } from 'vitest';
import { branch, chain, dag, PermanentError, setup, shortCircuit, task, teardown } from 'updraft';
import { defineCases } from '../case.ts';

const fail = (message: string) => async (): Promise<never> => {
  throw new PermanentError(message);
};

/** create_cluster → work (→ report) → delete_cluster, with the given bodies. */
function clusterDag(
  id: string,
  bodies: {
    setup?: () => Promise<unknown>;
    work?: () => Promise<unknown>;
    teardown?: () => Promise<unknown>;
  } = {},
  onFailureFailDagrun = false,
) {
  return dag(id, {}, () => {
    const create = setup('create_cluster', bodies.setup ?? (async () => ({ cluster: 'c-1' })))();
    const work = task('work', bodies.work ?? (async () => 'worked'))();
    const del = teardown(
      'delete_cluster',
      { setups: create, onFailureFailDagrun },
      bodies.teardown ?? (async () => 'deleted'),
    )();
    chain(create, work, del);
  });
}

export const setupTeardown = defineCases('setup/teardown', (it) => {
  it('happy path: setup, work, teardown in order', async (run) => {
    const r = await run(clusterDag('st_happy'));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      create_cluster: 'success',
      work: 'success',
      delete_cluster: 'success',
    });
    expect(r.started).toEqual(['create_cluster', 'work', 'delete_cluster']);
    expect(r.tasks.delete_cluster!.output).toBe('deleted');
  });

  it('the teardown can read the setup output', async (run) => {
    const d = dag('st_data', {}, () => {
      const create = setup('create', async () => ({ cluster: 'c-42' }))();
      const work = task('work', async () => 1)();
      const del = teardown(
        'delete',
        { setups: create },
        async (_ctx, c: { cluster: string }) => `deleted ${c.cluster}`,
      )(create);
      chain(create, work, del);
    });
    const r = await run(d);
    expect(r.states).toEqual({ create: 'success', work: 'success', delete: 'success' });
    expect(r.tasks.delete!.output).toBe('deleted c-42');
  });

  it('work fails: the teardown still runs; the run fails because of the work, not the teardown', async (run) => {
    const r = await run(clusterDag('st_work_fails', { work: fail('query failed') }));
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      create_cluster: 'success',
      work: 'failed',
      delete_cluster: 'success',
    });
    expect(r.started).toEqual(['create_cluster', 'work', 'delete_cluster']);
  });

  it('work fails after a downstream step: the teardown waits for all work and runs', async (run) => {
    const d = dag('st_chain', {}, () => {
      const create = setup('create', async () => 1)();
      const a = task('a', fail('a broke'))();
      const b = task('b', async () => 2)();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(create, a, b, del);
    });
    const r = await run(d);
    expect(r.states).toEqual({
      create: 'success',
      a: 'failed',
      b: 'upstream_failed',
      delete: 'success',
    });
    expect(r.status).toBe('failed');
  });

  it('setup fails: work and teardown are upstream_failed', async (run) => {
    const r = await run(clusterDag('st_setup_fails', { setup: fail('no quota') }));
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      create_cluster: 'failed',
      work: 'upstream_failed',
      delete_cluster: 'upstream_failed',
    });
    expect(r.started).toEqual(['create_cluster']);
  });

  it('teardown fails: the run still succeeds (teardowns do not decide the run)', async (run) => {
    const r = await run(clusterDag('st_teardown_fails', { teardown: fail('cannot delete') }));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      create_cluster: 'success',
      work: 'success',
      delete_cluster: 'failed',
    });
    expect(r.tasks.delete_cluster!.error).toEqual({
      error: 'Updraft.PermanentError',
      cause: 'cannot delete',
    });
  });

  it('teardown fails with onFailureFailDagrun: the run fails', async (run) => {
    const r = await run(
      clusterDag('st_teardown_fails_run', { teardown: fail('cannot delete') }, true),
    );
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      create_cluster: 'success',
      work: 'success',
      delete_cluster: 'failed',
    });
  });

  it('onFailureFailDagrun with a succeeding teardown: the run succeeds', async (run) => {
    const r = await run(clusterDag('st_teardown_ok_run', {}, true));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      create_cluster: 'success',
      work: 'success',
      delete_cluster: 'success',
    });
  });

  it('onFailureFailDagrun: the teardown is then the leaf, so a work failure before it does not fail the run (as in Airflow)', async (run) => {
    // Airflow's DagRun._tis_for_dagrun_state: a task whose downstream is a teardown with
    // on_failure_fail_dagrun is not an effective leaf; only the teardown decides.
    const r = await run(clusterDag('st_teardown_ok_work_fails', { work: fail('boom') }, true));
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      create_cluster: 'success',
      work: 'failed',
      delete_cluster: 'success',
    });
  });

  it('setup skipped: work and teardown are skipped', async (run) => {
    const d = dag('st_setup_skipped', {}, () => {
      const gate = shortCircuit(
        'gate',
        { ignoreDownstreamTriggerRules: false },
        async () => false,
      )();
      const create = setup('create', async () => 1)();
      const work = task('work', async () => 2)();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(gate, create, work, del);
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      gate: 'success',
      create: 'skipped',
      work: 'skipped',
      delete: 'skipped',
    });
    expect(r.started).toEqual(['gate']);
  });

  it('short-circuit skips the work after a successful setup: the teardown still runs', async (run) => {
    const d = dag('st_work_skipped', {}, () => {
      const create = setup('create', async () => 1)();
      const gate = shortCircuit('gate', async () => false)();
      const work = task('work', async () => 2)();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(create, gate, work, del);
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      create: 'success',
      gate: 'success',
      work: 'skipped',
      delete: 'success',
    });
    expect(r.started).toEqual(['create', 'gate', 'delete']);
  });

  it('short-circuit without ignoreDownstreamTriggerRules: the teardown runs after the skipped work', async (run) => {
    const d = dag('st_work_skipped_rules', {}, () => {
      const create = setup('create', async () => 1)();
      const gate = shortCircuit(
        'gate',
        { ignoreDownstreamTriggerRules: false },
        async () => false,
      )();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(
        create,
        gate,
        task('work', async () => 2),
        del,
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({
      create: 'success',
      gate: 'success',
      work: 'skipped',
      delete: 'success',
    });
  });

  it('a teardown right after a false short-circuit is not skipped', async (run) => {
    const d = dag('st_sc_direct', {}, () => {
      const create = setup('create', async () => 1)();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(
        create,
        shortCircuit('gate', { ignoreDownstreamTriggerRules: false }, async () => false),
        del,
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ create: 'success', gate: 'success', delete: 'success' });
  });

  it('a branch that does not choose the work: the teardown still runs', async (run) => {
    const d = dag('st_branch', {}, () => {
      const create = setup('create', async () => 1)();
      const work = task('work', async () => 2)();
      chain(
        create,
        branch('pick', async () => 'other'),
        [work, task('other', async () => 3)],
      );
      chain(
        work,
        teardown('delete', { setups: create }, async () => 'deleted'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({
      create: 'success',
      pick: 'success',
      work: 'skipped',
      other: 'success',
      delete: 'success',
    });
  });

  it('two setups, one fails: the teardown still runs for the one that succeeded', async (run) => {
    const d = dag('st_two_setups', {}, () => {
      const s1 = setup('s1', async () => 1)();
      const s2 = setup('s2', fail('s2 broke'))();
      const work = task('work', async () => 2)();
      const del = teardown('delete', { setups: [s1, s2] }, async () => 'deleted')();
      chain([s1, s2], work, del);
    });
    const r = await run(d);
    expect(r.states).toEqual({
      s1: 'success',
      s2: 'failed',
      work: 'upstream_failed',
      delete: 'success',
    });
    expect(r.status).toBe('failed');
  });

  it('a task after the teardown follows normal rules', async (run) => {
    const d = dag('st_after_teardown', {}, () => {
      const create = setup('create', async () => 1)();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(
        create,
        task('work', fail('broken')),
        del,
        task('notify', async () => 'sent'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({
      create: 'success',
      work: 'failed',
      delete: 'success',
      notify: 'success',
    });
    expect(r.started).toEqual(['create', 'work', 'delete', 'notify']);
  });

  it('parallel work: the teardown waits for every branch', async (run) => {
    const d = dag('st_parallel', {}, () => {
      const create = setup('create', async () => 1)();
      const a = task('a', async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return 'a';
      })();
      const b = task('b', fail('b broke'))();
      const del = teardown('delete', { setups: create }, async () => 'deleted')();
      chain(create, [a, b], del);
    });
    const r = await run(d);
    expect(r.states).toEqual({ create: 'success', a: 'success', b: 'failed', delete: 'success' });
    expect(r.started.at(-1)).toBe('delete');
    expect(r.status).toBe('failed');
  });
});

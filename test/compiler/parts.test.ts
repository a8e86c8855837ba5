/**
 * DAGs too large for one state machine are cut into parts (compiler/parts): child state machines
 * started with startExecution.sync:2. The shape of a small cut, what crosses it, the limits of
 * each machine at 5,000 tasks, and runs that see one DAG (the conformance suite and the
 * trigger-rule table run on cut machines too: runners.ts, trigger-rules.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../src/compiler/compile.ts';
import { buildDagIR, dag, PermanentError, task, type Dag } from './imports.ts';
import { chain, randomLayered } from '../../bench/shapes.ts';
import { runDag } from './harness.ts';
import path from 'node:path';
import { aslProblems } from '../support/validate-asl.ts';
import { loadProject } from '../../src/loader/load-project.ts';

/** a → b → c → d → e: cut into parts of two tasks. */
const line = (fail?: string): Dag =>
  dag('line', {}, () => {
    let prev = task('a', async (): Promise<unknown> => 1)();
    for (const id of ['b', 'c', 'd', 'e'])
      prev = prev.then(
        task(id, async (): Promise<unknown> => {
          if (id === fail) throw new PermanentError(`${id} breaks`);
          return id;
        }),
      );
  });

const compiled = (d: Dag, maxPartTasks?: number) =>
  compileDag(buildDagIR(d, 'x.ts').ir, maxPartTasks === undefined ? {} : { maxPartTasks });

describe('parts: the shape of a cut', () => {
  const c = compiled(line(), 2);

  it('starts each part with startExecution.sync:2, named from its parent execution, and merges what it exports', () => {
    expect(c.parts.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(c.manifest.parts).toEqual(['p1', 'p2']);
    expect(c.manifest.substitutions).toEqual(['Part_p1', 'Part_p2', 'TaskRunnerFunctionArn']);
    const start = c.definition.States['p1: a…'];
    expect(start).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: '${Part_p1}',
        'Name.$': "States.Format('{}-p1', States.Hash($$.Execution.Name, 'MD5'))",
        Input: {
          'run.$': '$.run',
          't.$': '$.t',
          'done.$': '$.done',
          'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
        },
      },
      ResultSelector: { 't.$': '$.Output' },
      ResultPath: '$.p',
      Next: 'p1 merge',
    });
    expect(c.definition.States['p1 merge']).toEqual({
      Type: 'Pass',
      Parameters: {
        'run.$': '$.run',
        't.$': 'States.JsonMerge($.t, $.p.t, false)',
        'done.$': '$.done',
      },
      Next: 'p2: c…',
    });
    expect(c.manifest.states['p1: a…']).toEqual({ tasks: [], role: 'part', part: 'p1' });
  });

  it('exports only the records read outside the part: b for c, and the run leaf e', () => {
    const [p1, p2] = c.parts;
    expect(p1!.definition.States['p1 exports']).toEqual({
      Type: 'Pass',
      Parameters: { 'b.$': '$.t.b' },
      End: true,
    });
    expect(p2!.definition.States['p2 exports']).toEqual({
      Type: 'Pass',
      Parameters: { 'd.$': '$.t.d' },
      End: true,
    });
    // e stays in the parent: the run's result reads it there.
    expect(Object.keys(c.definition.States)).toContain('e');
  });

  it('is valid ASL for both validators, parent and parts', async () => {
    for (const json of [c.json, ...c.parts.map((p) => p.json)])
      expect(await aslProblems(json)).toEqual([]);
  });

  it('cuts every example DAG (operators, mapped tasks, sensors, branches, pools) into valid machines', async () => {
    const examples = await loadProject('dags', {
      root: path.resolve(import.meta.dirname, '../fixtures/examples'),
    });
    const cutInto: Record<string, number> = {};
    for (const d of examples.dags) {
      const cut = compileDag(d.ir, { maxPartTasks: 2 });
      cutInto[d.ir.id] = cut.parts.length;
      for (const json of [cut.json, ...cut.parts.map((p) => p.json)])
        expect(await aslProblems(json), d.ir.id).toEqual([]);
    }
    // Every example of more than two tasks is cut.
    for (const d of examples.dags)
      expect(cutInto[d.ir.id]! > 0, `${d.ir.id} is cut`).toBe(d.ir.tasks.length > 2);
  });

  it('counts the parts in the analysis: their transitions, each machine its own history', () => {
    const whole = compiled(line()).analysis;
    const cut = c.analysis;
    // Each part adds its start and its merge, and its own end (the exports Pass).
    expect(cut.transitions.allSuccess).toBe(whole.transitions.allSuccess + 2 * 3);
    expect(cut.parts.map((p) => p.id)).toEqual(['p1', 'p2']);
    for (const p of cut.parts) expect(p.historyWorstCase).toBeGreaterThan(0);
  });
});

describe('parts: a run sees one DAG', () => {
  it('runs every task once across the parts, in order, with their outputs', async () => {
    const r = await runDag(line(), { maxPartTasks: 2 });
    expect(r.status).toBe('success');
    expect(r.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.states).toEqual({
      a: 'success',
      b: 'success',
      c: 'success',
      d: 'success',
      e: 'success',
    });
    expect(r.outputs).toEqual({ a: 1, b: 'b', c: 'c', d: 'd', e: 'e' });
  });

  it('a failure in one part makes the tasks of the next parts upstream_failed, and fails the run', async () => {
    const r = await runDag(line('b'), { maxPartTasks: 2 });
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({
      a: 'success',
      b: 'failed',
      c: 'upstream_failed',
      d: 'upstream_failed',
      e: 'upstream_failed',
    });
    expect(r.started).toEqual(['a', 'b']);
  });
});

// 5,000 tasks of each shape: bench/lean.ts (a few seconds each); here sizes just over 1 MiB.
describe('parts: over 1 MiB', () => {
  it.each([
    ['a chain of 2,000 tasks', () => chain('c2000', 2000)],
    ['a random layered DAG of 1,600 tasks', () => randomLayered('l1600', 1600, 7)],
  ])('%s is cut, each machine within 1 MiB and 25,000 history events', (_name, make) => {
    const c = compileDag(buildDagIR(make(), 'x.ts').ir);
    expect(c.parts.length).toBeGreaterThan(1);
    for (const bytes of [c.analysis.definition.bytes, ...c.analysis.parts.map((p) => p.bytes)])
      expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(c.analysis.history.worstCase).toBeLessThanOrEqual(25_000);
    // Every task runs on the all-success path, about once.
    expect(c.analysis.transitions.perTask).toBeGreaterThanOrEqual(1);
  });
});

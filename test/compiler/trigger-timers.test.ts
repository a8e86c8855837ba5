/**
 * triggerDag of a DAG with a time sensor: the child's Wait reads `run.timers.<key>`, which only a
 * launcher computes. The parent's run carries the child's timers (compiler/link: its manifest lists
 * them, computed with the data interval the child gets) and its trigger task passes them on; run
 * here on the interpreter, parent then child with the very input the parent sent.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR, dag, task, timeSensor, triggerDag } from './imports.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { linkDags } from '../../src/compiler/link.ts';
import { runMachine } from '../../src/engine/run-machine.ts';
import { runValuesOf } from '../../src/runtime/launch.ts';
import type { RunValues } from '../../src/runtime/args.ts';

const child = dag('child', {}, () => {
  timeSensor('at_noon', { after: '12h' }).then(task('report', async () => 'done'));
});
const parent = dag('parent', {}, () => {
  task('prepare', async () => 1)().then(triggerDag('start_child', { dagId: 'child', wait: false }));
});

describe('triggerDag passes the time sensors of the DAG it triggers', () => {
  const [parentIr, childIr] = linkDags([
    buildDagIR(parent, 'parent.ts').ir,
    buildDagIR(child, 'child.ts').ir,
  ]);
  const interval = {
    logicalDate: new Date('2026-11-20T00:00:00Z'),
    dataIntervalStart: new Date('2026-11-20T00:00:00Z'),
    dataIntervalEnd: new Date('2026-11-21T00:00:00Z'),
  };

  it("the parent's manifest lists the child's timer and its trigger passes it as the child's own", () => {
    const compiled = compileDag(parentIr!);
    expect(compiled.manifest.timers).toEqual([
      { key: '_dag_child__at_noon', afterIntervalEndSeconds: 43_200 },
    ]);
    expect(compiled.definition.States.start_child).toMatchObject({
      Parameters: {
        Input: { run: { timers: { 'at_noon.$': '$.run.timers._dag_child__at_noon' } } },
      },
    });
  });

  it("the child runs to success on the input the parent's machine sent (its Wait finds the timestamp)", async () => {
    const compiled = compileDag(parentIr!);
    const run = runValuesOf({
      dagId: 'parent',
      timezone: 'UTC',
      timers: compiled.manifest.timers,
      interval,
      params: {},
      triggeredBy: 'schedule',
    });
    const sent: Record<string, unknown>[] = [];
    const r = await runMachine({
      dag: parent,
      ir: parentIr!,
      compiled,
      run,
      native: {
        triggerDag: async (req) => (sent.push(req.input), { runId: req.name, status: 'success' }),
      },
    });
    expect(r.status).toBe('success');
    const input = sent[0] as { run: RunValues };
    expect(input.run.timers).toEqual({ at_noon: '2026-11-21T12:00:00.000Z' });
    const childCompiled = compileDag(childIr!);
    const c = await runMachine({
      dag: child,
      ir: childIr!,
      compiled: childCompiled,
      run: { ...input.run, dagId: 'child' },
    });
    expect(c.error).toBeUndefined();
    expect(c.status).toBe('success');
    expect(c.tasks.at_noon!.state).toBe('success');
    expect(c.tasks.report!.state).toBe('success');
  });
});

/**
 * @module compiler/link
 * What a DAG's compiled machine needs to know about the other DAGs of its project. A time sensor
 * waits until `run.timers.<key>`, which the launcher computes from the data interval; a run
 * started by `triggerDag` gets its run values from the parent's state machine, which cannot add
 * seconds to a timestamp. So the parent carries the child's timers: its manifest lists them (the
 * launcher computes them for the parent's run, with the same data interval the child gets) and its
 * trigger task passes them on (states/operators).
 */
import type { DagIR, OperatorIR, TaskIR } from '../ir/types.ts';
import { recordKeys } from './document.ts';

/** The DAGs with every `triggerDag` task given the time sensors of the DAG it triggers. */
export function linkDags(dags: readonly DagIR[]): DagIR[] {
  const byId = new Map(dags.map((d) => [d.id, d]));
  const timersOf = (dag: DagIR) => {
    const keys = recordKeys(dag);
    return dag.tasks.flatMap((t) =>
      t.body.kind === 'sensor' && t.body.sensor.check.kind === 'time'
        ? [
            {
              key: keys.get(t.id)!,
              afterIntervalEndSeconds: t.body.sensor.check.afterIntervalEndSeconds,
            },
          ]
        : [],
    );
  };
  return dags.map((d) => {
    if (!d.tasks.some((t) => t.body.kind === 'operator' && t.body.operator.kind === 'trigger_dag'))
      return d;
    const tasks = d.tasks.map((t): TaskIR => {
      if (t.body.kind !== 'operator' || t.body.operator.kind !== 'trigger_dag') return t;
      const child = byId.get(t.body.operator.dagId);
      const childTimers = child ? timersOf(child) : [];
      if (childTimers.length === 0) return t;
      const operator: OperatorIR = { ...t.body.operator, childTimers };
      return { ...t, body: { ...t.body, operator } };
    });
    return { ...d, tasks };
  });
}

/** The key under which the parent's run carries a child's timer. */
export function childTimerKey(childDagId: string, key: string): string {
  return `_dag_${childDagId.replace(/[^A-Za-z0-9_]/g, '_')}__${key}`;
}

/**
 * @module runtime/resume-scope
 * Which tasks a resume (retry, clear) must run again besides the ones it chose: Airflow's rule for
 * setup/teardown. Running a task again that works inside a setup's scope runs that setup again
 * (the work gets fresh resources) and its teardowns (which already tore them down once); running
 * a setup again runs its teardowns again. A teardown run again alone leaves its setups as they are.
 *
 * A teardown's scope is the work between its setups and itself: tasks downstream of one of its
 * setups and upstream of the teardown.
 */
import type { DagIR } from '../ir/types.ts';

/** `rerun` plus the setups and teardowns that must run with them. */
export function withSetupsAndTeardowns(ir: DagIR, rerun: ReadonlySet<string>): Set<string> {
  const down = reach(ir, 'down');
  const up = reach(ir, 'up');
  const out = new Set(rerun);
  for (const t of ir.tasks) {
    if (t.role?.kind !== 'teardown') continue;
    const setups = t.role.setups;
    const inScope = (id: string) =>
      (up.get(t.id)?.has(id) ?? false) && setups.some((s) => down.get(s)?.has(id));
    const work = [...rerun].some((id) => id !== t.id && !setups.includes(id) && inScope(id));
    const setupAgain = setups.some((s) => rerun.has(s));
    if (work) for (const s of setups) out.add(s);
    if (work || setupAgain) out.add(t.id);
  }
  return out;
}

/** Every task's descendants (`down`) or ancestors (`up`), itself excluded. */
function reach(ir: DagIR, direction: 'down' | 'up'): Map<string, Set<string>> {
  const next = new Map<string, string[]>(ir.tasks.map((t) => [t.id, []]));
  for (const e of ir.edges)
    (direction === 'down' ? next.get(e.from) : next.get(e.to))?.push(
      direction === 'down' ? e.to : e.from,
    );
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    let seen = memo.get(id);
    if (seen) return seen;
    seen = new Set();
    memo.set(id, seen);
    for (const n of next.get(id) ?? []) {
      seen.add(n);
      for (const m of visit(n)) seen.add(m);
    }
    return seen;
  };
  for (const t of ir.tasks) visit(t.id);
  return memo;
}

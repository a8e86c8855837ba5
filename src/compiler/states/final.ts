/**
 * @module compiler/states/final
 * The run's result: failed if any leaf failed or was upstream_failed (Airflow), decided
 * statically where the leaves' states are known, else by a Choice over their records.
 */
import type { TaskState } from '../../ir/types.ts';
import type { CompileContext } from '../context.ts';
import { ERROR_NAMES } from '../contract.ts';
import { leafFailed } from '../conditions.ts';
import { mergeKnown, type Generator, type Known, type Next, type Scope } from '../scope.ts';

/** The run's result: failed if any leaf failed or was upstream_failed. */
export function renderFinal(
  gen: Generator,
  scope: Scope,
  known: Known,
  pending: ReadonlyMap<string, TaskState>,
): Next {
  const leaves = effectiveLeaves(gen.ctx);
  const all = mergeKnown(known, pending);
  const decided = leaves.every((l) => all.has(l));
  const failed = leaves.some((l) => all.get(l) === 'failed' || all.get(l) === 'upstream_failed');
  // Terminal states are created only when reached (ASL refuses unreachable states).
  const succeeded = () => terminal(gen, scope, 'Succeed');
  const failedState = () => terminal(gen, scope, 'Fail');
  let next: string;
  if (decided) next = failed ? failedState() : succeeded();
  else {
    const sig = 'final-choice';
    next = scope.memo.get(sig) as string;
    if (!next) {
      next = gen.ctx.name('run failed?');
      scope.memo.set(sig, next);
      const rules = leaves.map((l) => leafFailed(gen.ctx, l));
      scope.add(next, {
        Type: 'Choice',
        Choices: [{ ...(rules.length === 1 ? rules[0]! : { Or: rules }), Next: failedState() }],
        Default: succeeded(),
      });
      gen.stateTasks.set(next, { tasks: leaves, role: 'final' });
    }
  }
  return pending.size > 0 ? gen.marks(scope, pending, next) : next;
}

function terminal(gen: Generator, scope: Scope, kind: 'Succeed' | 'Fail'): string {
  const sig = `terminal|${kind}`;
  const memo = scope.memo.get(sig);
  if (memo !== undefined) return memo as string;
  const name = gen.ctx.name(kind === 'Succeed' ? 'run succeeded' : 'run failed');
  scope.memo.set(sig, name);
  gen.stateTasks.set(name, { tasks: [], role: kind === 'Succeed' ? 'final' : 'failed' });
  scope.add(
    name,
    kind === 'Succeed'
      ? { Type: 'Succeed' }
      : {
          Type: 'Fail',
          Error: ERROR_NAMES.dagRunFailed,
          Cause: `DAG ${gen.ctx.dag.id}: a task failed or was upstream_failed; see the run's task states`,
        },
  );
  return name;
}

/**
 * Tasks whose state decides the run (Airflow: leaves; teardowns do not count unless
 * onFailureFailDagrun, and the tasks before a teardown then count as leaves).
 */
export function effectiveLeaves(ctx: CompileContext): string[] {
  const counts = (id: string) => {
    const t = ctx.task(id);
    return t.role?.kind !== 'teardown' || t.role.onFailureFailDagrun;
  };
  return ctx.dag.tasks
    .map((t) => t.id)
    .filter((id) => counts(id))
    .filter((id) => !(ctx.downstream.get(id) ?? []).some((d) => counts(d)));
}

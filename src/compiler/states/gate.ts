/**
 * @module compiler/states/gate
 * A task's gate: a Choice on its trigger rule over the upstream records (and the branches and
 * short-circuits that can skip it), leading to its body or to the record of its skip or upstream failure.
 */
import type { TaskState } from '../../ir/types.ts';
import { InternalError } from '../../errors.ts';
import { gateChoices } from '../conditions.ts';
import { ruleOf } from '../context.ts';
import { decisionList, type Outcome } from '../rules.ts';
import { END, type Cont, type Generator, type Next, type Scope } from '../scope.ts';

export function renderGate(gen: Generator, taskId: string, scope: Scope, cont: Cont): Next {
  const sig = `gate|${taskId}`;
  const memo = scope.memo.get(sig);
  if (memo !== undefined) return memo;
  const name = gen.ctx.name(`${taskId}?`);
  scope.memo.set(sig, name);
  const { rule, over } = ruleOf(gen.ctx, taskId);
  const targets = new Map<Outcome, Next>();
  const target = (o: Outcome): string => {
    if (!targets.has(o)) {
      const next =
        o === 'run'
          ? gen.body(taskId, scope, cont)
          : gen.proceedMarks(scope, new Map([[taskId, o as TaskState]]), new Map(), cont);
      targets.set(o, next);
    }
    const t = targets.get(o)!;
    if (t === END) throw new InternalError(`gate ${taskId} leads to the end of its scope directly`);
    return t;
  };
  const { Choices, Default } = gateChoices(gen.ctx, taskId, decisionList(rule), over, target);
  scope.add(
    name,
    Choices.length === 0 ? { Type: 'Pass', Next: Default } : { Type: 'Choice', Choices, Default },
  );
  gen.stateTasks.set(name, { tasks: [taskId], role: 'gate' });
  return name;
}

/**
 * @module compiler/states/operator-task
 * A native operator: one Task state calling the service (compiler/states/operators), behind a
 * Choice that hands back what a resumed execution gives instead (its output, or a failure that stays).
 */
import type { TaskIR } from '../../ir/types.ts';
import { InternalError } from '../../errors.ts';
import { LAMBDA_INVOKE } from '../asl.ts';
import { ERR, given, record } from '../document.ts';
import type { Exits, Next, Scope, Walk } from '../scope.ts';
import { renderOperator } from './operators.ts';
import { failurePass, permanentFlag, renderNextEnd, renderTask } from './task-fields.ts';

export function renderOperatorTask(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  if (task.body.kind !== 'operator')
    throw new InternalError(`task "${task.id}" is not an operator`);
  const check = emit.ctx.name(`${task.id} given?`);
  scope.add(check, { Type: 'Pass' }); // keeps the task's place in the States order
  const name = emit.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' });
  emit.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  const next = exits.success();
  const failed = failurePass(emit, scope, task, exits);
  const op = renderOperator(emit.ctx, task.body.operator);
  const key = emit.ctx.key(task.id);
  const pe = permanentFlag(emit, task);
  scope.add(
    name,
    renderTask({
      resource: op.resource,
      parameters: op.parameters,
      timeoutSeconds: task.timeoutSeconds,
      resultSelector: {
        ...('path' in op.output
          ? { s: 'success', 'o.$': op.output.path }
          : { s: 'success', o: op.output }),
        ...pe,
      },
      resultPath: record(key),
      retry: task.retry,
      lambda: op.resource === LAMBDA_INVOKE,
      catchTo: failed,
      next,
    }),
  );
  // A resumed execution may give the output the task recorded before (`o`) or a failure that
  // stays: one Choice on every execution, the service call only when not given.
  const reuse = emit.ctx.name(`${task.id} given`);
  const failure = emit.ctx.name(`${task.id} given failure`);
  for (const s of [check, reuse, failure])
    emit.stateTasks.set(s, { tasks: [task.id], role: 'given' });
  scope.add(check, {
    Type: 'Choice',
    Choices: [
      { Not: { Variable: given(key), IsPresent: true }, Next: name }, // Not: the local interpreter misreads IsPresent: false
      { Variable: `${given(key)}.e`, IsPresent: true, Next: failure },
    ],
    Default: reuse,
  });
  scope.add(reuse, {
    Type: 'Pass',
    Parameters: { s: 'success', 'o.$': `${given(key)}.o`, ...pe },
    ResultPath: record(key),
    ...renderNextEnd(next),
  });
  scope.add(failure, { Type: 'Pass', InputPath: `${given(key)}.e`, ResultPath: ERR, Next: failed });
  return check;
}

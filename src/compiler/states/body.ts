/**
 * @module compiler/states/body
 * A task's body, by kind: function tasks (and branch, short-circuit) through the task runner
 * Lambda, mapped tasks as a Map, sensors as a poke/wait loop, time sensors as a Wait, native
 * operators as service integrations. Every renderer writes the task's record on success and
 * catches errors (after retries) into a failure record, then follows the given exits. A pooled
 * task's body sits between taking a slot of its pool and giving it back (compiler/states/pool).
 */
import { assertNever, type TaskIR } from '../../ir/types.ts';
import type { Exits, Next, Scope, Walk } from '../scope.ts';
import { renderLambdaTask } from './lambda-task.ts';
import { renderMapped } from './mapped.ts';
import { renderOperatorTask } from './operator-task.ts';
import { renderPooled, takesPoolSlot } from './pool.ts';
import { renderSensor, renderTimeSensor } from './sensor.ts';

export function renderBody(emit: Walk, scope: Scope, taskId: string, exits: Exits): Next {
  const task = emit.ctx.task(taskId);
  // A mapped task's instances take their slots inside the Map (compiler/states/mapped).
  if (task.mapping) return renderMapped(emit, scope, task, exits);
  if (takesPoolSlot(task))
    return renderPooled(emit, scope, task, exits, (releasing) =>
      renderKind(emit, scope, task, releasing),
    );
  return renderKind(emit, scope, task, exits);
}

function renderKind(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  switch (task.body.kind) {
    case 'function':
    case 'branch':
    case 'short_circuit':
      return renderLambdaTask(emit, scope, task, exits);
    case 'sensor':
      return task.body.sensor.check.kind === 'time'
        ? renderTimeSensor(emit, scope, task, exits)
        : renderSensor(emit, scope, task, exits);
    case 'operator':
      return renderOperatorTask(emit, scope, task, exits);
    default:
      return assertNever(task.body, 'task body');
  }
}

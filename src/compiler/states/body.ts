/**
 * @module compiler/states/body
 * A task's body, by kind: function tasks (and branch, short-circuit) through the task runner
 * Lambda, mapped tasks as a Map, sensors as a poke/wait loop, time sensors as a Wait, native
 * operators as service integrations. Every renderer writes the task's record on success and
 * catches errors (after retries) into a failure record, then follows the given exits.
 */
import { assertNever } from '../../ir/types.ts';
import type { Exits, Next, Scope, Walk } from '../scope.ts';
import { renderLambdaTask } from './lambda-task.ts';
import { renderMapped } from './mapped.ts';
import { renderOperatorTask } from './operator-task.ts';
import { renderSensor, renderTimeSensor } from './sensor.ts';

export function renderBody(emit: Walk, scope: Scope, taskId: string, exits: Exits): Next {
  const task = emit.ctx.task(taskId);
  if (task.mapping) return renderMapped(emit, scope, task, exits);
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

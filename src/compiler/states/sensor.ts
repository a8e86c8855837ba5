/**
 * @module compiler/states/sensor
 * Sensors: a poke (the task runner answers satisfied, keep poking, or timed out), a Choice on
 * its answer and a Wait between pokes; a time sensor is one Wait until its timer.
 */
import type { SensorIR, TaskIR } from '../../ir/types.ts';
import { assertNever } from '../../ir/types.ts';
import { InternalError } from '../../errors.ts';
import { LAMBDA_INVOKE, type JsonValue } from '../asl.ts';
import { ERROR_NAMES } from '../contract.ts';
import { field, record, timer } from '../document.ts';
import { END, type Exits, type Next, type Scope, type Walk } from '../scope.ts';
import { renderField } from '../values.ts';
import { runnerPayload, TASK_RUNNER } from './lambda-task.ts';
import { recordFor } from './marks.ts';
import { failurePass, permanentFlag, renderNextEnd, renderTask } from './task-fields.ts';

export function renderSensor(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  if (task.body.kind !== 'sensor') throw new InternalError(`task "${task.id}" is not a sensor`);
  const sensor = task.body.sensor;
  const key = emit.ctx.key(task.id);
  const poke = emit.ctx.name(task.id);
  const done = emit.ctx.name(`${task.id} done?`);
  const wait = emit.ctx.name(`${task.id} wait`);
  scope.add(poke, { Type: 'Pass' });
  emit.stateTasks.set(poke, { tasks: [task.id], role: 'poke' });
  emit.stateTasks.set(done, { tasks: [task.id], role: 'poke' });
  emit.stateTasks.set(wait, { tasks: [task.id], role: 'wait' });
  const success = exits.success();
  const failed = failurePass(emit, scope, task, exits);
  let timeout: string;
  if (sensor.softFail) {
    timeout = exits.skipped() as string;
  } else {
    timeout = emit.ctx.name(`${task.id} timed out`);
    emit.stateTasks.set(timeout, { tasks: [task.id], role: 'failed' });
    scope.add(timeout, {
      Type: 'Pass',
      Result: {
        ...recordFor(emit.ctx, task.id, 'failed'),
        e: {
          Error: ERROR_NAMES.sensorTimeout,
          Cause: `sensor ${task.id} was not satisfied within ${sensor.timeoutSeconds}s`,
        },
      },
      ResultPath: record(key),
      ...renderNextEnd(exits.failed()),
    });
  }
  scope.add(
    poke,
    renderTask({
      resource: LAMBDA_INVOKE,
      parameters: {
        FunctionName: TASK_RUNNER,
        Payload: runnerPayload(emit, task, sensorCheck(emit, sensor.check)),
      },
      timeoutSeconds: task.timeoutSeconds,
      resultSelector: {
        's.$': '$.Payload.s',
        'o.$': '$.Payload.o',
        'wait.$': '$.Payload.wait',
        ...permanentFlag(emit, task),
      },
      resultPath: record(key),
      retry: task.retry,
      lambda: true,
      catchTo: failed,
      next: done,
    }),
  );
  // A Choice cannot end a branch: when nothing follows, end through a Pass.
  let onSuccess = success;
  if (onSuccess === END) {
    onSuccess = emit.ctx.name(`${task.id} satisfied`);
    scope.add(onSuccess, { Type: 'Pass', End: true });
  }
  scope.add(done, {
    Type: 'Choice',
    Choices: [
      { Variable: field(key, 's'), StringEquals: 'success', Next: onSuccess },
      { Variable: field(key, 's'), StringEquals: 'poking', Next: wait },
    ],
    Default: timeout,
  });
  scope.add(wait, { Type: 'Wait', SecondsPath: field(key, 'wait'), Next: poke });
  return poke;
}

/** What a built-in sensor checks, rendered for the poke (the bucket and key may come from the run or upstream). */
function sensorCheck(emit: Walk, check: SensorIR['check']): Record<string, JsonValue> {
  switch (check.kind) {
    case 's3_key': {
      const c: Record<string, JsonValue> = { kind: 's3_key' };
      for (const [name, v] of [
        ['bucket', check.bucket],
        ['key', check.key],
      ] as const) {
        const [k, value] = renderField(name, v, emit.ctx.keys);
        c[k] = value;
      }
      return { check: c };
    }
    case 'external_dag':
      return {
        check: {
          kind: 'external_dag',
          dagId: check.dagId,
          ...(check.taskId && { taskId: check.taskId }),
          offsetSeconds: check.offsetSeconds,
        },
      };
    case 'function':
    case 'time':
      return {};
    default:
      return assertNever(check, 'sensor check');
  }
}

export function renderTimeSensor(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const key = emit.ctx.key(task.id);
  const name = emit.ctx.name(task.id);
  const reached = emit.ctx.name(`${task.id} reached`);
  emit.stateTasks.set(name, { tasks: [task.id], role: 'wait' });
  emit.stateTasks.set(reached, { tasks: [task.id], role: 'task' });
  scope.add(name, { Type: 'Wait', TimestampPath: timer(key), Next: reached });
  scope.add(reached, {
    Type: 'Pass',
    Result: { s: 'success', o: true, ...permanentFlag(emit, task) },
    ResultPath: record(key),
    ...renderNextEnd(exits.success()),
  });
  return name;
}

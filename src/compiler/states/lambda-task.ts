/**
 * @module compiler/states/lambda-task
 * Function tasks, branches and short-circuits: one Task state invoking the task runner Lambda,
 * whose answer becomes the task's record (a branch's also says which downstream tasks it chose).
 */
import type { TaskIR } from '../../ir/types.ts';
import { LAMBDA_INVOKE, type JsonValue } from '../asl.ts';
import { PLACEHOLDERS, placeholder } from '../contract.ts';
import { DONE, record, RUN } from '../document.ts';
import type { Exits, Next, Scope, Walk } from '../scope.ts';
import { gateInputs, inputPaths } from '../runner-gate.ts';
import { failureTarget, permanentFlag, renderTask } from './task-fields.ts';

/** Placeholder filled by infra (DefinitionSubstitutions) or by the engine. */
export const TASK_RUNNER = placeholder(PLACEHOLDERS.taskRunner);

/** What a function task reads of its upstream tasks, by record key (compiler/runner-gate inputPaths). */
export function inputs(emit: Walk, task: TaskIR): Record<string, string> | undefined {
  return inputPaths(emit.ctx, task.id);
}

/** The task runner's Payload: the task, the run values, its inputs, and what a resumed execution hands back (compiler/document). */
export function runnerPayload(
  emit: Walk,
  task: TaskIR,
  extra: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  const ins = inputs(emit, task);
  return { task: task.id, 'run.$': RUN, ...(ins && { in: ins }), 'done.$': DONE, ...extra };
}

/**
 * A task in a retried group invokes through lambda:invoke, whose ResultSelector adds `pe` (was
 * the failure permanent?) to the record the runner answers; the fields read from its Payload.
 */
function recordSelector(task: TaskIR): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = { 's.$': '$.Payload.s', 'o.$': '$.Payload.o' };
  return task.body.kind === 'branch' ? { ...fields, 'c.$': '$.Payload.c' } : fields;
}

export function renderLambdaTask(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const name = emit.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' }); // keeps the task's place in the States order
  emit.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  const next = exits.success();
  const failed = failureTarget(emit, scope, task, exits);
  // The runner answers the task's record (runtime/task-runner answersRecord). With the function's
  // ARN as the Resource, its answer is the state's result itself: no FunctionName and Payload
  // around the request, no ResultSelector (≈ 110 bytes less per task than lambda:invoke).
  const viaInvoke = emit.ctx.inRetriedGroup(task.id);
  const payload = runnerPayload(
    emit,
    task,
    exits.gated === true ? { g: gateInputs(emit.ctx, task.id) } : {},
  );
  scope.add(
    name,
    renderTask({
      resource: viaInvoke ? LAMBDA_INVOKE : TASK_RUNNER,
      parameters: viaInvoke ? { FunctionName: TASK_RUNNER, Payload: payload } : payload,
      timeoutSeconds: task.timeoutSeconds,
      ...(viaInvoke && {
        resultSelector: { ...recordSelector(task), ...permanentFlag(emit, task) },
      }),
      resultPath: record(emit.ctx.key(task.id)),
      retry: task.retry,
      lambda: true,
      catchTo: failed,
      next,
    }),
  );
  return name;
}

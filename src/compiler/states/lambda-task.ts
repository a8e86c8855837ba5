/**
 * @module compiler/states/lambda-task
 * Function tasks, branches and short-circuits: one Task state invoking the task runner Lambda,
 * whose answer becomes the task's record (a branch's also says which downstream tasks it chose).
 */
import { assertNever, type TaskIR } from '../../ir/types.ts';
import { LAMBDA_INVOKE, type JsonValue } from '../asl.ts';
import { PLACEHOLDERS, placeholder } from '../contract.ts';
import { DONE, output, record, RUN } from '../document.ts';
import type { Exits, Next, Scope, Walk } from '../scope.ts';
import { gateInputs } from '../runner-gate.ts';
import { failurePass, permanentFlag, renderTask } from './task-fields.ts';

/** Placeholder filled by infra (DefinitionSubstitutions) or by the engine. */
export const TASK_RUNNER = placeholder(PLACEHOLDERS.taskRunner);

/** Upstream outputs a function task reads, by record key (the runner builds arguments from them). */
export function inputs(emit: Walk, task: TaskIR): Record<string, string> | undefined {
  const upstream = (emit.ctx.dataUpstream.get(task.id) ?? []).map((u) => emit.ctx.key(u));
  if (upstream.length === 0) return undefined;
  return Object.fromEntries([...new Set(upstream)].sort().map((k) => [`${k}.$`, output(k)]));
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
 * The record from the runner's answer. A gated task's answer is its whole record (`s` too: it may
 * be skipped); otherwise the state is success and a function task's answer is its output.
 */
function resultSelector(task: TaskIR, gated: boolean): Record<string, JsonValue> {
  const s: Record<string, JsonValue> = gated ? { 's.$': '$.Payload.s' } : { s: 'success' };
  switch (task.body.kind) {
    case 'branch':
      return { ...s, 'o.$': '$.Payload.o', 'c.$': '$.Payload.c' };
    case 'short_circuit':
      return { ...s, 'o.$': '$.Payload.o' };
    case 'function':
    case 'sensor':
    case 'operator':
      return { ...s, 'o.$': gated ? '$.Payload.o' : '$.Payload' };
    default:
      return assertNever(task.body, 'task body');
  }
}

export function renderLambdaTask(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const name = emit.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' }); // keeps the task's place in the States order
  emit.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  const next = exits.success();
  const failed = failurePass(emit, scope, task, exits);
  const gated = exits.gated === true;
  const gate: Record<string, JsonValue> = gated ? { g: gateInputs(emit.ctx, task.id) } : {};
  scope.add(
    name,
    renderTask({
      resource: LAMBDA_INVOKE,
      parameters: { FunctionName: TASK_RUNNER, Payload: runnerPayload(emit, task, gate) },
      timeoutSeconds: task.timeoutSeconds,
      resultSelector: { ...resultSelector(task, gated), ...permanentFlag(emit, task) },
      resultPath: record(emit.ctx.key(task.id)),
      retry: task.retry,
      lambda: true,
      catchTo: failed,
      next,
    }),
  );
  return name;
}

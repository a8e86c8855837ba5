/**
 * @module compiler/render-marks
 * One Pass state that records tasks decided without running (skipped, upstream_failed): a
 * `Result` for one task, a `States.JsonMerge` into `t` for several (one transition either way).
 */
import type { TaskState } from '../ir/types.ts';
import type { JsonValue, State } from './asl.ts';
import type { CompileContext } from './context.ts';
import { recordDefaults } from './document.ts';

export function recordFor(ctx: CompileContext, taskId: string, state: TaskState): Record<string, JsonValue> {
  const downstream = (ctx.downstream.get(taskId) ?? []).map((d) => ctx.key(d));
  return { s: state, ...(recordDefaults(ctx.task(taskId), downstream) as Record<string, JsonValue>), ...(ctx.inRetriedGroup(taskId) && { pe: false }) };
}

/** A string literal for an intrinsic function argument: \ ' { } are escaped. */
export function intrinsicLiteral(text: string): string {
  return `'${text.replace(/[\\'{}]/g, (c) => `\\${c}`)}'`;
}

export function renderMarks(ctx: CompileContext, pending: ReadonlyMap<string, TaskState>, link: { Next: string } | { End: true }): State {
  const entries = [...pending].map(([id, state]) => [ctx.key(id), recordFor(ctx, id, state)] as const);
  if (entries.length === 1) {
    const [key, rec] = entries[0]!;
    return { Type: 'Pass', Result: rec, ResultPath: `$.t.${key}`, ...link };
  }
  const json = JSON.stringify(Object.fromEntries(entries));
  return {
    Type: 'Pass',
    // StringToJson(Format('…')): Format resolves the \{ \} escapes (AWS and aws-local-stepfunctions alike).
    Parameters: { 'run.$': '$.run', 't.$': `States.JsonMerge($.t, States.StringToJson(States.Format(${intrinsicLiteral(json)})), false)`, 'done.$': '$.done' },
    ...link,
  };
}

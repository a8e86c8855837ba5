/**
 * @module compiler/states/marks
 * One Pass state that records tasks decided without running (skipped, upstream_failed): a
 * `Result` for one task, a `States.JsonMerge` into `t` for several (one transition either way).
 */
import type { TaskState } from '../../ir/types.ts';
import type { JsonValue, State } from '../asl.ts';
import type { CompileContext } from '../context.ts';
import { DONE, record, recordDefaults, recordsMergedWith, RUN } from '../document.ts';

/** The record of a task in the given state, with the fields every record of it has. */
export function recordFor(
  ctx: CompileContext,
  taskId: string,
  state: TaskState,
): Record<string, JsonValue> {
  const downstream = (ctx.downstream.get(taskId) ?? []).map((d) => ctx.key(d));
  return {
    s: state,
    ...(recordDefaults(ctx.task(taskId), downstream) as Record<string, JsonValue>),
    ...(ctx.inRetriedGroup(taskId) && { pe: false }),
  };
}

export function renderMarks(
  ctx: CompileContext,
  pending: ReadonlyMap<string, TaskState>,
  link: { Next: string } | { End: true },
): State {
  const entries = [...pending].map(
    ([id, state]) => [ctx.key(id), recordFor(ctx, id, state)] as const,
  );
  if (entries.length === 1) {
    const [key, rec] = entries[0]!;
    return { Type: 'Pass', Result: rec, ResultPath: record(key), ...link };
  }
  return {
    Type: 'Pass',
    Parameters: {
      'run.$': RUN,
      't.$': recordsMergedWith(JSON.stringify(Object.fromEntries(entries))),
      'done.$': DONE,
    },
    ...link,
  };
}

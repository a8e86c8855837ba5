/**
 * @module cli/ui-inputs
 * What a task of a run was given (the UI's task instance, GET /api/runs/:run/tasks/:task/inputs):
 * each argument as the DAG declares it, an upstream output read from that task's record (stored
 * masked) and a field of it picked as the compiled machine picks it; an offloaded output stays a
 * reference, opened from its own task. A mapped task's mapped argument is the list it maps over.
 */
import { isObjectRef } from '../runtime/objects.ts';
import { assertNever, type DagIR, type ValueIR } from '../ir/types.ts';
import type { TaskRecord } from '../store/types.ts';

export interface TaskInput {
  /** `argument 1` …, or `mapped over` for the list a mapped task iterates. */
  readonly name: string;
  /** The upstream tasks it reads (none for a literal). */
  readonly from: readonly string[];
  /** The value, with `{ "$ref" }` for an offloaded output and `{ "$run": name }` for a run value. */
  readonly value: unknown;
}

/** The task's inputs, or undefined when the DAG has no such task. */
export function taskInputs(
  ir: DagIR,
  taskId: string,
  records: readonly TaskRecord[],
): TaskInput[] | undefined {
  const task = ir.tasks.find((t) => t.id === taskId);
  if (!task) return undefined;
  const outputs = new Map(records.map((r) => [r.taskId, r.output]));
  const inputs = task.args.map((arg, i) => ({
    name: task.mapping?.argIndex === i ? 'mapped over' : `argument ${i + 1}`,
    from: upstreamOf(arg),
    value: valueOf(task.mapping?.argIndex === i ? task.mapping.over : arg, outputs),
  }));
  return inputs;
}

function upstreamOf(v: ValueIR): string[] {
  switch (v.kind) {
    case 'output':
      return [v.task];
    case 'object':
      return [...new Set(Object.values(v.fields).flatMap(upstreamOf))];
    case 'array':
    case 'format':
      return [...new Set((v.kind === 'array' ? v.items : v.args).flatMap(upstreamOf))];
    case 'literal':
    case 'context':
      return [];
    default:
      return assertNever(v);
  }
}

function valueOf(v: ValueIR, outputs: ReadonlyMap<string, unknown>): unknown {
  switch (v.kind) {
    case 'literal':
      return v.value;
    case 'output': {
      if (!outputs.has(v.task)) return { $notRun: v.task };
      const output = outputs.get(v.task);
      if (isObjectRef(output)) return v.path.length > 0 ? { ...output, path: v.path } : output;
      let at: unknown = output;
      for (const key of v.path)
        at =
          at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
      return at;
    }
    case 'object':
      return Object.fromEntries(Object.entries(v.fields).map(([k, f]) => [k, valueOf(f, outputs)]));
    case 'array':
      return v.items.map((item) => valueOf(item, outputs));
    case 'context':
      return { $run: v.name };
    case 'format':
      return { $format: v.template, args: v.args.map((a) => valueOf(a, outputs)) };
    default:
      return assertNever(v);
  }
}

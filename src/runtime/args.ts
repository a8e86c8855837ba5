/**
 * @module runtime/args
 * Builds a task's arguments from its `ValueIR` templates (in the manifest), the upstream
 * outputs the state machine passed in (`in`, by record key), the run values and, for mapped
 * instances, the item. Pure: no AWS, no I/O (offloaded values are resolved before this).
 */
import type { DatasetEvent } from '../sdk/context.ts';
import type { ValueIR } from '../ir/types.ts';
import { assertNever } from '../ir/types.ts';
import { templateParts } from '../ir/format.ts';

export interface RunValues {
  readonly dagId: string;
  readonly runId: string;
  readonly key: string;
  readonly logicalDate: string;
  readonly ds: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly triggeredBy: string;
  readonly timers: Readonly<Record<string, string>>;
  /** Dataset-triggered runs: the events that made the condition hold. */
  readonly triggeringEvents?: readonly DatasetEvent[];
}

export interface ArgSources {
  readonly run: RunValues;
  /** Upstream outputs by record key. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Record key of each task id. */
  readonly keyOf: (taskId: string) => string;
}

/** A value's part at an output path (`.get('files').get(0)`); undefined past a missing one. */
export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

export function resolveValue(v: ValueIR, src: ArgSources): unknown {
  switch (v.kind) {
    case 'literal':
      return v.value;
    case 'output':
      return valueAt(src.inputs[src.keyOf(v.task)] ?? null, v.path) ?? null;
    case 'context':
      return src.run[v.name];
    case 'object':
      return Object.fromEntries(
        Object.entries(v.fields).map(([k, f]) => [k, resolveValue(f, src)]),
      );
    case 'array':
      return v.items.map((i) => resolveValue(i, src));
    case 'format': {
      const values = v.args.map((a) => {
        const r = resolveValue(a, src);
        return typeof r === 'string' ? r : JSON.stringify(r);
      });
      return templateParts(v.template)
        .map((part, i) => (i === 0 ? part : `${values[i - 1] ?? ''}${part}`))
        .join('');
    }
    default:
      return assertNever(v, 'value');
  }
}

/** The arguments of one call; for a mapped instance the mapped argument is the item. */
export function resolveArgs(
  args: readonly ValueIR[],
  src: ArgSources,
  mapped?: { readonly argIndex: number; readonly item: unknown },
): unknown[] {
  return args.map((a, i) => (mapped && i === mapped.argIndex ? mapped.item : resolveValue(a, src)));
}

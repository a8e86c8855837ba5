/**
 * @module sdk/build-values
 * Task arguments and operator parameters → `ValueIR`: JSON literals, references to upstream
 * outputs (which become data edges), run values and `format` templates. Anything that cannot
 * travel through a Step Functions state document (functions, Dates, Maps…) is reported.
 */
import type { ValueIR } from '../ir/types.ts';
import type { ProblemCollector, ProblemDetails } from '../ir/problems.ts';
import { ContextRef, FormatRef, OutputRef, type DagBuilder } from './builder.ts';
import { GroupNode, isTaskFn } from './nodes.ts';

export interface ValueContext {
  readonly builder: DagBuilder;
  readonly out: ProblemCollector;
  readonly details: ProblemDetails;
  /** Upstream task ids referenced, for data edges. */
  readonly refs: Set<string>;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function toValue(raw: unknown, label: string, ctx: ValueContext): ValueIR | undefined {
  if (raw instanceof OutputRef) {
    if (raw.builder !== ctx.builder) {
      ctx.out.error('foreign-output', `${label} uses the output of task "${raw.taskId}" from DAG "${raw.builder.dagId}"; a task can only receive outputs of its own DAG`, {
        ...ctx.details,
        hint: 'declare the task inside this DAG too, or share the data through a dataset',
      });
      return undefined;
    }
    ctx.refs.add(raw.taskId);
    return { kind: 'output', task: raw.taskId, path: raw.path };
  }
  if (raw instanceof ContextRef) return { kind: 'context', name: raw.name as never };
  if (raw instanceof FormatRef) {
    const args: ValueIR[] = [];
    for (const [i, a] of raw.args.entries()) {
      const v = toValue(a, `${label} (template value ${i + 1})`, ctx);
      if (!v) return undefined;
      args.push(v);
    }
    return { kind: 'format', template: raw.template, args };
  }
  if (isTaskFn(raw)) {
    ctx.out.error('uncalled-task', `${label} is the task declaration "${raw.taskId}" itself, not its output`, {
      ...ctx.details,
      hint: `call it to pass its output: ${raw.taskId}() — or use then(${raw.taskId}) for an order-only dependency`,
    });
    return undefined;
  }
  if (raw instanceof GroupNode) {
    ctx.out.error('group-as-value', `${label} is the group "${raw.id}", which has no output of its own`, {
      ...ctx.details,
      hint: 'pass the output of a task inside the group (return it from the group function and use group.output)',
    });
    return undefined;
  }
  if (raw === undefined || raw === null) return { kind: 'literal', value: null };
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return { kind: 'literal', value: raw };
    case 'number':
      if (Number.isFinite(raw)) return { kind: 'literal', value: raw };
      break;
    case 'object': {
      if (Array.isArray(raw)) {
        const items: ValueIR[] = [];
        for (const [i, item] of raw.entries()) {
          const v = toValue(item, `${label}[${i}]`, ctx);
          if (!v) return undefined;
          items.push(v);
        }
        return items.every((v) => v.kind === 'literal')
          ? { kind: 'literal', value: items.map((v) => (v as { value: unknown }).value) }
          : { kind: 'array', items };
      }
      if (raw instanceof Date) {
        ctx.out.error('not-serializable', `${label} is a Date; values between tasks travel as JSON`, { ...ctx.details, hint: 'pass date.toISOString() instead' });
        return undefined;
      }
      if (isPlainObject(raw)) {
        const fields: Record<string, ValueIR> = {};
        for (const [key, value] of Object.entries(raw)) {
          if (value === undefined) continue;
          const v = toValue(value, `${label}.${key}`, ctx);
          if (!v) return undefined;
          fields[key] = v;
        }
        const all = Object.values(fields);
        return all.every((v) => v.kind === 'literal')
          ? { kind: 'literal', value: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, (v as { value: unknown }).value])) }
          : { kind: 'object', fields };
      }
      break;
    }
    default:
      break;
  }
  const what = typeof raw === 'object' ? (raw.constructor?.name ?? 'object') : typeof raw === 'number' ? String(raw) : typeof raw;
  ctx.out.error('not-serializable', `${label} is a ${what}, which cannot travel between tasks (values must be JSON: strings, numbers, booleans, null, arrays and plain objects)`, {
    ...ctx.details,
    hint: 'convert it to plain JSON data first',
  });
  return undefined;
}

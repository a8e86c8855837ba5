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

/** Says `raw` is not one of the SDK's handles: look at it as plain data. */
const DATA = Symbol('data');

export function toValue(raw: unknown, label: string, ctx: ValueContext): ValueIR | undefined {
  const handle = fromHandle(raw, label, ctx);
  if (handle !== DATA) return handle;
  if (raw === undefined || raw === null) return { kind: 'literal', value: null };
  if (typeof raw === 'string' || typeof raw === 'boolean') return { kind: 'literal', value: raw };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { kind: 'literal', value: raw };
  if (Array.isArray(raw)) return fromArray(raw, label, ctx);
  if (raw instanceof Date) {
    ctx.out.error('not-serializable', `${label} is a Date; values between tasks travel as JSON`, {
      ...ctx.details,
      hint: 'pass date.toISOString() instead',
    });
    return undefined;
  }
  if (typeof raw === 'object' && isPlainObject(raw))
    return fromObject(raw as Record<string, unknown>, label, ctx);
  const what =
    typeof raw === 'object'
      ? (raw.constructor?.name ?? 'object')
      : typeof raw === 'number'
        ? String(raw)
        : typeof raw;
  ctx.out.error(
    'not-serializable',
    `${label} is a ${what}, which cannot travel between tasks (values must be JSON: strings, numbers, booleans, null, arrays and plain objects)`,
    {
      ...ctx.details,
      hint: 'convert it to plain JSON data first',
    },
  );
  return undefined;
}

/** An SDK handle (an upstream output, a run value, a template, a task or group by mistake), or DATA. */
function fromHandle(
  raw: unknown,
  label: string,
  ctx: ValueContext,
): ValueIR | undefined | typeof DATA {
  if (raw instanceof OutputRef) {
    if (raw.builder !== ctx.builder) {
      ctx.out.error(
        'foreign-output',
        `${label} uses the output of task "${raw.taskId}" from DAG "${raw.builder.dagId}"; a task can only receive outputs of its own DAG`,
        {
          ...ctx.details,
          hint: 'declare the task inside this DAG too, or share the data through a dataset',
        },
      );
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
    ctx.out.error(
      'uncalled-task',
      `${label} is the task declaration "${raw.taskId}" itself, not its output`,
      {
        ...ctx.details,
        hint: `call it to pass its output: ${raw.taskId}() — or use then(${raw.taskId}) for an order-only dependency`,
      },
    );
    return undefined;
  }
  if (raw instanceof GroupNode) {
    ctx.out.error(
      'group-as-value',
      `${label} is the group "${raw.id}", which has no output of its own`,
      {
        ...ctx.details,
        hint: 'pass the output of a task inside the group (return it from the group function and use group.output)',
      },
    );
    return undefined;
  }
  return DATA;
}

/** A list: a literal when every item is one, otherwise an array value (it holds references). */
function fromArray(raw: readonly unknown[], label: string, ctx: ValueContext): ValueIR | undefined {
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

/** A plain object (undefined fields dropped, as JSON does): a literal unless it holds references. */
function fromObject(
  raw: Record<string, unknown>,
  label: string,
  ctx: ValueContext,
): ValueIR | undefined {
  const fields: Record<string, ValueIR> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const v = toValue(value, `${label}.${key}`, ctx);
    if (!v) return undefined;
    fields[key] = v;
  }
  const all = Object.entries(fields);
  return all.every(([, v]) => v.kind === 'literal')
    ? {
        kind: 'literal',
        value: Object.fromEntries(all.map(([k, v]) => [k, (v as { value: unknown }).value])),
      }
    : { kind: 'object', fields };
}

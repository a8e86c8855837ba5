/**
 * @module compiler/values
 * `ValueIR` → JSONPath Parameters for native operators: literals stay literal, upstream outputs
 * and run values become `"key.$": "<path>"`, templates become `States.Format(...)`. (Function
 * tasks do not use this: the task runner builds their arguments from the manifest.)
 */
import type { ValueIR } from '../ir/types.ts';
import { assertNever } from '../ir/types.ts';
import type { JsonValue } from './asl.ts';
import { output, runValue, type Keys } from './document.ts';
import { intrinsicScalar, intrinsicString } from './intrinsics.ts';
import { templateParts } from '../ir/format.ts';
import { InternalError } from '../errors.ts';

/** Path of a value in the state document, or undefined for values that need a template. */
function pathOf(v: ValueIR, keys: Keys): string | undefined {
  switch (v.kind) {
    case 'output':
      return output(keys.get(v.task)!, v.path);
    case 'context':
      return runValue(v.name);
    case 'literal':
    case 'format':
    case 'object':
    case 'array':
      return undefined;
    default:
      return assertNever(v, 'value');
  }
}

/** A field of Parameters: `[name, value]` where a dynamic value gets the `.$` suffix. */
export function renderField(name: string, v: ValueIR, keys: Keys): [string, JsonValue] {
  const path = pathOf(v, keys);
  if (path) return [`${name}.$`, path];
  switch (v.kind) {
    case 'literal':
      // A literal object whose keys end in ".$" would be read as paths: pass it as a JSON string parsed at run time.
      return JSON.stringify(v.value).includes('.$"')
        ? [
            `${name}.$`,
            `States.StringToJson(States.Format(${intrinsicString(JSON.stringify(v.value))}))`,
          ]
        : [name, v.value as JsonValue];
    case 'format': {
      // States.Format fills {} in order; literal parts escape \ ' { } (the IR template escapes \ { } already: ir/format).
      const parts = templateParts(v.template);
      const args = v.args.map(
        (a) =>
          pathOf(a, keys) ?? (a.kind === 'literal' ? intrinsicString(String(a.value)) : undefined),
      );
      // Validation refuses other holes (ir/validate: unsupported-parameter-value).
      if (args.some((a) => a === undefined))
        throw new InternalError(
          `format template arguments must be run values, outputs or literals (${v.template})`,
        );
      if (parts.length - 1 !== args.length)
        throw new InternalError(
          `format template "${v.template}" has ${parts.length - 1} placeholders for ${args.length} values`,
        );
      const template = `'${parts.map((p) => intrinsicString(p).slice(1, -1)).join('{}')}'`;
      return [`${name}.$`, `States.Format(${template}${args.map((a) => `, ${a}`).join('')})`];
    }
    case 'object':
      return [name, renderObject(v.fields, keys)];
    case 'array': {
      if (v.items.every((i) => i.kind === 'literal'))
        return [name, v.items.map((i) => (i as { value: JsonValue }).value)];
      // Arrays with dynamic items: States.Array of paths/literals.
      const items = v.items.map(
        (i) => pathOf(i, keys) ?? (i.kind === 'literal' ? intrinsicScalar(i.value) : undefined),
      );
      // Validation refuses these (ir/validate: unsupported-parameter-value).
      if (items.some((i) => i === undefined))
        throw new InternalError(
          'arrays mixing objects and outputs are not supported in operator parameters',
        );
      return [`${name}.$`, `States.Array(${items.join(', ')})`];
    }
    case 'output':
    case 'context':
      throw new InternalError(`a ${v.kind} value has a path (pathOf)`);
    default:
      return assertNever(v, 'value');
  }
}

export function renderObject(
  fields: Readonly<Record<string, ValueIR>>,
  keys: Keys,
): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => renderField(k, v, keys)));
}

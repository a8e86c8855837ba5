/**
 * @module runtime/params
 * A run's params: the trigger's conf checked against the DAG's declared params (Airflow's
 * Param validation on trigger), defaults filled in. Every problem is reported at once.
 */
import type { DagIR, ParamIR } from '../ir/types.ts';
import { ConfigError } from '../errors.ts';

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isInteger(v)) return 'integer';
  return typeof v;
}

function check(name: string, spec: ParamIR, value: unknown): string | undefined {
  const actual = typeOf(value);
  const ok = spec.type === actual || (spec.type === 'number' && actual === 'integer');
  if (!ok)
    return `param "${name}" must be ${spec.type === 'integer' || spec.type === 'array' || spec.type === 'object' ? 'an' : 'a'} ${spec.type}, got ${JSON.stringify(value)}`;
  if (spec.enum && !spec.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return `param "${name}" must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`;
  if (spec.minimum !== undefined && (value as number) < spec.minimum)
    return `param "${name}" must be at least ${spec.minimum}, got ${String(value)}`;
  if (spec.maximum !== undefined && (value as number) > spec.maximum)
    return `param "${name}" must be at most ${spec.maximum}, got ${String(value)}`;
  return undefined;
}

/** The params of a run from its conf; a ConfigError listing every problem otherwise. */
export function resolveParams(
  dag: DagIR,
  conf: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const problems: string[] = [];
  const declared = Object.keys(dag.params);
  // Own keys only, as JSON has them: "__proto__" or "toString" in a conf are keys like any other
  // (JSON.parse and Lambda's runtime keep them as such), not what every object inherits.
  for (const key of Object.keys(conf)) {
    if (!Object.hasOwn(dag.params, key))
      problems.push(
        `unknown param "${key}" (declared: ${declared.length ? declared.join(', ') : 'none'})`,
      );
  }
  const params: [string, unknown][] = [];
  for (const [name, spec] of Object.entries(dag.params)) {
    const value = Object.hasOwn(conf, name) ? conf[name] : spec.default;
    if (value === undefined) {
      if (spec.required)
        problems.push(
          `param "${name}" is required (${spec.type}${spec.description ? `: ${spec.description}` : ''})`,
        );
      continue;
    }
    const problem = check(name, spec, value);
    if (problem) problems.push(problem);
    else params.push([name, value]);
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `DAG "${dag.id}" cannot start with this conf: ${problems.join('; ')}. Pass --conf '{"name": value}' with the declared params.`,
    );
  }
  // fromEntries keeps a param named "__proto__" an own key (assigning it would set the prototype).
  return Object.fromEntries(params);
}

/**
 * @module schedule/dataset-condition
 * The one rule of data-aware scheduling, shared by the launcher on AWS and the engine locally:
 * given the datasets updated since a consumer's last dataset-triggered run, whether its
 * condition holds, and what it still waits for. Written as Airflow writes asset conditions:
 * `s3://a | (s3://b & s3://c)`.
 */
import { assertNever, type DatasetCondition } from '../ir/types.ts';

/** Whether the condition holds when exactly the datasets in `updated` have new events. */
export function conditionHolds(condition: DatasetCondition, updated: ReadonlySet<string>): boolean {
  switch (condition.kind) {
    case 'dataset':
      return updated.has(condition.uri);
    case 'all':
      return condition.of.every((c) => conditionHolds(c, updated));
    case 'any':
      return condition.of.some((c) => conditionHolds(c, updated));
    default:
      return assertNever(condition, 'dataset condition');
  }
}

/** Every dataset the condition names, sorted, once each. */
export function datasetsOf(condition: DatasetCondition): string[] {
  const uris = new Set<string>();
  const visit = (c: DatasetCondition): void => {
    if (c.kind === 'dataset') uris.add(c.uri);
    else c.of.forEach(visit);
  };
  visit(condition);
  return [...uris].sort();
}

/**
 * The part of the condition not yet met (undefined when it holds): of an `all`, its unmet
 * members; of an `any` none of which holds, what each member still waits for.
 */
export function waitingFor(
  condition: DatasetCondition,
  updated: ReadonlySet<string>,
): DatasetCondition | undefined {
  if (conditionHolds(condition, updated)) return undefined;
  if (condition.kind === 'dataset') return condition;
  const unmet = condition.of.flatMap((c) => waitingFor(c, updated) ?? []);
  return unmet.length === 1 ? unmet[0] : { kind: condition.kind, of: unmet };
}

/** `s3://a | (s3://b & s3://c)`: `|` any, `&` all, parentheses where they nest. */
export function formatCondition(condition: DatasetCondition): string {
  switch (condition.kind) {
    case 'dataset':
      return condition.uri;
    case 'all':
    case 'any':
      if (condition.of.length === 1) return formatCondition(condition.of[0]!);
      return condition.of
        .map((c) => (c.kind === 'dataset' ? formatCondition(c) : `(${formatCondition(c)})`))
        .join(condition.kind === 'all' ? ' & ' : ' | ');
    default:
      return assertNever(condition, 'dataset condition');
  }
}

/** In words, for `updraft list` and docs: "When s3://a and s3://b are updated". */
export function describeCondition(condition: DatasetCondition): string {
  if (condition.kind === 'dataset') return `When ${condition.uri} is updated`;
  if (condition.of.length === 1) return describeCondition(condition.of[0]!);
  if (condition.of.every((c) => c.kind === 'dataset')) {
    const uris = condition.of.map((c) => formatCondition(c));
    const list = `${uris.slice(0, -1).join(', ')} ${condition.kind === 'all' ? 'and' : 'or'} ${uris.at(-1)}`;
    return condition.kind === 'all' ? `When ${list} are updated` : `When ${list} is updated`;
  }
  return `When datasets are updated: ${formatCondition(condition)}`;
}

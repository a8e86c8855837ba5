/**
 * @module store/dynamo-run-update
 * A run update (store/run-update) as one DynamoDB UpdateItem: the patched fields, the index keys
 * that follow them (the sparse active-runs index follows `status`, both sort keys follow
 * `logicalDate`), and the update's condition as a ConditionExpression. It never creates half a
 * run: the item must exist.
 */
import { ACTIVE_PARTITION, isActive, runSortKey } from './table.ts';
import { patchedFields, type RunCondition, type RunPatch } from './run-update.ts';

export interface RunUpdateExpression {
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
  /** `SET …` / `REMOVE …`; empty when the patch writes nothing. */
  readonly expression: string;
  readonly condition: string;
}

/** The UpdateItem parts of a run update; `toValue` prepares a value for the document client. */
export function runUpdateExpression(
  runId: string,
  patch: RunPatch,
  condition: RunCondition,
  toValue: (value: unknown) => unknown,
): RunUpdateExpression {
  const names: Record<string, string> = { '#pk': 'pk' };
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  const remove: string[] = [];
  patchedFields(patch).forEach(([field, value], n) => {
    names[`#f${n}`] = field;
    if (value === undefined) {
      remove.push(`#f${n}`);
    } else {
      values[`:f${n}`] = toValue(value);
      set.push(`#f${n} = :f${n}`);
    }
  });
  if (patch.status !== undefined) {
    names['#gsi2pk'] = 'gsi2pk';
    if (isActive(patch.status)) {
      values[':active'] = ACTIVE_PARTITION;
      set.push('#gsi2pk = :active');
    } else {
      remove.push('#gsi2pk');
    }
  }
  if (patch.logicalDate !== undefined) {
    Object.assign(names, { '#gsi1sk': 'gsi1sk', '#gsi2sk': 'gsi2sk' });
    values[':sortKey'] = runSortKey(patch.logicalDate, runId);
    set.push('#gsi1sk = :sortKey', '#gsi2sk = :sortKey');
  }
  const expression = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { names, values, expression, condition: conditionExpression(condition, names, values) };
}

/** The condition, adding the names and values it uses. */
function conditionExpression(
  condition: RunCondition,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  const exists = 'attribute_exists(#pk)'; // never create half a run
  const statusIn = (statuses: readonly string[]) => {
    names['#status'] = 'status';
    statuses.forEach((s, i) => (values[`:s${i}`] = s));
    return `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`;
  };
  switch (condition.kind) {
    case 'exists':
      return exists;
    case 'status':
      return `${exists} AND ${statusIn(condition.in)}`;
    case 'guard': {
      const { field, below, orEqualIn } = condition.guard;
      names['#g'] = field;
      values[':below'] = below;
      // A missing counter counts as 0.
      const missingBelow = below > 0 ? ['attribute_not_exists(#g)'] : [];
      const equal = below === 0 ? '(#g = :below OR attribute_not_exists(#g))' : '#g = :below';
      const allowed = [
        ...missingBelow,
        '#g < :below',
        ...(orEqualIn?.length ? [`(${equal} AND ${statusIn(orEqualIn)})`] : []),
      ];
      return `${exists} AND (${allowed.join(' OR ')})`;
    }
  }
}

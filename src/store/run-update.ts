/**
 * @module store/run-update
 * What an update of a run writes and when it applies, in one place for every store: each store
 * turns this into its own write (SQLite: the patched record in one transaction; DynamoDB: one
 * UpdateItem with a condition), so a run field cannot be written by one update and forgotten by
 * another, nor by one store and not the other.
 *
 * Patch semantics (the Store interface): `runId` and `dagId` never change; an undefined value
 * removes the field, except `status`, which an undefined value leaves as it is. A patch that
 * writes nothing is a read that still honours the update's condition.
 */
import type { RunRecord, RunStatus } from './types.ts';

export type RunPatch = Partial<Omit<RunRecord, 'runId' | 'dagId'>>;

/** updateRunGuarded's guard: a run counter (missing counts as 0) below `below`, or equal to it in a state of `orEqualIn`. */
export interface RunGuard {
  readonly field: 'attempt' | 'notifiedAttempt';
  readonly below: number;
  readonly orEqualIn?: readonly RunStatus[];
}

/** When an update applies: always, in one of these statuses (updateRun's `ifStatus`), or under a counter guard. */
export type RunCondition =
  | { readonly kind: 'exists' }
  | { readonly kind: 'status'; readonly in: readonly RunStatus[] }
  | { readonly kind: 'guard'; readonly guard: RunGuard };

/** The fields a patch writes, in its order: a value to set, or undefined to remove the field. */
export function patchedFields(patch: RunPatch): [field: string, value: unknown][] {
  return Object.entries(patch).filter(
    ([field, value]) =>
      field !== 'runId' && field !== 'dagId' && !(field === 'status' && value === undefined),
  );
}

/** The run with the patch applied. */
export function applyPatch(run: RunRecord, patch: RunPatch): RunRecord {
  const next: Record<string, unknown> = { ...run };
  for (const [field, value] of patchedFields(patch)) {
    if (value === undefined) delete next[field];
    else next[field] = value;
  }
  return next as unknown as RunRecord;
}

/** Whether the condition holds for the run as it is now. */
export function conditionHolds(run: RunRecord, condition: RunCondition): boolean {
  switch (condition.kind) {
    case 'exists':
      return true;
    case 'status':
      return condition.in.includes(run.status);
    case 'guard': {
      const { field, below, orEqualIn } = condition.guard;
      const current = run[field] ?? 0;
      return current < below || (current === below && (orEqualIn ?? []).includes(run.status));
    }
  }
}

/** updateRun's condition: with `ifStatus`, only in those statuses. */
export function statusCondition(ifStatus: readonly RunStatus[] | undefined): RunCondition {
  return ifStatus ? { kind: 'status', in: ifStatus } : { kind: 'exists' };
}

/**
 * An update that is not applied whatever the run is: updateRun with an empty `ifStatus`, and a
 * guarded update that writes nothing (undefined: not applied).
 */
export function notApplied(patch: RunPatch, condition: RunCondition): boolean {
  if (condition.kind === 'status') return condition.in.length === 0;
  if (condition.kind === 'guard') return patchedFields(patch).length === 0;
  return false;
}

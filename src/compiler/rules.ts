/**
 * @module compiler/rules
 * Airflow 3 trigger rules as ordered decision lists over upstream categories, used two ways:
 * statically (states known at compile time, to route failure and skip paths without Choice
 * states) and dynamically (rendered to a Choice state reading the upstream records).
 *
 * The decision lists follow Airflow's TriggerRuleDep evaluated once every upstream task is done
 * (Step Functions joins only when all branches end, so `one_success`/`one_failed` decide at the
 * join rather than at the first success or failure: same final states, later start).
 */
import type { TaskState, TriggerRule } from '../ir/types.ts';
import { assertNever } from '../ir/types.ts';

export type Outcome = 'run' | 'skipped' | 'upstream_failed';

/** A condition over the upstream tasks' records. (Branch and short-circuit skips: `ForcedSkip`, context.ts.) */
export interface Cond {
  readonly kind: 'all' | 'any';
  readonly of: Pred;
}

/**
 * What one upstream task's record says, over its instances (a mapped task has many, a plain task
 * one): all* = every instance, any* = at least one. "Failed" counts failed and upstream_failed.
 */
export type Pred =
  | 'allSucceeded'
  | 'allFailed'
  | 'allSkipped'
  | 'anySucceeded'
  | 'anyFailed'
  | 'anySkipped'
  | 'anySucceededOrFailed';

export interface Decision {
  readonly when: Cond;
  readonly then: Outcome;
}
export interface DecisionList {
  readonly decisions: readonly Decision[];
  readonly otherwise: Outcome;
}

const all = (of: Pred): Cond => ({ kind: 'all', of });
const any = (of: Pred): Cond => ({ kind: 'any', of });

/** Airflow's rule → decision list (first matching decision wins). */
export function decisionList(rule: TriggerRule | 'teardown'): DecisionList {
  switch (rule) {
    case 'all_success':
      return {
        decisions: [
          { when: all('allSucceeded'), then: 'run' },
          { when: any('anyFailed'), then: 'upstream_failed' },
        ],
        otherwise: 'skipped',
      };
    case 'all_failed':
      return { decisions: [{ when: all('allFailed'), then: 'run' }], otherwise: 'skipped' };
    case 'all_done':
    case 'always':
      return { decisions: [], otherwise: 'run' };
    case 'all_skipped':
      return { decisions: [{ when: all('allSkipped'), then: 'run' }], otherwise: 'skipped' };
    case 'one_success':
      return {
        decisions: [
          { when: all('allSkipped'), then: 'skipped' },
          { when: any('anySucceeded'), then: 'run' },
        ],
        otherwise: 'upstream_failed',
      };
    case 'one_failed':
      return { decisions: [{ when: any('anyFailed'), then: 'run' }], otherwise: 'skipped' };
    case 'one_done':
      return {
        decisions: [{ when: any('anySucceededOrFailed'), then: 'run' }],
        otherwise: 'skipped',
      };
    case 'none_failed':
      return { decisions: [{ when: any('anyFailed'), then: 'upstream_failed' }], otherwise: 'run' };
    case 'none_failed_min_one_success':
      return {
        decisions: [
          { when: any('anyFailed'), then: 'upstream_failed' },
          { when: all('allSkipped'), then: 'skipped' },
        ],
        otherwise: 'run',
      };
    case 'none_skipped':
      return { decisions: [{ when: any('anySkipped'), then: 'skipped' }], otherwise: 'run' };
    case 'teardown':
      // Airflow's all_done_setup_success, over the setups only (other upstream tasks just have to be done).
      return {
        decisions: [
          { when: all('allSkipped'), then: 'skipped' },
          { when: any('anySucceeded'), then: 'run' },
        ],
        otherwise: 'upstream_failed',
      };
    default:
      return assertNever(rule, 'trigger rule');
  }
}

/** Whether a final state satisfies a predicate (a plain, unmapped task). */
export function holds(pred: Pred, state: TaskState): boolean {
  switch (pred) {
    case 'allSucceeded':
    case 'anySucceeded':
      return state === 'success';
    case 'allFailed':
    case 'anyFailed':
      return state === 'failed' || state === 'upstream_failed';
    case 'allSkipped':
    case 'anySkipped':
      return state === 'skipped';
    case 'anySucceededOrFailed':
      return state === 'success' || state === 'failed';
    default:
      return assertNever(pred, 'predicate');
  }
}

/** The outcome for known upstream states (plain tasks). No upstream tasks: the task runs (Airflow: nothing to wait for). */
export function staticOutcome(
  rule: TriggerRule | 'teardown',
  states: readonly TaskState[],
): Outcome {
  if (states.length === 0) return 'run';
  const list = decisionList(rule);
  for (const d of list.decisions) {
    const c = d.when;
    const ok =
      c.kind === 'all' ? states.every((s) => holds(c.of, s)) : states.some((s) => holds(c.of, s));
    if (ok) return d.then;
  }
  return list.otherwise;
}

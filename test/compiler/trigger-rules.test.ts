/**
 * The trigger-rule truth table, run on compiled machines: every Airflow 3 rule × every
 * combination of upstream final states (success, failed, skipped, upstream_failed) for one and
 * two upstream tasks, plus a three-upstream sample. Upstream states are produced for real: a
 * task that throws (failed), a task after a failing one (upstream_failed), a task after a
 * short-circuit that returns false (skipped). The expected outcome comes from a direct
 * transcription of Airflow's TriggerRuleDep (counts), independent of the compiler's tables.
 */
import { describe, expect, it } from 'vitest';
import { dag, PermanentError, shortCircuit, task, TRIGGER_RULES } from './imports.ts';
import type { TaskState, TriggerRule } from '../../src/ir/types.ts';
import { runDag } from './harness.ts';

type Final = 'success' | 'failed' | 'skipped' | 'upstream_failed';
const FINALS: readonly Final[] = ['success', 'failed', 'skipped', 'upstream_failed'];

/** Airflow's TriggerRuleDep once every upstream task is done: run, or the state the task gets. */
function airflow(
  rule: TriggerRule,
  states: readonly Final[],
): 'run' | 'skipped' | 'upstream_failed' {
  const n = states.length;
  const success = states.filter((s) => s === 'success').length;
  const failed = states.filter((s) => s === 'failed').length;
  const upstreamFailed = states.filter((s) => s === 'upstream_failed').length;
  const skipped = states.filter((s) => s === 'skipped').length;
  switch (rule) {
    case 'all_success':
      if (upstreamFailed || failed) return 'upstream_failed';
      if (skipped) return 'skipped';
      return 'run';
    case 'all_failed':
      return success || skipped ? 'skipped' : 'run';
    case 'all_done':
    case 'always':
      return 'run';
    case 'all_skipped':
      return success || failed || upstreamFailed ? 'skipped' : 'run';
    case 'one_success':
      if (n === skipped) return 'skipped';
      if (success <= 0) return 'upstream_failed';
      return 'run';
    case 'one_failed':
      return failed || upstreamFailed ? 'run' : 'skipped';
    case 'one_done':
      return failed || success ? 'run' : 'skipped';
    case 'none_failed':
      return upstreamFailed || failed ? 'upstream_failed' : 'run';
    case 'none_failed_min_one_success':
      if (upstreamFailed || failed) return 'upstream_failed';
      if (skipped === n) return 'skipped';
      return 'run';
    case 'none_skipped':
      return skipped ? 'skipped' : 'run';
  }
}

/** A DAG whose upstream tasks u0..uk end in the given states, and `target` with the rule. */
function scenario(rule: TriggerRule, states: readonly Final[]) {
  return dag(`tr_${rule}`, {}, () => {
    const target = task('target', { triggerRule: rule }, async () => 'ran');
    states.forEach((state, i) => {
      const id = `u${i}`;
      switch (state) {
        case 'success':
          task(id, async () => i)().then(target);
          break;
        case 'failed':
          task(id, async () => {
            throw new PermanentError(`${id} fails`);
          })().then(target);
          break;
        case 'upstream_failed': {
          const boom = task(`boom${i}`, async () => {
            throw new PermanentError('boom');
          });
          boom()
            .then(task(id, async () => i))
            .then(target);
          break;
        }
        case 'skipped': {
          const gate = shortCircuit(
            `gate${i}`,
            { ignoreDownstreamTriggerRules: false },
            async () => false,
          );
          gate()
            .then(task(id, async () => i))
            .then(target);
          break;
        }
      }
    });
  });
}

function combos(k: number): Final[][] {
  if (k === 0) return [[]];
  return combos(k - 1).flatMap((c) => FINALS.map((s) => [...c, s]));
}

const RULES = TRIGGER_RULES as readonly TriggerRule[];
const CASES = RULES.flatMap((rule) =>
  [...combos(1), ...combos(2)].map((states) => [rule, states] as const),
);
const THREE = RULES.flatMap((rule) =>
  [
    ['success', 'skipped', 'failed'],
    ['skipped', 'skipped', 'skipped'],
    ['upstream_failed', 'success', 'success'],
    ['success', 'success', 'success'],
  ].map((states) => [rule, states as Final[]] as const),
);

/**
 * Each scenario as one machine; and cut into parts of two tasks (compiler/parts), the scenarios of
 * three upstream tasks (every rule: their records cross the cuts), with the same answers.
 */
describe.each([
  ['one machine', undefined, [...CASES, ...THREE]],
  ['parts of two tasks', 2, THREE],
] as const)('trigger rules on compiled machines: %s', (_how, maxPartTasks, scenarios) => {
  it.each(scenarios)('%s with upstream %j', async (rule, states) => {
    const r = await runDag(scenario(rule, states), {
      ...(maxPartTasks !== undefined && { maxPartTasks }),
    });
    const expected = airflow(rule, states);
    const upstreamStates = Object.fromEntries(states.map((s, i) => [`u${i}`, s]));
    // The scenario really produced the upstream states it claims.
    expect(Object.fromEntries(Object.entries(r.states).filter(([id]) => /^u\d$/.test(id)))).toEqual(
      upstreamStates,
    );
    expect(r.states.target).toBe(expected === 'run' ? 'success' : expected);
    expect(r.started.includes('target')).toBe(expected === 'run');
    const targetState = r.states.target as TaskState;
    expect(r.status).toBe(
      targetState === 'failed' || targetState === 'upstream_failed' ? 'failed' : 'success',
    );
  });

  it('covers every rule', () => {
    expect(new Set(CASES.map(([rule]) => rule))).toEqual(new Set(RULES));
    expect(CASES.length).toBe(11 * (4 + 16));
  });
});

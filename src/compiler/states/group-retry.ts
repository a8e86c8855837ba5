/**
 * @module compiler/states/group-retry
 * A task group with a group-level retry: a Choice after its tasks (did one fail, not
 * permanently?), then an attempt ladder that counts the attempt, waits its delay and enters the
 * group again, or gives up.
 */
import type { RetryPolicyIR, TaskState } from '../../ir/types.ts';
import type { ChoiceRule, JsonValue, State } from '../asl.ts';
import { DONE, field, record, RUN } from '../document.ts';
import {
  mergeKnown,
  type Cont,
  type Generator,
  type Known,
  type Next,
  type Scope,
} from '../scope.ts';
import { tasksOf, type SpNode } from '../sp-tree.ts';

/**
 * A task group with a group-level retry: after its tasks, if one of them failed (after its own
 * retries), wait and run the whole group again, up to the group's attempts. The attempt count
 * lives in `t._g_<group>`; outside states are final by then, so the group is re-entered where
 * it was entered the first time. Costs nothing on the happy path but the check.
 */
export function renderGroupRetry(
  gen: Generator,
  groupId: string,
  body: SpNode,
  scope: Scope,
  known: Known,
  cont: Cont,
): Next {
  const group = gen.ctx.dag.groups.find((g) => g.id === groupId);
  const retry = group?.retry;
  if (!retry || retry.attempts <= 1) return gen.enter(body, scope, known, cont);
  const members = tasksOf(body);
  const counter = gen.ctx.counterKey(groupId);
  const waits: string[] = [];
  let onwardName: Next | undefined;
  const onward = (): Next => (onwardName ??= cont(new Map(known), new Map()));
  let ladder: string | undefined;
  const attempt = () =>
    (ladder ??= attemptLadder(gen, groupId, counter, retry, scope, waits, onward));
  let check: string | undefined;
  const after = (k: Known, p: ReadonlyMap<string, TaskState>): Next => {
    const all = mergeKnown(k, p);
    // Known not to have failed → go on; otherwise read the records (was a failure permanent?).
    const clean = members.every((m) => all.has(m) && all.get(m) !== 'failed');
    let next: Next;
    if (clean) next = onward();
    else {
      if (!check) {
        check = gen.ctx.name(`${groupId} failed?`);
        scope.add(check, { Type: 'Pass' });
        // Failed for a reason a re-run may fix: a permanent error (pe) does not re-run the group.
        const rules: ChoiceRule[] = members.map((m) =>
          gen.ctx.task(m).mapping
            ? { Variable: field(gen.ctx.key(m), 'f'), BooleanEquals: true }
            : {
                And: [
                  { Variable: field(gen.ctx.key(m), 's'), StringEquals: 'failed' },
                  { Variable: field(gen.ctx.key(m), 'pe'), BooleanEquals: false },
                ],
              },
        );
        scope.add(check, {
          Type: 'Choice',
          Choices: [{ ...(rules.length === 1 ? rules[0]! : { Or: rules }), Next: attempt() }],
          Default: gen.named(scope, onward()),
        });
        gen.stateTasks.set(check, { tasks: members, role: 'gate' });
      }
      next = check;
    }
    return p.size > 0 ? gen.marks(scope, p, next) : next;
  };
  const entry = gen.enter(body, scope, known, after);
  // The waits go back to where the group was entered, known only now.
  for (const w of waits)
    scope.add(w, {
      ...(scope.states.get(w) as Extract<State, { Type: 'Wait' }>),
      Next: gen.named(scope, entry),
    });
  return entry;
}

/**
 * Which attempt failed → wait that attempt's delay and go again, or give up. The Pass that
 * counts the attempt also rebuilds `t` from the records made before the group (and every
 * attempt counter), dropping the group's records: Parallel branches inside the group merge
 * full copies of `t`, so no stale record of the failed attempt may be left in it.
 */
function attemptLadder(
  gen: Generator,
  groupId: string,
  counter: string,
  retry: RetryPolicyIR,
  scope: Scope,
  waits: string[],
  giveUp: () => Next,
): string {
  const name = gen.ctx.name(`${groupId} attempt?`);
  scope.add(name, { Type: 'Pass' });
  const before = gen.ctx.recordedBefore.get(groupId) ?? [];
  const choices: (ChoiceRule & { Next: string })[] = [];
  for (let n = 1; n < retry.attempts; n++) {
    const delay = Math.min(
      retry.delaySeconds * retry.backoffRate ** (n - 1),
      retry.maxDelaySeconds ?? Number.POSITIVE_INFINITY,
    );
    const seconds = Math.max(0, Math.round(delay));
    const bump = gen.ctx.name(`${groupId} retry ${n}`);
    const wait = gen.ctx.name(`${groupId} wait ${n}`);
    const t: Record<string, JsonValue> = {};
    for (const id of before) t[`${gen.ctx.key(id)}.$`] = record(gen.ctx.key(id));
    for (const g of gen.ctx.retriedGroups) {
      const key = gen.ctx.counterKey(g);
      if (g === groupId)
        t[key] =
          retry.jitter === 'full'
            ? { n, 'wait.$': `States.MathRandom(0, ${seconds + 1})` }
            : { n, wait: seconds };
      else if (g.startsWith(`${groupId}.`)) t[key] = { n: 0, wait: 0 };
      else t[`${key}.$`] = record(key);
    }
    scope.add(bump, { Type: 'Pass', Parameters: { 'run.$': RUN, t, 'done.$': DONE }, Next: wait });
    scope.add(wait, { Type: 'Wait', SecondsPath: field(counter, 'wait'), Next: '' });
    waits.push(wait);
    gen.stateTasks.set(bump, { tasks: [], role: 'retry' });
    gen.stateTasks.set(wait, { tasks: [], role: 'retry' });
    choices.push({ Variable: field(counter, 'n'), NumericEquals: n - 1, Next: bump });
  }
  scope.add(name, { Type: 'Choice', Choices: choices, Default: gen.named(scope, giveUp()) });
  gen.stateTasks.set(name, { tasks: [], role: 'retry' });
  return name;
}

/**
 * @module compiler/codegen
 * Walks the fork/join tree and emits states. Each task is a unit: an optional gate (Choice on
 * its trigger rule), its body (Task, Map, sensor loop …), and exits for success and failure.
 *
 * What keeps transitions near one per task: the compiler tracks, along each path, the states it
 * knows statically. A task whose upstream tasks are known to have succeeded is entered without
 * a gate; when a task fails or is skipped, the tasks whose fate follows statically are recorded
 * by one Pass state (`marks`) instead of being visited one by one. Gates remain where the
 * outcome is only known at run time: joins after a Parallel, branches, short-circuits.
 *
 * Failures never cancel unrelated work: every task catches its errors (after retries) into its
 * record, so Parallel branches always finish, and the run's result is decided at the end from
 * the leaves (Airflow: failed if any leaf is failed or upstream_failed).
 */
import type { RetryPolicyIR, TaskState, TriggerRule } from '../ir/types.ts';
import type { ChoiceRule, JsonValue, State, StateMachine } from './asl.ts';
import { END, Scope, type Cont, type Known, type Next, type Walk } from './scope.ts';
import type { StateRole } from './contract.ts';
import type { CompileContext } from './context.ts';
import { gateChoices, leafFailed } from './conditions.ts';
import { decisionList, staticOutcome, type Outcome } from './rules.ts';
import type { SpNode } from './sp-decompose.ts';
import { renderBody } from './states/body.ts';
import { renderMarks } from './states/marks.ts';
import { renderNextEnd } from './states/task-fields.ts';
import { ERROR_NAMES } from './contract.ts';

/** Records one marks Pass writes at most (bounds the size of failure paths in the definition). */
const MARKS_PER_PASS = 8;

/** Tasks of a subtree, in tree order. */
export function tasksOf(node: SpNode): string[] {
  switch (node.kind) {
    case 'task':
      return [node.id];
    case 'series':
      return node.items.flatMap(tasksOf);
    case 'parallel':
      return node.branches.flatMap(tasksOf);
    case 'cluster':
      return tasksOf(node.body);
  }
}

export function ruleOf(ctx: CompileContext, taskId: string): { rule: TriggerRule | 'teardown'; over: readonly string[] } {
  const t = ctx.task(taskId);
  if (t.role?.kind === 'teardown') return { rule: 'teardown', over: t.role.setups };
  return { rule: t.triggerRule, over: ctx.upstream.get(taskId) ?? [] };
}

/**
 * The outcome of a task when everything it depends on is known statically; undefined when it
 * depends on something only known at run time (an unknown upstream state, a branch's choice,
 * a short-circuit's answer).
 */
function knownOutcome(ctx: CompileContext, taskId: string, known: Known): Outcome | undefined {
  const { rule, over } = ruleOf(ctx, taskId);
  for (const u of ctx.upstream.get(taskId) ?? []) if (!known.has(u)) return undefined;
  // A branch or short-circuit that succeeded skips or not by what it returned: only known at run time.
  for (const f of ctx.forced.get(taskId) ?? []) {
    const s = known.get(f.by);
    if (s === undefined || s === 'success') return undefined;
  }
  return staticOutcome(rule, over.map((u) => known.get(u)!));
}

/** Final states of all tasks of a node when all are decided statically without running any; else undefined. */
function staticMarks(ctx: CompileContext, node: SpNode, known: Known): Map<string, TaskState> | undefined {
  const marks = new Map<string, TaskState>();
  const k = new Map(known);
  // Tree order respects dependencies inside the node (series before, parallel independent).
  for (const id of tasksOf(node)) {
    const outcome = knownOutcome(ctx, id, k);
    if (outcome === undefined || outcome === 'run') return undefined;
    marks.set(id, outcome);
    k.set(id, outcome);
  }
  return marks;
}

/**
 * Tasks outside `node` whose state decides whether tasks of `node` run: their real upstream
 * tasks and the branches/short-circuits that can skip them.
 */
function externalInputs(ctx: CompileContext, node: SpNode): string[] {
  const inside = new Set(tasksOf(node));
  const out = new Set<string>();
  for (const id of inside) {
    for (const u of ctx.upstream.get(id) ?? []) if (!inside.has(u)) out.add(u);
    for (const f of ctx.forced.get(id) ?? []) if (!inside.has(f.by)) out.add(f.by);
  }
  return [...out].sort();
}

function merge(a: Known, b: ReadonlyMap<string, TaskState>): Map<string, TaskState> {
  const m = new Map(a);
  for (const [k, v] of b) m.set(k, v);
  return m;
}

export class Codegen implements Walk {
  readonly ctx: CompileContext;
  readonly stateTasks = new Map<string, StateRole>();
  private scopes = 0;

  constructor(ctx: CompileContext) {
    this.ctx = ctx;
  }

  newScope(): Scope {
    return new Scope(this.scopes++);
  }

  link(next: Next): { Next: string } | { End: true } {
    return renderNextEnd(next);
  }

  /** Emit `node` (with marks still pending) and return the name of the state to enter. */
  proceed(node: SpNode, scope: Scope, known: Known, pending: ReadonlyMap<string, TaskState>, cont: Cont): Next {
    const marks = staticMarks(this.ctx, node, known);
    if (marks) {
      // Fold statically decided tasks into one Pass, but share where paths meet: a node reached
      // statically with the same inputs again joins the Pass made the first time, and a Pass
      // holds at most MARKS_PER_PASS records, so failure paths cost O(tasks) definition size,
      // not O(tasks²).
      const sig = `static|${tasksOf(node)[0]}|${tasksOf(node).length}|${externalInputs(this.ctx, node).map((u) => `${u}=${known.get(u)}`).join(',')}`;
      const shared = scope.memo.get(sig);
      if (shared !== undefined) return pending.size > 0 ? this.marks(scope, pending, shared) : shared;
      if (pending.size === 0 || pending.size + marks.size > MARKS_PER_PASS) {
        const entry = cont(merge(known, marks), marks);
        scope.memo.set(sig, entry);
        return pending.size > 0 ? this.marks(scope, pending, entry) : entry;
      }
      return cont(merge(known, marks), merge(pending, marks));
    }
    const entry = this.enter(node, scope, known, cont);
    return pending.size > 0 ? this.marks(scope, pending, entry) : entry;
  }

  /** A Pass recording statically decided tasks, then `next`. */
  marks(scope: Scope, pending: ReadonlyMap<string, TaskState>, next: Next): Next {
    const sig = `marks|${[...pending].map(([k, v]) => `${k}=${v}`).sort().join(',')}|${String(next)}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    const ids = [...pending.keys()];
    const state = [...new Set(pending.values())];
    const name = this.ctx.name(ids.length === 1 ? `${ids[0]} ${state[0]}` : `${ids[0]} ${pending.get(ids[0]!)} +${ids.length - 1}`);
    scope.memo.set(sig, name);
    scope.add(name, renderMarks(this.ctx, pending, this.link(next)));
    this.stateTasks.set(name, { tasks: ids, role: 'marks' });
    return name;
  }

  enter(node: SpNode, scope: Scope, given: Known, cont: Cont): Next {
    // At most two versions of a node: entered when everything it depends on from outside is
    // known to have succeeded (no gates needed where that suffices), or entered with nothing
    // known (gates read the records). Keeping knowledge finer would copy whole blocks.
    const inputs = externalInputs(this.ctx, node);
    const success = inputs.every((u) => given.get(u) === 'success');
    const known: Known = success ? new Map(inputs.map((u) => [u, 'success' as TaskState])) : new Map();
    const sig = `${node.kind}|${tasksOf(node)[0]}|${tasksOf(node).length}|${success ? 'S' : 'D'}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    let entry: Next;
    switch (node.kind) {
      case 'task':
        entry = this.unit(node.id, scope, known, cont);
        break;
      case 'cluster':
        entry = this.cluster(node.id, node.body, scope, known, cont);
        break;
      case 'series': {
        const step = (i: number): Cont => (k, p) => (i + 1 < node.items.length ? this.proceed(node.items[i + 1]!, scope, k, p, step(i + 1)) : cont(k, p));
        entry = this.proceed(node.items[0]!, scope, known, new Map(), step(0));
        break;
      }
      case 'parallel':
        entry = this.parallel(node.branches, scope, known, cont);
        break;
    }
    scope.memo.set(sig, entry);
    return entry;
  }

  /**
   * A Parallel state's result is the array of its branches' outputs, and Step Functions fails the
   * state (States.DataLimitExceeded, which no Catch stops) when that array is over 256 KiB, before
   * ResultSelector runs. So one branch (the carrier) returns the document; every other branch
   * ends by returning just the records it wrote (`ownRecords`), and the ResultSelector merges them
   * into the carrier's `t`: the result is about the size of the document after the Parallel. The
   * carrier is the first branch of more than one task (a one-task branch returns its own record
   * at no cost, a longer one through one more Pass), else the first.
   */
  private parallel(branches: readonly SpNode[], scope: Scope, known: Known, cont: Cont): Next {
    const first = tasksOf(branches[0]!)[0]!;
    const name = this.ctx.name(`parallel ${first}…`);
    const carrier = Math.max(0, branches.findIndex((b) => b.kind !== 'task'));
    const machines: StateMachine[] = [];
    for (const [i, b] of branches.entries()) {
      const inner = this.newScope();
      const start = this.proceed(b, inner, known, new Map(), (_k, p) => (p.size > 0 ? this.marks(inner, p, END) : END));
      const machine = start === END ? this.emptyBranch(inner) : inner.toMachine(start);
      machines.push(i === carrier ? machine : this.ownRecords(machine, b));
    }
    const after = cont(known, new Map());
    const { selector, next } = this.mergeBranches(scope, name, machines.length, carrier, after);
    scope.add(name, {
      Type: 'Parallel',
      Branches: machines,
      ResultSelector: { 'run.$': `$[${carrier}].run`, ...selector, 'done.$': `$[${carrier}].done` },
      // ResultPath omitted = "$" (replace); aws-local-stepfunctions mishandles an explicit "$".
      ...this.link(next),
    });
    return name;
  }

  /**
   * A branch ends with only the records its tasks (and its retried groups' counters) wrote, as
   * `{ "<key>": <record>, … }`. Where the branch is one task, the state that writes its record last
   * writes it as that object itself (ResultPath and OutputPath `$.t`: no extra state), and a Pass
   * that only ends the branch selects them; elsewhere one more Pass selects them (one transition).
   */
  private ownRecords(machine: StateMachine, node: SpNode): StateMachine {
    const keys = [...tasksOf(node).map((id) => this.ctx.key(id)), ...clustersOf(node).filter((g) => this.ctx.retriedGroups.includes(g)).map((g) => this.ctx.counterKey(g))];
    const single = node.kind === 'task' ? this.ctx.key(node.id) : undefined;
    const selection = Object.fromEntries(keys.map((k) => [`${k}.$`, `$.t.${k}`]));
    const states: Record<string, State> = {};
    let select: string | undefined;
    for (const [stateName, state] of Object.entries(machine.States)) {
      if (!('End' in state) || state.End !== true) {
        states[stateName] = state;
        continue;
      }
      const own = single !== undefined ? writesOwnRecord(state, single) : undefined;
      if (own) {
        states[stateName] = own;
        continue;
      }
      if (state.Type === 'Pass' && Object.keys(state).length === 2) {
        // A Pass that only ends the branch (a satisfied sensor, the end of a group) selects instead.
        states[stateName] = { Type: 'Pass', Parameters: selection, End: true };
        continue;
      }
      select ??= this.ctx.name(`${tasksOf(node)[0]} own records`);
      const { End: _end, ...rest } = state as State & { End: true };
      states[stateName] = { ...rest, Next: select } as State;
    }
    if (select) {
      states[select] = { Type: 'Pass', Parameters: selection, End: true };
      this.stateTasks.set(select, { tasks: [], role: 'merge' });
    }
    return { StartAt: machine.StartAt, States: states };
  }

  /**
   * The ResultSelector fields that merge the branches, and where to go after. Step Functions allows
   * at most 10 intrinsic functions in one field (merging n objects takes n-1 States.JsonMerge), so
   * up to 11 branches merge in `t`; wider fan-outs merge in groups of 11 into extra fields, which
   * Pass states then merge 11 at a time until one is left (one more transition per level: 121
   * branches take one Pass, 1,331 two).
   */
  private mergeBranches(scope: Scope, parallel: string, n: number, carrier: number, after: Next): { selector: Record<string, JsonValue>; next: Next } {
    // The carrier's `t` first: a later object wins, and the carrier may hold stale copies of the
    // others' records (a retried group's attempt counter).
    const parts = [`$[${carrier}].t`, ...Array.from({ length: n }, (_, i) => `$[${i}]`).filter((_, i) => i !== carrier)];
    if (n <= MERGE_FANIN) return { selector: { 't.$': mergeTree(parts) }, next: after };
    const chunks = <T>(xs: readonly T[]): T[][] => Array.from({ length: Math.ceil(xs.length / MERGE_FANIN) }, (_, i) => xs.slice(i * MERGE_FANIN, (i + 1) * MERGE_FANIN));
    const fieldsFor = (count: number) => Array.from({ length: count }, (_, i) => (i === 0 ? 't' : `m${i}`));
    const groups = chunks(parts);
    let fields = fieldsFor(groups.length);
    const selector = Object.fromEntries(groups.map((g, i) => [`${fields[i]}.$`, mergeTree(g)]));
    // The merge Passes, outermost last: each merges its input's fields 11 at a time.
    const levels: Record<string, JsonValue>[] = [];
    while (fields.length > 1) {
      const merged = chunks(fields);
      const next = fieldsFor(merged.length);
      levels.push({ 'run.$': '$.run', ...Object.fromEntries(merged.map((g, i) => [`${next[i]}.$`, mergeTree(g.map((f) => `$.${f}`))])), 'done.$': '$.done' });
      fields = next;
    }
    let next: Next = after;
    for (let level = levels.length - 1; level >= 0; level--) {
      const merge = this.ctx.name(level === 0 ? `${parallel} merge` : `${parallel} merge ${level + 1}`);
      scope.add(merge, { Type: 'Pass', Parameters: levels[level]!, ...this.link(next) });
      this.stateTasks.set(merge, { tasks: [], role: 'merge' });
      next = merge;
    }
    return { selector, next };
  }

  /**
   * A task group with a group-level retry: after its tasks, if one of them failed (after its own
   * retries), wait and run the whole group again, up to the group's attempts. The attempt count
   * lives in `t._g_<group>`; outside states are final by then, so the group is re-entered where
   * it was entered the first time. Costs nothing on the happy path but the check.
   */
  private cluster(groupId: string, body: SpNode, scope: Scope, known: Known, cont: Cont): Next {
    const group = this.ctx.dag.groups.find((g) => g.id === groupId);
    const retry = group?.retry;
    if (!retry || retry.attempts <= 1) return this.enter(body, scope, known, cont);
    const members = tasksOf(body);
    const counter = this.ctx.counterKey(groupId);
    const waits: string[] = [];
    let onwardName: Next | undefined;
    const onward = (): Next => (onwardName ??= cont(new Map(known), new Map()));
    let ladder: string | undefined;
    const attempt = () => (ladder ??= this.attemptLadder(groupId, counter, retry, scope, waits, onward));
    let check: string | undefined;
    const after = (k: Known, p: ReadonlyMap<string, TaskState>): Next => {
      const all = merge(k, p);
      // Known not to have failed → go on; otherwise read the records (was a failure permanent?).
      const clean = members.every((m) => all.has(m) && all.get(m) !== 'failed');
      let next: Next;
      if (clean) next = onward();
      else {
        if (!check) {
          check = this.ctx.name(`${groupId} failed?`);
          scope.add(check, { Type: 'Pass' });
          // Failed for a reason a re-run may fix: a permanent error (pe) does not re-run the group.
          const rules: ChoiceRule[] = members.map((m) =>
            this.ctx.task(m).mapping
              ? { Variable: `$.t.${this.ctx.key(m)}.f`, BooleanEquals: true }
              : { And: [{ Variable: `$.t.${this.ctx.key(m)}.s`, StringEquals: 'failed' }, { Variable: `$.t.${this.ctx.key(m)}.pe`, BooleanEquals: false }] },
          );
          scope.add(check, { Type: 'Choice', Choices: [{ ...(rules.length === 1 ? rules[0]! : { Or: rules }), Next: attempt() }], Default: this.named(scope, onward()) });
          this.stateTasks.set(check, { tasks: members, role: 'gate' });
        }
        next = check;
      }
      return p.size > 0 ? this.marks(scope, p, next) : next;
    };
    const entry = this.enter(body, scope, known, after);
    // The waits go back to where the group was entered, known only now.
    for (const w of waits) scope.add(w, { ...(scope.states.get(w) as Extract<State, { Type: 'Wait' }>), Next: this.named(scope, entry) });
    return entry;
  }

  /** A state name for `next`; the end of a scope becomes a Pass that ends it. */
  private named(scope: Scope, next: Next): string {
    return next === END ? this.endPass(scope) : next;
  }

  /**
   * Which attempt failed → wait that attempt's delay and go again, or give up. The Pass that
   * counts the attempt also rebuilds `t` from the records made before the group (and every
   * attempt counter), dropping the group's records: Parallel branches inside the group merge
   * full copies of `t`, so no stale record of the failed attempt may be left in it.
   */
  private attemptLadder(groupId: string, counter: string, retry: RetryPolicyIR, scope: Scope, waits: string[], giveUp: () => Next): string {
    const name = this.ctx.name(`${groupId} attempt?`);
    scope.add(name, { Type: 'Pass' });
    const before = this.ctx.recordedBefore.get(groupId) ?? [];
    const choices: (ChoiceRule & { Next: string })[] = [];
    for (let n = 1; n < retry.attempts; n++) {
      const delay = Math.min(retry.delaySeconds * retry.backoffRate ** (n - 1), retry.maxDelaySeconds ?? Number.POSITIVE_INFINITY);
      const seconds = Math.max(0, Math.round(delay));
      const bump = this.ctx.name(`${groupId} retry ${n}`);
      const wait = this.ctx.name(`${groupId} wait ${n}`);
      const t: Record<string, JsonValue> = {};
      for (const id of before) t[`${this.ctx.key(id)}.$`] = `$.t.${this.ctx.key(id)}`;
      for (const g of this.ctx.retriedGroups) {
        const key = this.ctx.counterKey(g);
        if (g === groupId) t[key] = retry.jitter === 'full' ? { n, 'wait.$': `States.MathRandom(0, ${seconds + 1})` } : { n, wait: seconds };
        else if (g.startsWith(`${groupId}.`)) t[key] = { n: 0, wait: 0 };
        else t[`${key}.$`] = `$.t.${key}`;
      }
      scope.add(bump, { Type: 'Pass', Parameters: { 'run.$': '$.run', t, 'done.$': '$.done' }, Next: wait });
      scope.add(wait, { Type: 'Wait', SecondsPath: `$.t.${counter}.wait`, Next: '' });
      waits.push(wait);
      this.stateTasks.set(bump, { tasks: [], role: 'retry' });
      this.stateTasks.set(wait, { tasks: [], role: 'retry' });
      choices.push({ Variable: `$.t.${counter}.n`, NumericEquals: n - 1, Next: bump });
    }
    scope.add(name, { Type: 'Choice', Choices: choices, Default: this.named(scope, giveUp()) });
    this.stateTasks.set(name, { tasks: [], role: 'retry' });
    return name;
  }

  private endPass(scope: Scope): string {
    const sig = 'end-pass';
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo as string;
    const name = this.ctx.name('done');
    scope.memo.set(sig, name);
    scope.add(name, { Type: 'Pass', End: true });
    return name;
  }

  private emptyBranch(scope: Scope): StateMachine {
    const name = this.ctx.name('nothing to do');
    scope.add(name, { Type: 'Pass', End: true });
    return scope.toMachine(name);
  }

  /** A task: its gate if needed, its body, and its exits. */
  private unit(taskId: string, scope: Scope, known: Known, cont: Cont): Next {
    const outcome = knownOutcome(this.ctx, taskId, known);
    if (outcome === 'run') return this.body(taskId, scope, known, cont);
    if (outcome !== undefined) return this.marks(scope, new Map([[taskId, outcome]]), cont(merge(known, new Map([[taskId, outcome]])), new Map()));
    return this.gate(taskId, scope, known, cont);
  }

  private gate(taskId: string, scope: Scope, known: Known, cont: Cont): Next {
    const sig = `gate|${taskId}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    const name = this.ctx.name(`${taskId}?`);
    scope.memo.set(sig, name);
    const { rule, over } = ruleOf(this.ctx, taskId);
    const targets = new Map<Outcome, Next>();
    const target = (o: Outcome): string => {
      if (!targets.has(o)) {
        const next =
          o === 'run'
            ? this.body(taskId, scope, known, cont)
            : this.proceedMarks(scope, new Map([[taskId, o as TaskState]]), new Map(), cont);
        targets.set(o, next);
      }
      const t = targets.get(o)!;
      if (t === END) throw new Error(`gate ${taskId} leads to the end of its scope directly`);
      return t;
    };
    const { Choices, Default } = gateChoices(this.ctx, taskId, decisionList(rule), over, target);
    scope.add(name, Choices.length === 0 ? { Type: 'Pass', Next: Default } : { Type: 'Choice', Choices, Default });
    this.stateTasks.set(name, { tasks: [taskId], role: 'gate' });
    return name;
  }

  /** Record `pending` and continue, folding in whatever follows statically. */
  private proceedMarks(scope: Scope, pending: Map<string, TaskState>, known: Known, cont: Cont): Next {
    const k = merge(known, pending);
    const next = cont(k, pending);
    // `cont` returns an entry that already writes `pending` when it had to stop (see proceed); when it
    // went straight to the end of the scope, write them here.
    return next === END ? this.marks(scope, pending, END) : next;
  }

  private body(taskId: string, scope: Scope, known: Known, cont: Cont): Next {
    // One body per task and scope; its exits tell what follows only the task's own state.
    const sig = `body|${taskId}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    const mapped = this.ctx.task(taskId).mapping !== undefined;
    const exit = (state: TaskState): Next => {
      // A mapped task leaves its Map whatever its instances did: what follows reads its record.
      const k: Known = mapped ? new Map() : new Map([[taskId, state]]);
      const next = cont(k, new Map());
      return next;
    };
    const entry = renderBody(this, scope, taskId, {
      success: () => exit('success'),
      failed: () => exit('failed'),
      skipped: () => this.proceedMarks(scope, new Map([[taskId, 'skipped']]), new Map(), cont),
    });
    scope.memo.set(sig, entry);
    return entry;
  }

  /** The run's result: failed if any leaf failed or was upstream_failed. */
  final(scope: Scope, known: Known, pending: ReadonlyMap<string, TaskState>): Next {
    const leaves = effectiveLeaves(this.ctx);
    const all = merge(known, pending);
    const decided = leaves.every((l) => all.has(l));
    const failed = leaves.some((l) => all.get(l) === 'failed' || all.get(l) === 'upstream_failed');
    // Terminal states are created only when reached (ASL refuses unreachable states).
    const succeeded = () => this.terminal(scope, 'Succeed');
    const failedState = () => this.terminal(scope, 'Fail');
    let next: string;
    if (decided) next = failed ? failedState() : succeeded();
    else {
      const sig = 'final-choice';
      next = scope.memo.get(sig) as string;
      if (!next) {
        next = this.ctx.name('run failed?');
        scope.memo.set(sig, next);
        const rules = leaves.map((l) => leafFailed(this.ctx, l));
        scope.add(next, { Type: 'Choice', Choices: [{ ...(rules.length === 1 ? rules[0]! : { Or: rules }), Next: failedState() }], Default: succeeded() });
        this.stateTasks.set(next, { tasks: leaves, role: 'final' });
      }
    }
    return pending.size > 0 ? this.marks(scope, pending, next) : next;
  }

  private terminal(scope: Scope, kind: 'Succeed' | 'Fail'): string {
    const sig = `terminal|${kind}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo as string;
    const name = this.ctx.name(kind === 'Succeed' ? 'run succeeded' : 'run failed');
    scope.memo.set(sig, name);
    this.stateTasks.set(name, { tasks: [], role: kind === 'Succeed' ? 'final' : 'failed' });
    scope.add(
      name,
      kind === 'Succeed'
        ? { Type: 'Succeed' }
        : { Type: 'Fail', Error: ERROR_NAMES.dagRunFailed, Cause: `DAG ${this.ctx.dag.id}: a task failed or was upstream_failed; see the run's task states` },
    );
    return name;
  }
}

/**
 * Tasks whose state decides the run (Airflow: leaves; teardowns do not count unless
 * onFailureFailDagrun, and the tasks before a teardown then count as leaves).
 */
export function effectiveLeaves(ctx: CompileContext): string[] {
  const counts = (id: string) => {
    const t = ctx.task(id);
    return t.role?.kind !== 'teardown' || t.role.onFailureFailDagrun;
  };
  return ctx.dag.tasks
    .map((t) => t.id)
    .filter((id) => counts(id))
    .filter((id) => !(ctx.downstream.get(id) ?? []).some((d) => counts(d)));
}

/** Objects one field merges: n objects take n-1 States.JsonMerge, and AWS allows 10 intrinsic functions per field. */
export const MERGE_FANIN = 11;

/**
 * States.JsonMerge of the given paths, as a balanced tree (depth ~log2 n), later paths winning:
 * n paths, n-1 intrinsic functions.
 */
export function mergeTree(paths: readonly string[]): string {
  const build = (lo: number, hi: number): string => (hi - lo === 1 ? paths[lo]! : `States.JsonMerge(${build(lo, Math.floor((lo + hi) / 2))}, ${build(Math.floor((lo + hi) / 2), hi)}, false)`);
  return build(0, paths.length);
}

/** Retried groups (clusters) inside a subtree. */
function clustersOf(node: SpNode): string[] {
  switch (node.kind) {
    case 'task':
      return [];
    case 'series':
      return node.items.flatMap(clustersOf);
    case 'parallel':
      return node.branches.flatMap(clustersOf);
    case 'cluster':
      return [node.id, ...clustersOf(node.body)];
  }
}

/**
 * The last state of a one-task branch, rewritten to leave `{ "<key>": <record> }` instead of the
 * document: a state that writes the record at `$.t.<key>` from its result writes `{ key: result }`
 * at `$.t` and outputs `$.t`. Undefined for a state of another shape.
 */
function writesOwnRecord(state: State, key: string): State | undefined {
  const s = state as State & { ResultPath?: string; ResultSelector?: JsonValue; Parameters?: JsonValue; Result?: JsonValue; OutputPath?: string };
  if (s.ResultPath !== `$.t.${key}` || s.OutputPath !== undefined) return undefined;
  const base = { ...s, ResultPath: '$.t', OutputPath: '$.t' };
  if ((s.Type === 'Task' || s.Type === 'Map') && s.ResultSelector !== undefined) return { ...base, ResultSelector: { [key]: s.ResultSelector } } as State;
  if (s.Type === 'Pass' && s.Parameters !== undefined) return { ...base, Parameters: { [key]: s.Parameters } } as State;
  if (s.Type === 'Pass' && s.Result !== undefined) return { ...base, Result: { [key]: s.Result } } as State;
  return undefined;
}


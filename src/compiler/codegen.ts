/**
 * @module compiler/codegen
 * Walks the fork/join tree and emits states. Each task is a unit: an optional gate (Choice on
 * its trigger rule), its body (Task, Map, sensor loop …), and exits for success and failure.
 *
 * What keeps transitions near one per task: a function task, branch or short-circuit has no gate
 * at all — the task runner decides its trigger rule from the upstream states its Task state hands
 * over (compiler/runner-gate), and success and failure go on to the same states. For the other
 * kinds (mapped tasks, sensors, operators, pooled tasks, tasks of retried groups) the compiler
 * tracks, along each path, the states it knows statically: such a task whose upstream tasks are
 * known to have succeeded is entered without a gate; when a task fails or is skipped, the tasks
 * whose fate follows statically are recorded by one Pass state (`marks`) instead of being visited
 * one by one. Their gates remain where the outcome is only known at run time.
 *
 * A DAG over one state machine's limits is made as parts (compiler/parts): a part's node becomes
 * a Task that starts the part's own machine (compiler/states/part).
 *
 * Failures never cancel unrelated work: every task catches its errors (after retries) into its
 * record, so Parallel branches always finish, and the run's result is decided at the end from
 * the leaves (Airflow: failed if any leaf is failed or upstream_failed).
 */
import type { TaskState } from '../ir/types.ts';
import { assertNever } from '../ir/types.ts';
import type { StateMachine } from './asl.ts';
import {
  END,
  mergeKnown,
  Scope,
  type Cont,
  type Generator,
  type Known,
  type Next,
} from './scope.ts';
import type { StateRole } from './contract.ts';
import { ruleOf, type CompileContext } from './context.ts';
import { staticOutcome, type Outcome } from './rules.ts';
import { tasksOf, type SpNode } from './sp-tree.ts';
import { renderBody } from './states/body.ts';
import { renderFinal } from './states/final.ts';
import { renderGate } from './states/gate.ts';
import { renderGroupRetry } from './states/group-retry.ts';
import { renderMarks } from './states/marks.ts';
import { renderParallel } from './states/parallel.ts';
import { renderNextEnd } from './states/task-fields.ts';
import { hasGateInputs, runnerGated } from './runner-gate.ts';
import { partExports } from './parts.ts';
import { renderPart, type PartMachine } from './states/part.ts';

/** Per compile: the tasks whose trigger rule the runner decides (asked at every node entered). */
const runtimeDecided = new WeakMap<CompileContext, Map<string, boolean>>();

/** A task the runner gates that has something to decide from (compiler/runner-gate). */
function decidedAtRunTime(ctx: CompileContext, taskId: string): boolean {
  let cache = runtimeDecided.get(ctx);
  if (!cache) runtimeDecided.set(ctx, (cache = new Map()));
  let decided = cache.get(taskId);
  if (decided === undefined) {
    decided = hasGateInputs(ctx, taskId) && runnerGated(ctx, taskId);
    cache.set(taskId, decided);
  }
  return decided;
}

/** Items of a series made in one stretch of calls (Codegen#series): bounds the compiler's call depth. */
const SERIES_STRETCH = 100;

/** Records one marks Pass writes at most (bounds the size of failure paths in the definition). */
const MARKS_PER_PASS = 8;

/**
 * The outcome of a task when everything it depends on is known statically; undefined when it
 * depends on something only known at run time (an unknown upstream state, a branch's choice,
 * a short-circuit's answer).
 */
function knownOutcome(ctx: CompileContext, taskId: string, known: Known): Outcome | undefined {
  // The task runner decides (compiler/runner-gate), whatever is known here: every path reaches the
  // same Task state, so what follows it exists once.
  if (decidedAtRunTime(ctx, taskId)) return undefined;
  const { rule, over } = ruleOf(ctx, taskId);
  for (const u of ctx.upstream.get(taskId) ?? []) if (!known.has(u)) return undefined;
  // A branch or short-circuit that succeeded skips or not by what it returned: only known at run time.
  for (const f of ctx.forced.get(taskId) ?? []) {
    const s = known.get(f.by);
    if (s === undefined || s === 'success') return undefined;
  }
  return staticOutcome(
    rule,
    over.map((u) => known.get(u)!),
  );
}

/** Final states of all tasks of a node when all are decided statically without running any; else undefined. */
function staticMarks(
  ctx: CompileContext,
  node: SpNode,
  known: Known,
): Map<string, TaskState> | undefined {
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

export class Codegen implements Generator {
  readonly ctx: CompileContext;
  readonly stateTasks = new Map<string, StateRole>();
  /** The part machines made so far (compiler/parts), in tree order. */
  readonly partMachines: PartMachine[] = [];
  /** Tasks whose records stay inside their part (not in the parent's document). */
  readonly hidden = new Set<string>();
  private readonly parts: ReadonlySet<SpNode>;
  /** Parts being made (a part's node is entered as itself there, not as a part again). */
  private readonly making = new Set<SpNode>();
  private partCount = 0;
  private scopes = 0;

  constructor(ctx: CompileContext, parts: readonly SpNode[] = []) {
    this.ctx = ctx;
    this.parts = new Set(parts);
  }

  /** Records of a node's tasks in its scope's document (a part's hidden ones are not). */
  recordedTasks(node: SpNode): readonly string[] {
    const all = tasksOf(node);
    return this.hidden.size === 0 ? all : all.filter((id) => !this.hidden.has(id));
  }

  newScope(): Scope {
    return new Scope(this.scopes++);
  }

  /** Emit `node` (with marks still pending) and return the name of the state to enter. */
  proceed(
    node: SpNode,
    scope: Scope,
    known: Known,
    pending: ReadonlyMap<string, TaskState>,
    cont: Cont,
  ): Next {
    const marks = staticMarks(this.ctx, node, known);
    if (marks) {
      // Fold statically decided tasks into one Pass, but share where paths meet: a node reached
      // statically with the same inputs again joins the Pass made the first time, and a Pass
      // holds at most MARKS_PER_PASS records, so failure paths cost O(tasks) definition size,
      // not O(tasks²).
      const sig = `static|${tasksOf(node)[0]}|${tasksOf(node).length}|${externalInputs(
        this.ctx,
        node,
      )
        .map((u) => `${u}=${known.get(u)}`)
        .join(',')}`;
      const shared = scope.memo.get(sig);
      if (shared !== undefined)
        return pending.size > 0 ? this.marks(scope, pending, shared) : shared;
      if (pending.size === 0 || pending.size + marks.size > MARKS_PER_PASS) {
        const entry = cont(mergeKnown(known, marks), marks);
        scope.memo.set(sig, entry);
        return pending.size > 0 ? this.marks(scope, pending, entry) : entry;
      }
      return cont(mergeKnown(known, marks), mergeKnown(pending, marks));
    }
    const entry = this.enter(node, scope, known, cont);
    return pending.size > 0 ? this.marks(scope, pending, entry) : entry;
  }

  /** A Pass recording statically decided tasks, then `next`. */
  marks(scope: Scope, pending: ReadonlyMap<string, TaskState>, next: Next): Next {
    const sig = `marks|${[...pending]
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',')}|${String(next)}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    const ids = [...pending.keys()];
    const state = [...new Set(pending.values())];
    const name = this.ctx.name(
      ids.length === 1
        ? `${ids[0]} ${state[0]}`
        : `${ids[0]} ${pending.get(ids[0]!)} +${ids.length - 1}`,
    );
    scope.memo.set(sig, name);
    scope.add(name, renderMarks(this.ctx, pending, renderNextEnd(next)));
    this.stateTasks.set(name, { tasks: ids, role: 'marks' });
    return name;
  }

  enter(node: SpNode, scope: Scope, given: Known, cont: Cont): Next {
    // At most two versions of a node: entered when everything it depends on from outside is
    // known to have succeeded (no gates needed where that suffices), or entered with nothing
    // known (gates read the records). Keeping knowledge finer would copy whole blocks.
    const inputs = externalInputs(this.ctx, node);
    // A node whose tasks the runner all gates is the same whatever is known: one version.
    const success =
      !tasksOf(node).every((id) => decidedAtRunTime(this.ctx, id)) &&
      inputs.every((u) => given.get(u) === 'success');
    const known: Known = success
      ? new Map(inputs.map((u) => [u, 'success' as TaskState]))
      : new Map();
    const sig = `${node.kind}|${tasksOf(node)[0]}|${tasksOf(node).length}|${success ? 'S' : 'D'}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    let entry: Next;
    if (this.parts.has(node) && !this.making.has(node)) {
      entry = this.part(node, scope, cont);
      scope.memo.set(sig, entry);
      return entry;
    }
    switch (node.kind) {
      case 'task':
        entry = this.unit(node.id, scope, known, cont);
        break;
      case 'cluster':
        entry = renderGroupRetry(this, node.id, node.body, scope, known, cont);
        break;
      case 'series':
        entry = this.series(node.items, scope, known, cont);
        break;
      case 'parallel':
        entry = renderParallel(this, node.branches, scope, known, cont);
        break;
      default:
        entry = assertNever(node, 'tree node');
    }
    scope.memo.set(sig, entry);
    return entry;
  }

  /**
   * Items one after the other. Each item's states are made knowing what the items before it
   * decided statically, which takes a call per item: a long series is made in stretches of
   * SERIES_STRETCH items, the last stretch first, each later stretch entered knowing nothing (its
   * gates read the records), so the depth of calls stays bounded whatever the DAG's length.
   */
  private series(items: readonly SpNode[], scope: Scope, known: Known, cont: Cont): Next {
    const stretch = (from: number, to: number, k0: Known, last: Cont): Next => {
      const step =
        (i: number): Cont =>
        (k, p) =>
          i + 1 < to ? this.proceed(items[i + 1]!, scope, k, p, step(i + 1)) : last(k, p);
      return this.proceed(items[from]!, scope, k0, new Map(), step(from));
    };
    let after = cont;
    let from = items.length;
    while (from > SERIES_STRETCH) {
      const start = from - SERIES_STRETCH;
      const entry = stretch(start, from, new Map(), after);
      // Marks the stretch before still has pending are written on the way in.
      after = (_k, p) => (p.size > 0 ? this.marks(scope, p, entry) : entry);
      from = start;
    }
    return stretch(0, from, known, after);
  }

  /** A part: its own state machine, started and merged here (compiler/states/part). */
  private part(node: SpNode, scope: Scope, cont: Cont): Next {
    const id = `p${++this.partCount}`;
    const exports = partExports(this.ctx, node);
    const kept = new Set(exports);
    const { entry, machine } = renderPart(
      this,
      scope,
      node,
      { id, exports },
      (inner, end) => {
        this.making.add(node);
        // Entered knowing nothing: its gates read the records it was handed.
        const start = this.enter(node, inner, new Map(), (_k, p) =>
          p.size > 0 ? this.marks(inner, p, end) : end,
        );
        this.making.delete(node);
        for (const t of tasksOf(node)) if (!kept.has(t)) this.hidden.add(t);
        return start;
      },
      cont,
    );
    // Parts are made as the walk reaches them, an inner or later one first: kept in id order.
    this.partMachines.push(machine);
    this.partMachines.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
    return entry;
  }

  /** A state name for `next`; the end of a scope becomes a Pass that ends it. */
  named(scope: Scope, next: Next): string {
    return next === END ? this.endPass(scope) : next;
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

  emptyBranch(scope: Scope): StateMachine {
    const name = this.ctx.name('nothing to do');
    scope.add(name, { Type: 'Pass', End: true });
    return scope.toMachine(name);
  }

  /** A task: its gate if needed, its body, and its exits. */
  private unit(taskId: string, scope: Scope, known: Known, cont: Cont): Next {
    const outcome = knownOutcome(this.ctx, taskId, known);
    if (outcome === 'run') return this.body(taskId, scope, cont);
    // The task runner decides the rule (compiler/runner-gate): no Choice in front of the task.
    if (outcome === undefined && decidedAtRunTime(this.ctx, taskId))
      return this.body(taskId, scope, cont, true);
    if (outcome !== undefined)
      return this.marks(
        scope,
        new Map([[taskId, outcome]]),
        cont(mergeKnown(known, new Map([[taskId, outcome]])), new Map()),
      );
    return renderGate(this, taskId, scope, cont);
  }

  /** Record `pending` and continue, folding in whatever follows statically. */
  proceedMarks(scope: Scope, pending: Map<string, TaskState>, known: Known, cont: Cont): Next {
    const k = mergeKnown(known, pending);
    const next = cont(k, pending);
    // `cont` returns an entry that already writes `pending` when it had to stop (see proceed); when it
    // went straight to the end of the scope, write them here.
    return next === END ? this.marks(scope, pending, END) : next;
  }

  body(taskId: string, scope: Scope, cont: Cont, gated = false): Next {
    // One body per task and scope; its exits tell what follows only the task's own state.
    const sig = `body|${taskId}|${gated ? 'g' : ''}`;
    const memo = scope.memo.get(sig);
    if (memo !== undefined) return memo;
    // A mapped task leaves its Map whatever its instances did, and a task the runner gates may
    // have been skipped: what follows reads their records.
    const forget = gated || this.ctx.task(taskId).mapping !== undefined;
    const exit = (state: TaskState): Next =>
      cont(forget ? new Map() : new Map([[taskId, state]]), new Map());
    const entry = renderBody(this, scope, taskId, {
      gated,
      success: () => exit('success'),
      failed: () => exit('failed'),
      skipped: () => this.proceedMarks(scope, new Map([[taskId, 'skipped']]), new Map(), cont),
    });
    scope.memo.set(sig, entry);
    return entry;
  }

  /** The run's result (compiler/states/final). */
  final(scope: Scope, known: Known, pending: ReadonlyMap<string, TaskState>): Next {
    return renderFinal(this, scope, known, pending);
  }
}

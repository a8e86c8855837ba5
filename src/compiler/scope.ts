/**
 * @module compiler/scope
 * The types the code generator (compiler/codegen) and the state renderers share: where a state
 * goes next, the set of states one `States` object holds, what is known statically along a path,
 * and what renderers may use of the generator (`Walk`). Kept apart so renderers and the
 * generator import each other's types without an import circle.
 */
import type { TaskState } from '../ir/types.ts';
import type { State, StateMachine } from './asl.ts';
import type { CompileContext } from './context.ts';
import type { StateRole } from './contract.ts';
import type { SpNode } from './sp-tree.ts';
import { InternalError } from '../errors.ts';
import { objectOf } from '../util/object-of.ts';

/** Where to go next: a state name, or the end of the current scope (top level or branch). */
export const END = Symbol('end');
export type Next = string | typeof END;

/** Static knowledge on a path: task → final state. */
export type Known = ReadonlyMap<string, TaskState>;
/** What comes after a node, given what is known and the marks not yet written. */
export type Cont = (known: Known, pending: ReadonlyMap<string, TaskState>) => Next;

/** A set of states that share a `States` object (the top level, a Parallel branch, a Map item). */
export class Scope {
  readonly states = new Map<string, State>();
  readonly memo = new Map<string, Next>();
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
  add(name: string, state: State): void {
    this.states.set(name, state);
  }
  toMachine(startAt: Next): StateMachine {
    if (startAt === END) throw new InternalError('empty scope');
    return { StartAt: startAt, States: objectOf(this.states) };
  }
}

/** `a` with `b`'s states added (b wins). */
export function mergeKnown(a: Known, b: ReadonlyMap<string, TaskState>): Map<string, TaskState> {
  const m = new Map(a);
  for (const [k, v] of b) m.set(k, v);
  return m;
}

/** What renderers use of the code generator. */
export interface Walk {
  readonly ctx: CompileContext;
  newScope(): Scope;
  /** Map from state name to the tasks and role it belongs to (for the manifest and the engine). */
  readonly stateTasks: Map<string, StateRole>;
}

/** What the renderers of control flow (Parallel, group retry, gate, the run's end) use of the code generator. */
export interface Generator extends Walk {
  /** Emit `node` (with marks still pending) and return the name of the state to enter. */
  proceed(
    node: SpNode,
    scope: Scope,
    known: Known,
    pending: ReadonlyMap<string, TaskState>,
    cont: Cont,
  ): Next;
  /** Emit `node` itself (no static shortcut). */
  enter(node: SpNode, scope: Scope, known: Known, cont: Cont): Next;
  /** A Pass recording statically decided tasks, then `next`. */
  marks(scope: Scope, pending: ReadonlyMap<string, TaskState>, next: Next): Next;
  /** A state name for `next`; the end of a scope becomes a Pass that ends it. */
  named(scope: Scope, next: Next): string;
  /** Records of a node's tasks in its scope's document (a part keeps some inside). */
  recordedTasks(node: SpNode): readonly string[];
  /** A Parallel branch with nothing to do. */
  emptyBranch(scope: Scope): StateMachine;
  /** A task's body and its exits (`gated`: the task runner decides its trigger rule). */
  body(taskId: string, scope: Scope, cont: Cont, gated?: boolean): Next;
  /** Record `pending` and continue, folding in whatever follows statically. */
  proceedMarks(scope: Scope, pending: Map<string, TaskState>, known: Known, cont: Cont): Next;
}

/** Where a task's body goes after it: on success, on failure, when it is skipped. */
export interface Exits {
  /** The task runner decides the task's trigger rule (compiler/runner-gate). @default false */
  readonly gated?: boolean;
  success(): Next;
  failed(): Next;
  skipped(): Next;
}

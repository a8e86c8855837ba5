/**
 * @module compiler/states/parallel
 * A Parallel state over the branches of a fork/join, sized so its result stays about one state
 * document: one branch (the carrier) returns the document, the others only the records they
 * wrote, merged back into `t` by intrinsic functions (10 per field at most, so wide fan-outs
 * merge through extra Pass states).
 */
import type { JsonValue, State, StateMachine } from '../asl.ts';
import { DONE, RECORDS, record, RUN } from '../document.ts';
import { END, type Cont, type Generator, type Known, type Next, type Scope } from '../scope.ts';
import { clustersOf, tasksOf, type SpNode } from '../sp-tree.ts';
import { renderNextEnd } from './task-fields.ts';
import { TASK_RUNNER } from './lambda-task.ts';
import { objectOf } from '../../util/object-of.ts';

/**
 * A Parallel state's result is the array of its branches' outputs, and Step Functions fails the
 * state (States.DataLimitExceeded, which no Catch stops) when that array is over 256 KiB, before
 * ResultSelector runs. So one branch (the carrier) returns the document; every other branch
 * ends by returning just the records it wrote (`ownRecords`), and the ResultSelector merges them
 * into the carrier's `t`: the result is about the size of the document after the Parallel. The
 * carrier is the branch of the most tasks (the first of them): a one-task branch returns its own
 * record at no cost, a longer one through one more Pass that lists its records, and listing the
 * smaller branches lists a task nested in many forks O(log n) times, not once per fork.
 */
export function renderParallel(
  gen: Generator,
  branches: readonly SpNode[],
  scope: Scope,
  known: Known,
  cont: Cont,
): Next {
  const first = tasksOf(branches[0]!)[0]!;
  const name = gen.ctx.name(`parallel ${first}…`);
  // The branch with the most tasks carries the document: the others list their records, so a
  // task nested in many forks is listed O(log n) times, not once per fork around it.
  let carrier = 0;
  for (const [i, b] of branches.entries())
    if (tasksOf(b).length > tasksOf(branches[carrier]!).length) carrier = i;
  const machines: StateMachine[] = [];
  for (const [i, b] of branches.entries()) {
    const inner = gen.newScope();
    const start = gen.proceed(b, inner, known, new Map(), (_k, p) =>
      p.size > 0 ? gen.marks(inner, p, END) : END,
    );
    const machine = start === END ? gen.emptyBranch(inner) : inner.toMachine(start);
    machines.push(i === carrier ? machine : ownRecords(gen, machine, b));
  }
  const after = cont(known, new Map());
  const { selector, next } = mergeBranches(gen, scope, name, machines.length, carrier, after);
  scope.add(name, {
    Type: 'Parallel',
    Branches: machines,
    ResultSelector: { 'run.$': `$[${carrier}].run`, ...selector, 'done.$': `$[${carrier}].done` },
    // ResultPath omitted = "$" (replace); aws-local-stepfunctions mishandles an explicit "$".
    ...renderNextEnd(next),
  });
  return name;
}

/**
 * A branch ends with only the records its tasks (and its retried groups' counters) wrote, as
 * `{ "<key>": <record>, … }`. Where the branch is one task, the state that writes its record last
 * writes it as that object itself (ResultPath and OutputPath `$.t`: no extra state), and a Pass
 * that only ends the branch selects them; elsewhere one more Pass selects them (one transition).
 */
function ownRecords(gen: Generator, machine: StateMachine, node: SpNode): StateMachine {
  const single = node.kind === 'task' ? gen.ctx.key(node.id) : undefined;
  // Made only when a Pass selects (most branches end in a state that writes their one record).
  let selected: Record<string, string> | undefined;
  const selection = () => {
    if (selected) return selected;
    const keys = [
      ...gen.recordedTasks(node).map((id) => gen.ctx.key(id)),
      ...(gen.ctx.retriedGroups.length === 0 ? [] : clustersOf(node))
        .filter((g) => gen.ctx.retriedGroups.includes(g))
        .map((g) => gen.ctx.counterKey(g)),
    ];
    selected = objectOf(keys.map((k) => [`${k}.$`, record(k)]));
    return selected;
  };
  const states: Record<string, State> = {};
  let select: string | undefined;
  for (const [stateName, state] of Object.entries(machine.States)) {
    if (!('End' in state) || state.End !== true) {
      states[stateName] = state;
      continue;
    }
    const answered = answersOwnRecords(gen, state, selection);
    if (answered) {
      states[stateName] = answered;
      continue;
    }
    const own = single !== undefined ? writesOwnRecord(state, single) : undefined;
    if (own) {
      states[stateName] = own;
      continue;
    }
    if (state.Type === 'Pass' && Object.keys(state).length === 2) {
      // A Pass that only ends the branch (a satisfied sensor, the end of a group) selects instead.
      states[stateName] = { Type: 'Pass', Parameters: selection(), End: true };
      continue;
    }
    select ??= gen.ctx.name(`${tasksOf(node)[0]} own records`);
    const { End: _end, ...rest } = state as State & { End: true };
    states[stateName] = { ...rest, Next: select } as State;
  }
  if (select) {
    states[select] = { Type: 'Pass', Parameters: selection(), End: true };
    gen.stateTasks.set(select, { tasks: [], role: 'merge' });
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
function mergeBranches(
  gen: Generator,
  scope: Scope,
  parallel: string,
  n: number,
  carrier: number,
  after: Next,
): { selector: Record<string, JsonValue>; next: Next } {
  // The carrier's `t` first: a later object wins, and the carrier may hold stale copies of the
  // others' records (a retried group's attempt counter).
  const parts = [
    `$[${carrier}].t`,
    ...Array.from({ length: n }, (_, i) => `$[${i}]`).filter((_, i) => i !== carrier),
  ];
  if (n <= MERGE_FANIN) return { selector: { 't.$': mergeTree(parts) }, next: after };
  const chunks = <T>(xs: readonly T[]): T[][] =>
    Array.from({ length: Math.ceil(xs.length / MERGE_FANIN) }, (_, i) =>
      xs.slice(i * MERGE_FANIN, (i + 1) * MERGE_FANIN),
    );
  const fieldsFor = (count: number) =>
    Array.from({ length: count }, (_, i) => (i === 0 ? 't' : `m${i}`));
  const groups = chunks(parts);
  let fields = fieldsFor(groups.length);
  const selector = Object.fromEntries(groups.map((g, i) => [`${fields[i]}.$`, mergeTree(g)]));
  // The merge Passes, outermost last: each merges its input's fields 11 at a time.
  const levels: Record<string, JsonValue>[] = [];
  while (fields.length > 1) {
    const merged = chunks(fields);
    const next = fieldsFor(merged.length);
    levels.push({
      'run.$': RUN,
      ...Object.fromEntries(
        merged.map((g, i) => [`${next[i]}.$`, mergeTree(g.map((f) => `$.${f}`))]),
      ),
      'done.$': DONE,
    });
    fields = next;
  }
  let next: Next = after;
  for (let level = levels.length - 1; level >= 0; level--) {
    const merge = gen.ctx.name(
      level === 0 ? `${parallel} merge` : `${parallel} merge ${level + 1}`,
    );
    scope.add(merge, { Type: 'Pass', Parameters: levels[level]!, ...renderNextEnd(next) });
    gen.stateTasks.set(merge, { tasks: [], role: 'merge' });
    next = merge;
  }
  return { selector, next };
}

/** Objects one field merges: n objects take n-1 States.JsonMerge, and AWS allows 10 intrinsic functions per field. */
export const MERGE_FANIN = 11;

/**
 * States.JsonMerge of the given paths, as a balanced tree (depth ~log2 n), later paths winning:
 * n paths, n-1 intrinsic functions.
 */
export function mergeTree(paths: readonly string[]): string {
  const build = (lo: number, hi: number): string =>
    hi - lo === 1
      ? paths[lo]!
      : `States.JsonMerge(${build(lo, Math.floor((lo + hi) / 2))}, ${build(Math.floor((lo + hi) / 2), hi)}, false)`;
  return build(0, paths.length);
}

/**
 * A function task's Task state whose Resource is the task runner (compiler/states/lambda-task),
 * rewritten to have the runner answer the branch's own records: `b` hands it the branch's other
 * records, and it answers them with its own (runtime/task-runner). With no ResultPath, that answer
 * is the branch's output: no Pass after it to select the records (one transition less), no
 * ResultSelector and OutputPath on a one-task branch. Undefined for a state of another shape.
 */
function answersOwnRecords(
  gen: Generator,
  state: State,
  selection: () => Record<string, string>,
): State | undefined {
  const s = state as State & {
    Resource?: string;
    Parameters?: Record<string, JsonValue>;
    ResultPath?: string;
  };
  const task = s.Parameters?.task;
  if (s.Type !== 'Task' || s.Resource !== TASK_RUNNER || typeof task !== 'string') return undefined;
  const key = gen.ctx.key(task);
  if (s.ResultPath !== record(key)) return undefined;
  const others = objectOf(Object.entries(selection()).filter(([field]) => field !== `${key}.$`));
  const { ResultPath: _resultPath, ...rest } = s;
  return {
    ...rest,
    Parameters: { ...(s.Parameters as Record<string, JsonValue>), b: others },
  } as State;
}

/**
 * The last state of a one-task branch, rewritten to leave `{ "<key>": <record> }` instead of the
 * document: a state that writes the record at `$.t.<key>` from its result writes `{ key: result }`
 * at `$.t` and outputs `$.t`. Undefined for a state of another shape.
 */
function writesOwnRecord(state: State, key: string): State | undefined {
  const s = state as State & {
    ResultPath?: string;
    ResultSelector?: JsonValue;
    Parameters?: JsonValue;
    Result?: JsonValue;
    OutputPath?: string;
  };
  if (s.ResultPath !== record(key) || s.OutputPath !== undefined) return undefined;
  const base = { ...s, ResultPath: RECORDS, OutputPath: RECORDS };
  if ((s.Type === 'Task' || s.Type === 'Map') && s.ResultSelector !== undefined)
    return { ...base, ResultSelector: { [key]: s.ResultSelector } } as State;
  // A Task whose result is the record itself (compiler/states/lambda-task).
  if (s.Type === 'Task') return { ...base, ResultSelector: { [`${key}.$`]: '$' } } as State;
  if (s.Type === 'Pass' && s.Parameters !== undefined)
    return { ...base, Parameters: { [key]: s.Parameters } } as State;
  if (s.Type === 'Pass' && s.Result !== undefined)
    return { ...base, Result: { [key]: s.Result } } as State;
  return undefined;
}

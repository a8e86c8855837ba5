/**
 * @module compiler/states/part
 * A part (compiler/parts) as its parent runs it: a Task that starts the part's state machine
 * with `states:startExecution.sync:2` and waits for it, handing it the run values, the records so
 * far and what a resumed run hands back; then a Pass that merges the records the part exports
 * into the parent's. The part itself ends with a Pass selecting its exports.
 *
 * The part's execution is named after its parent's: the MD5 of the parent's name and the part's
 * id (`<32 hex>-p1`: 80 characters at most whatever the nesting), so a retried start finds the
 * same execution instead of starting a second, and each run's attempt has its own.
 */
import type { StateMachine } from '../asl.ts';
import { PLACEHOLDERS, placeholder } from '../contract.ts';
import { DONE, RECORDS, record, RUN } from '../document.ts';
import type { Cont, Generator, Next, Scope } from '../scope.ts';
import { tasksOf, type SpNode } from '../sp-tree.ts';
import { renderNextEnd } from './task-fields.ts';
import { objectOf } from '../../util/object-of.ts';

/** Step Functions' integration that starts an execution and waits for it, its output as JSON. */
export const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

/** Where the parent keeps a part's answer until it merges it. */
const ANSWER = '$.p';

export interface PartMachine {
  /** `p1`, `p2` … in tree order. */
  readonly id: string;
  readonly machine: StateMachine;
  /** The tasks it runs (those of parts inside it too). */
  readonly tasks: readonly string[];
}

/**
 * Makes `node` as part `id` (its states into a scope of its own, `make` drawing them) and
 * returns the parent's entry: the start Task, then the merge.
 */
export function renderPart(
  gen: Generator,
  scope: Scope,
  node: SpNode,
  part: { readonly id: string; readonly exports: readonly string[] },
  make: (inner: Scope, end: string) => Next,
  cont: Cont,
): { entry: Next; machine: PartMachine } {
  const first = tasksOf(node)[0]!;
  const inner = gen.newScope();
  const end = gen.ctx.name(`${part.id} exports`);
  const start = make(inner, end);
  const keys = part.exports.map((id) => gen.ctx.key(id));
  inner.add(end, {
    Type: 'Pass',
    Parameters: objectOf(keys.map((k) => [`${k}.$`, record(k)])),
    End: true,
  });
  gen.stateTasks.set(end, { tasks: [], role: 'merge' });

  const name = gen.ctx.name(`${part.id}: ${first}…`);
  const merge = gen.ctx.name(`${part.id} merge`);
  const after = cont(new Map(), new Map());
  scope.add(name, {
    Type: 'Task',
    Resource: START_EXECUTION_SYNC,
    Parameters: {
      StateMachineArn: placeholder(PLACEHOLDERS.part(part.id)),
      'Name.$': `States.Format('{}-${part.id}', States.Hash($$.Execution.Name, 'MD5'))`,
      Input: {
        'run.$': RUN,
        't.$': RECORDS,
        'done.$': DONE,
        // The console links the part's execution to its parent's.
        'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
      },
    },
    ResultSelector: { 't.$': '$.Output' },
    ResultPath: ANSWER,
    Next: merge,
  });
  gen.stateTasks.set(name, { tasks: [], role: 'part', part: part.id });
  scope.add(merge, {
    Type: 'Pass',
    Parameters: {
      'run.$': RUN,
      't.$': `States.JsonMerge(${RECORDS}, ${ANSWER}.t, false)`,
      'done.$': DONE,
    },
    ...renderNextEnd(after),
  });
  gen.stateTasks.set(merge, { tasks: [], role: 'merge' });
  return {
    entry: name,
    machine: { id: part.id, machine: inner.toMachine(start), tasks: tasksOf(node) },
  };
}

/**
 * @module compiler/states/distributed
 * Mapped tasks over lists too large for one execution: a Distributed Map runs each instance as a
 * child execution with its own history, reads a list the task runner put in the payload bucket
 * (ItemReader), writes the instances' results back there (ResultWriter), and the task runner
 * collects them into the task's record (`collect`), the outputs by reference when they are many.
 * compiler/map-plan decides, per mapped task, which lists go where.
 */
import type { TaskIR } from '../../ir/types.ts';
import type { State } from '../asl.ts';
import { ERROR_NAMES, PLACEHOLDERS, placeholder } from '../contract.ts';
import { DONE, ERR, field, MAPPED_FAILED_WHOLE, record, RUN } from '../document.ts';
import type { Exits, Scope, Walk } from '../scope.ts';
import { TASK_RUNNER } from './lambda-task.ts';
import { renderNextEnd, retriers } from './task-fields.ts';

/** Where a Distributed Map's instances' results go: under the run's id, as every object of the run. */
const resultWriter = () => ({
  Resource: 'arn:aws:states:::s3:putObject',
  Parameters: { Bucket: placeholder(PLACEHOLDERS.payloadBucket), 'Prefix.$': `${RUN}.runId` },
});

/** A list reference's object key (runtime/objects ObjectRef.key). */
export const listKey = (itemsPath: string) => `${itemsPath}.key`;

export interface DistributedMapProps {
  /** The Map state as an inline Map would be: items, selector, concurrency, processor. */
  readonly map: Extract<State, { Type: 'Map' }>;
  /** The list: in the document at this path, or in the payload bucket (the reference at this path). */
  readonly source: { readonly itemsPath: string } | { readonly refPath: string };
  /** The task's collect state (the next state). */
  readonly collect: string;
  /** Where a failed Map Run goes (the failed mapped record). */
  readonly failed: string;
}

/**
 * The Distributed Map state: the inline one's processor and selector, run as child executions;
 * the list read from the bucket when it is there; the results written to the bucket, whose
 * manifest key is kept in the task's record (`m`) for the collect state.
 */
export function distributedMap(emit: Walk, task: TaskIR, p: DistributedMapProps): State {
  const key = emit.ctx.key(task.id);
  const { ItemSelector, MaxConcurrency, ItemProcessor } = p.map;
  const tolerated = task.mapping!.toleratedFailures;
  return {
    Type: 'Map',
    ...('itemsPath' in p.source
      ? { ItemsPath: p.source.itemsPath }
      : {
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'JSON' },
            Parameters: {
              Bucket: placeholder(PLACEHOLDERS.payloadBucket),
              'Key.$': listKey(p.source.refPath),
            },
          },
        }),
    ...(ItemSelector !== undefined && { ItemSelector }),
    ...(MaxConcurrency !== undefined && { MaxConcurrency }),
    ItemProcessor: {
      ...ItemProcessor,
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    },
    ResultWriter: resultWriter(),
    ...(tolerated && 'count' in tolerated && { ToleratedFailureCount: tolerated.count }),
    // Over a list in the bucket, the percentage is the record's (`tp`): the whole list's, or a
    // resumed run's over the instances still to run, scaled to the whole list (runtime/resume).
    ...(tolerated &&
      'percent' in tolerated &&
      ('itemsPath' in p.source
        ? { ToleratedFailurePercentage: tolerated.percent }
        : { ToleratedFailurePercentagePath: field(key, 'tp') })),
    ResultSelector: { 'm.$': '$.ResultWriterDetails.Key' },
    ResultPath: record(key),
    Catch: [{ ErrorEquals: [ERROR_NAMES.all], ResultPath: ERR, Next: p.failed }],
    Next: p.collect,
  };
}

/**
 * The collect state: the task runner reads the Map Run's results from the bucket and answers the
 * task's record (`{ s: 'mapped', o, n, f, a }`, the outputs in item order, by reference when long).
 */
export function collectState(emit: Walk, task: TaskIR, failed: string, exits: Exits): State {
  const key = emit.ctx.key(task.id);
  return {
    Type: 'Task',
    Resource: TASK_RUNNER,
    Parameters: {
      task: task.id,
      'run.$': RUN,
      'collect.$': field(key, 'm'),
      // A resumed run's Map ran only the instances still to run: the others' answers are here.
      'done.$': DONE,
    },
    ResultPath: record(key),
    Retry: retriers(undefined, true),
    Catch: [{ ErrorEquals: [ERROR_NAMES.all], ResultPath: ERR, Next: failed }],
    ...renderNextEnd(exits.success()),
  };
}

/**
 * A failed Map Run (the list unreadable, too many instances failed …): the task failed, as one
 * failed instance. (A Distributed Map is never in a retried group, compiler/map-plan: no `pe`.)
 */
export function mapRunFailed(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): string {
  const name = emit.ctx.name(`${task.id} map run failed`);
  emit.stateTasks.set(name, { tasks: [task.id], role: 'failed' });
  scope.add(name, {
    Type: 'Pass',
    Parameters: { ...MAPPED_FAILED_WHOLE, 'e.$': ERR },
    ResultPath: record(emit.ctx.key(task.id)),
    ...renderNextEnd(exits.success()),
  });
  return name;
}

/**
 * @module compiler/states/mapped
 * A mapped task: a Map state whose inline item processor invokes the task runner once per item,
 * guarded by a Choice that skips an empty list and fails a value that is not a list (a Map over
 * it would fail the whole execution on AWS, beyond any Catch).
 */
import type { TaskIR } from '../../ir/types.ts';
import { InternalError } from '../../errors.ts';
import { LAMBDA_INVOKE, type JsonValue, type State } from '../asl.ts';
import { ERROR_NAMES } from '../contract.ts';
import {
  DONE,
  ERR,
  field,
  MAPPED_FAILED_WHOLE,
  output,
  record,
  RUN,
  subPath,
} from '../document.ts';
import { intrinsicString } from '../intrinsics.ts';
import { END, type Exits, type Next, type Scope, type Walk } from '../scope.ts';
import { inputs, TASK_RUNNER } from './lambda-task.ts';
import { acquireState, poolTimeoutPass, releaseState, takesPoolSlot } from './pool.ts';
import { permanentFlag, renderNextEnd, renderTask } from './task-fields.ts';
import { collectState, distributedMap, mapRunFailed } from './distributed.ts';
import { mapPlan } from '../map-plan.ts';

/** The failure's Cause as an intrinsic format string: `{}` is the value's JSON text. */
function notAListCause(task: TaskIR): string {
  const over = task.mapping!.over;
  const source =
    over.kind === 'output' ? `the output of "${over.task}"${subPath(over.path)}` : 'its list';
  const fix =
    over.kind === 'output'
      ? `; return a list, or map over the field that holds one (for { files: [...] }: ${task.id}.map(${over.task}().get('files')))`
      : '';
  return `${intrinsicString(`task "${task.id}" maps over ${source}, which is not a list but `).slice(0, -1)}{}${intrinsicString(fix).slice(1)}`;
}

/**
 * The Choice before a Map: items → the Map (`map`); an empty list → the skipped exit; anything
 * else (no such field, an object, a string, null) → a failed record.
 */
function listGuard(
  emit: Walk,
  scope: Scope,
  task: TaskIR,
  itemsPath: string,
  to: {
    readonly map: string;
    readonly fromBucket: string | undefined;
    /** The bucket Map of a resumed run over the instances still to run (runtime/resume `p`). */
    readonly pending: string | undefined;
  },
  exits: Exits,
  next: Next,
): string {
  const key = emit.ctx.key(task.id);
  // Airflow skips a task mapped over an empty list; a Map's result selectors cannot read an
  // empty result, so an empty list goes around the Map. What has no first item but is not a list
  // (an object such as {"files": […]}, null, a string, nothing at all) fails the task: a Map over
  // it would fail the whole execution on AWS with States.Runtime, which no Catch can stop. Choice
  // rules cannot tell an object from an empty list, but their JSON text can: this path is taken
  // only when the list has no first item, never on an all-success run with items.
  const any = emit.ctx.name(`${task.id} has items?`);
  const asText = emit.ctx.name(`${task.id} list as text`);
  const empty = emit.ctx.name(`${task.id} empty list?`);
  const missing = emit.ctx.name(`${task.id} list missing`);
  const notAList = emit.ctx.name(`${task.id} not a list`);
  emit.stateTasks.set(any, { tasks: [task.id], role: 'gate' });
  // Off the all-success path (an empty list is skipped, a non-list fails): explain's walk avoids them.
  for (const detour of [asText, empty, missing])
    emit.stateTasks.set(detour, { tasks: [task.id], role: 'detour' });
  emit.stateTasks.set(notAList, { tasks: [task.id], role: 'failed' });
  const ownRecord = record(key);
  // (A string's `[0]` is its first character to some JSONPath readers, hence the IsString test,
  // as Not because aws-local-stepfunctions reads `IsString: false` as `IsString: true`.)
  // A rule reading a missing path fails the execution, so presence is tested first.
  scope.add(any, {
    Type: 'Choice',
    Choices: [
      { Not: { Variable: itemsPath, IsPresent: true }, Next: missing }, // Not: the library misreads IsPresent: false
      {
        And: [
          { Not: { Variable: itemsPath, IsString: true } },
          { Variable: `${itemsPath}[0]`, IsPresent: true },
        ],
        Next: to.map,
      },
      // Resumed, with the instances still to run listed apart: a Distributed Map runs only those.
      ...(to.pending
        ? [
            {
              And: [
                { Variable: `${itemsPath}.key`, IsPresent: true },
                { Variable: pendingKey(key), IsPresent: true },
              ],
              Next: to.pending,
            },
          ]
        : []),
      // A list the task runner put in the payload bucket (runtime/objects ListRef): a Distributed Map reads it there.
      ...(to.fromBucket
        ? [
            {
              And: [
                { Variable: `${itemsPath}.key`, IsPresent: true },
                { Variable: `${itemsPath}.bytes`, IsPresent: true },
              ],
              Next: to.fromBucket,
            },
          ]
        : []),
    ],
    Default: asText,
  });
  scope.add(missing, {
    Type: 'Pass',
    Result: { j: 'nothing (no such field)' },
    ResultPath: ownRecord,
    Next: notAList,
  });
  scope.add(asText, {
    Type: 'Pass',
    Parameters: { 'j.$': `States.JsonToString(${itemsPath})` },
    ResultPath: ownRecord,
    Next: empty,
  });
  scope.add(empty, {
    Type: 'Choice',
    Choices: [{ Variable: field(key, 'j'), StringEquals: '[]', Next: exits.skipped() as string }],
    Default: notAList,
  });
  // Counted as one failed instance (the list itself), so every trigger rule reads it as failed.
  const failed = { ...permanentFlag(emit, task), ...MAPPED_FAILED_WHOLE };
  scope.add(notAList, {
    Type: 'Pass',
    Parameters: {
      ...failed,
      e: {
        Error: ERROR_NAMES.notAList,
        'Cause.$': `States.Format(${notAListCause(task)}, ${field(key, 'j')})`,
      },
    },
    ResultPath: ownRecord,
    ...renderNextEnd(next),
  });
  return any;
}

/** Where the Map reads its list: an upstream output, or a literal put into the task's record first (`listPass`). */
function listSource(
  emit: Walk,
  scope: Scope,
  task: TaskIR,
  map: string,
): { itemsPath: string; listPass?: string } {
  const over = task.mapping!.over;
  if (over.kind === 'output') return { itemsPath: output(emit.ctx.key(over.task), over.path) };
  if (over.kind === 'literal') {
    // Map reads its items from a path: put the literal list into the task's record first.
    const key = emit.ctx.key(task.id);
    const listPass = emit.ctx.name(`${task.id} list`);
    scope.add(listPass, {
      Type: 'Pass',
      Result: { l: over.value as JsonValue },
      ResultPath: record(key),
      Next: map,
    });
    return { itemsPath: field(key, 'l'), listPass };
  }
  // Validation refuses other lists (ir/validate: map-over-non-list).
  throw new InternalError(
    `task "${task.id}" maps over a ${over.kind} value; map over an upstream output or a literal list`,
  );
}

export function renderMapped(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const mapping = task.mapping!;
  const plan = mapPlan(task, emit.ctx.inRetriedGroup(task.id), emit.ctx.distributedMaps);
  const name = emit.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' });
  emit.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  const { itemsPath, listPass } = listSource(emit, scope, task, name);
  let entry = listPass ?? name;
  const next = exits.success();
  const distributed = plan.inDocument === 'DISTRIBUTED' || plan.fromBucket;
  const failed = distributed ? mapRunFailed(emit, scope, task, exits) : undefined;
  const collect = distributed ? emit.ctx.name(`${task.id} collect`) : undefined;
  if (collect) {
    emit.stateTasks.set(collect, { tasks: [task.id], role: 'collect' });
    scope.add(collect, collectState(emit, task, failed!, exits));
  }
  const fromBucket = plan.fromBucket ? emit.ctx.name(`${task.id} [from bucket]`) : undefined;
  const pending = plan.fromBucket ? emit.ctx.name(`${task.id} [pending]`) : undefined;
  const any = listGuard(
    emit,
    scope,
    task,
    itemsPath,
    { map: name, fromBucket, pending },
    exits,
    next,
  );
  if (entry === name) entry = any;
  else
    scope.add(entry, {
      ...(scope.states.get(entry) as Extract<State, { Type: 'Pass' }>),
      Next: any,
    });
  const inline = inlineMap(emit, task, itemsPath, next);
  const tolerant = mapping.toleratedFailures !== undefined;
  const own = inline(itemProcessor(emit, task, '', tolerant && plan.inDocument === 'DISTRIBUTED'));
  scope.add(
    name,
    plan.inDocument === 'DISTRIBUTED'
      ? distributedMap(emit, task, {
          map: own,
          source: { itemsPath },
          collect: collect!,
          failed: failed!,
        })
      : own,
  );
  if (fromBucket && pending)
    bucketMaps(emit, scope, task, inline, {
      fromBucket,
      pending,
      itemsPath,
      collect: collect!,
      failed: failed!,
    });
  return entry;
}

type InlineMap = (
  processor: ItemProcessor,
  extra?: Record<string, JsonValue>,
) => Extract<State, { Type: 'Map' }>;

/** The task's inline Map over a processor (its Distributed Maps are made from it). */
function inlineMap(emit: Walk, task: TaskIR, itemsPath: string, next: Next): InlineMap {
  const key = emit.ctx.key(task.id);
  const mapping = task.mapping!;
  const ins = inputs(emit, task);
  return (processor: ItemProcessor, extra = {}): Extract<State, { Type: 'Map' }> => ({
    Type: 'Map',
    ItemsPath: itemsPath,
    // A resumed execution gives the instances' answers as one list under this task's key; the
    // runner picks its own by index (an index past the list runs).
    ItemSelector: {
      'item.$': '$$.Map.Item.Value',
      'index.$': '$$.Map.Item.Index',
      ...extra,
      'run.$': RUN,
      ...(ins && { in: ins }),
      'done.$': DONE,
    },
    ...(mapping.maxConcurrency > 0 && { MaxConcurrency: mapping.maxConcurrency }),
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: processor.start,
      States: processor.states,
    },
    ResultSelector: {
      ...permanentFlag(emit, task),
      s: 'mapped',
      'o.$': '$[*].o',
      'n.$': 'States.ArrayLength($)',
      'f.$': "States.ArrayContains($[*].s, 'failed')",
      'a.$': "States.ArrayContains($[*].s, 'success')",
    },
    ResultPath: record(key),
    ...renderNextEnd(next),
  });
}

/**
 * The Distributed Map over a list in the payload bucket. Two Passes choose what it reads into the
 * task's record: the whole list (`[from bucket]`), or a resumed run's instances still to run
 * (`[pending]`: `{ i, v }` items listed by runtime/resume), which the runner unwraps (`pending`).
 */
function bucketMaps(
  emit: Walk,
  scope: Scope,
  task: TaskIR,
  inline: InlineMap,
  at: {
    readonly fromBucket: string;
    readonly pending: string;
    readonly itemsPath: string;
    readonly collect: string;
    readonly failed: string;
  },
): void {
  const key = emit.ctx.key(task.id);
  const tolerated = task.mapping!.toleratedFailures;
  const map = emit.ctx.name(`${task.id} [distributed]`);
  const pick = (name: string, listKey: string, pending: boolean, percent: JsonValue) => {
    emit.stateTasks.set(name, { tasks: [task.id], role: 'gate' });
    scope.add(name, {
      Type: 'Pass',
      Parameters: { 'key.$': listKey, p: pending, ...(percent as Record<string, JsonValue>) },
      ResultPath: record(key),
      Next: map,
    });
  };
  // A tolerated percentage of the whole list: as it is, or over the instances still to run,
  // scaled by runtime/resume (so a retry tolerates as many failures as the first run).
  const percent = tolerated && 'percent' in tolerated;
  pick(at.fromBucket, `${at.itemsPath}.key`, false, percent ? { tp: tolerated.percent } : {});
  pick(at.pending, pendingKey(key), true, percent ? { 'tp.$': `${DONE}.${key}.p.tp` } : {});
  emit.stateTasks.set(map, { tasks: [task.id], role: 'task' });
  scope.add(
    map,
    distributedMap(emit, task, {
      map: inline(itemProcessor(emit, task, ' (bucket)', tolerated !== undefined, true), {
        'pending.$': field(key, 'p'),
      }),
      source: { refPath: record(key) },
      collect: at.collect,
      failed: at.failed,
    }),
  );
}

interface ItemProcessor {
  readonly start: string;
  readonly states: Record<string, State>;
}

/**
 * One instance: the task runner with the item, its failure caught into the instance's answer. A
 * tolerant Distributed Map's instance fails its child execution instead, so the Map Run counts it
 * (Fail with the error), and the collect state finds its error in the results. `suffix` keeps
 * the state names of a second processor (the bucket's Map) apart.
 */
function itemProcessor(
  emit: Walk,
  task: TaskIR,
  suffix: string,
  tolerant: boolean,
  pending = false,
): ItemProcessor {
  const item = emit.ctx.name(`${task.id} [item]${suffix}`);
  const itemFailed = emit.ctx.name(`${task.id} [item failed]${suffix}`);
  const failEnd = tolerant ? emit.ctx.name(`${task.id} [instance failed]${suffix}`) : undefined;
  emit.stateTasks.set(item, { tasks: [task.id], role: 'item' });
  emit.stateTasks.set(itemFailed, { tasks: [task.id], role: 'failed' });
  if (failEnd) emit.stateTasks.set(failEnd, { tasks: [task.id], role: 'failed' });
  const ins = inputs(emit, task);
  const pooled = takesPoolSlot(task);
  const states: Record<string, State> = {
    [item]: renderTask({
      resource: LAMBDA_INVOKE,
      parameters: {
        FunctionName: TASK_RUNNER,
        Payload: {
          task: task.id,
          'run.$': RUN,
          ...(ins && { 'in.$': '$.in' }),
          'item.$': '$.item',
          'index.$': '$.index',
          ...(pending && { 'pending.$': '$.pending' }),
          'done.$': DONE,
        },
      },
      timeoutSeconds: task.timeoutSeconds,
      resultSelector: { s: 'success', 'o.$': '$.Payload' },
      // ResultPath left out: "$" (replace); pooled, the release still needs the run and index.
      ...(pooled && { resultPath: POOLED_ITEM_RESULT }),
      retry: task.retry,
      lambda: true,
      catchTo: itemFailed,
      next: END,
    }),
    [itemFailed]: {
      Type: 'Pass',
      Parameters: { s: 'failed', o: null, 'e.$': ERR },
      ...(failEnd && !pooled ? { Next: failEnd } : { End: true as const }),
    },
  };
  if (failEnd)
    states[failEnd] = {
      Type: 'Fail',
      ErrorPath: '$.e.Error',
      CausePath: '$.e.Cause',
    };
  return pooled
    ? pooledItem(emit, task, item, itemFailed, states, failEnd)
    : { start: item, states };
}

/** Where a resumed run's list of the instances still to run is (runtime/resume `p`). */
const pendingKey = (key: string) => `${DONE}.${key}.p.key`;

/** Where a pooled instance keeps its answer until its slot is given back (then it is the instance's output). */
const POOLED_ITEM_RESULT = '$.r';

/**
 * A pooled instance: it takes its slot first and gives it back after its answer or its failure,
 * which wait at `$.r` meanwhile (the release reads the run id and the index beside them).
 */
function pooledItem(
  emit: Walk,
  task: TaskIR,
  item: string,
  itemFailed: string,
  plain: Readonly<Record<string, State>>,
  failEnd?: string,
): ItemProcessor {
  const acquire = emit.ctx.name(`${task.id} [pool slot]`);
  const full = emit.ctx.name(`${task.id} [pool wait exceeded]`);
  const release = emit.ctx.name(`${task.id} [release slot]`);
  const releaseFailed = emit.ctx.name(`${task.id} [release slot (failed)]`);
  const released = emit.ctx.name(`${task.id} [released]`);
  emit.stateTasks.set(acquire, { tasks: [task.id], role: 'acquire' });
  emit.stateTasks.set(full, { tasks: [task.id], role: 'failed' });
  for (const s of [release, releaseFailed, released])
    emit.stateTasks.set(s, { tasks: [task.id], role: 'release' });
  const { End: _end, ...answer } = plain[item] as Extract<State, { Type: 'Task' }>;
  const failed = plain[itemFailed] as Extract<State, { Type: 'Pass' }>;
  const states: Record<string, State> = {
    [acquire]: acquireState(task, true, item, { poolFull: full, failed: itemFailed }),
    [item]: { ...answer, Next: release },
    [release]: releaseState(task, true, END, released, POOLED_ITEM_RESULT),
    [itemFailed]: {
      Type: 'Pass',
      Parameters: failed.Parameters!,
      ResultPath: POOLED_ITEM_RESULT,
      Next: releaseFailed,
    },
    // A tolerant Distributed Map's failed instance fails its child execution once its slot is back.
    [releaseFailed]: releaseState(task, true, failEnd ?? END, released, POOLED_ITEM_RESULT),
    [full]: poolTimeoutPass(task, itemFailed),
    [released]: { Type: 'Pass', OutputPath: POOLED_ITEM_RESULT, End: true },
    ...(failEnd && { [failEnd]: plain[failEnd]! }),
  };
  return { start: acquire, states };
}

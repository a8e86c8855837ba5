/**
 * @module compiler/render-task
 * One renderer per task body: function tasks (and branch, short-circuit) through the task
 * runner Lambda, mapped tasks as a Map, sensors as a poke/wait loop, time sensors as a Wait, and
 * native operators as service integrations. Every renderer writes the task's record on success
 * and catches errors (after retries) into a failure record, then follows the given exits.
 */
import type { RetryPolicyIR, SensorIR, TaskIR } from '../ir/types.ts';
import { assertNever } from '../ir/types.ts';
import { LAMBDA_INVOKE, type Catcher, type JsonValue, type Retrier, type State } from './asl.ts';
import { END, type Exits, type Next, type Scope, type Walk } from './scope.ts';
import { DONE, ERR, given } from './document.ts';
import { intrinsicLiteral, recordFor } from './render-marks.ts';
import { renderOperator } from './render-operator.ts';
import { renderField } from './values.ts';
import { ERROR_NAMES, PLACEHOLDERS, placeholder } from './contract.ts';

/** Placeholder filled by infra (DefinitionSubstitutions) or by the engine. */
export const TASK_RUNNER = placeholder(PLACEHOLDERS.taskRunner);

/** Lambda service errors and throttling: always retried with backoff, whatever the task's policy. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** The failure's Cause as an intrinsic format string: `{}` is the value's JSON text. */
function notAListCause(task: TaskIR): string {
  const over = task.mapping!.over;
  const source = over.kind === 'output' ? `the output of "${over.task}"${over.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}` : 'its list';
  const fix = over.kind === 'output' ? `; return a list, or map over the field that holds one (for { files: [...] }: ${task.id}.map(${over.task}().get('files')))` : '';
  return `${intrinsicLiteral(`task "${task.id}" maps over ${source}, which is not a list but `).slice(0, -1)}{}${intrinsicLiteral(fix).slice(1)}`;
}

export function retriers(retry: RetryPolicyIR | undefined, lambda: boolean): Retrier[] {
  const list: Retrier[] = [];
  if (lambda) list.push({ ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' });
  if (retry && retry.attempts > 1) {
    list.push({ ErrorEquals: [ERROR_NAMES.permanent], MaxAttempts: 0 });
    list.push({
      ErrorEquals: [ERROR_NAMES.all],
      IntervalSeconds: retry.delaySeconds,
      MaxAttempts: retry.attempts - 1,
      BackoffRate: retry.backoffRate,
      ...(retry.maxDelaySeconds !== undefined && { MaxDelaySeconds: retry.maxDelaySeconds }),
      ...(retry.jitter === 'full' && { JitterStrategy: 'FULL' as const }),
    });
  }
  return list;
}

function withRetry(list: Retrier[]): { Retry?: Retrier[] } {
  return list.length > 0 ? { Retry: list } : {};
}

/** Upstream outputs a function task reads, by record key (the runner builds arguments from them). */
export function inputs(em: Walk, task: TaskIR): Record<string, string> | undefined {
  const ups = em.ctx.dag.edges.filter((e) => e.to === task.id && e.kind === 'data').map((e) => em.ctx.key(e.from));
  if (ups.length === 0) return undefined;
  return Object.fromEntries([...new Set(ups)].sort().map((k) => [`${k}.$`, `$.t.${k}.o`]));
}

function runnerPayload(em: Walk, task: TaskIR, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  const ins = inputs(em, task);
  // What a resumed execution hands back (the runner reads this task's entry), see compiler/document.
  return { task: task.id, 'run.$': '$.run', ...(ins && { in: ins }), 'done.$': DONE, ...extra };
}

/** The failure record: `{ s: 'failed', e: <error>, …defaults }`, then the failed exit. */
function failurePass(em: Walk, scope: Scope, task: TaskIR, exits: Exits): string {
  const name = em.ctx.name(`${task.id} failed`);
  const { s: _s, ...defaults } = recordFor(em.ctx, task.id, 'failed');
  scope.add(name, { Type: 'Pass' });
  const { pe: _pe, ...rest } = defaults;
  // In a retried group, a permanent error does not re-run the group: the record says which it was.
  const permanent: Record<string, JsonValue> = em.ctx.inRetriedGroup(task.id) ? { 'pe.$': `States.ArrayContains(States.Array(${ERR}.Error), '${ERROR_NAMES.permanent}')` } : {};
  scope.add(name, { Type: 'Pass', Parameters: { s: 'failed', ...rest, 'e.$': ERR, ...permanent }, ResultPath: `$.t.${em.ctx.key(task.id)}`, ...em.link(exits.failed()) });
  em.stateTasks.set(name, { tasks: [task.id], role: 'failed' });
  return name;
}

/** Records of tasks in retried groups carry `pe` (was the failure permanent?) in every form. */
function pe(em: Walk, task: TaskIR): Record<string, JsonValue> {
  return em.ctx.inRetriedGroup(task.id) ? { pe: false } : {};
}

function catchAll(next: string): { Catch: Catcher[] } {
  return { Catch: [{ ErrorEquals: [ERROR_NAMES.all], ResultPath: ERR, Next: next }] };
}

export function renderBody(em: Walk, scope: Scope, taskId: string, exits: Exits): Next {
  const task = em.ctx.task(taskId);
  if (task.mapping) return renderMapped(em, scope, task, exits);
  switch (task.body.kind) {
    case 'function':
    case 'branch':
    case 'short_circuit':
      return renderFunction(em, scope, task, exits);
    case 'sensor':
      return task.body.sensor.check.kind === 'time' ? renderTimeSensor(em, scope, task, exits) : renderSensor(em, scope, task, exits);
    case 'operator':
      return renderOperatorTask(em, scope, task, exits);
    default:
      return assertNever(task.body, 'task body');
  }
}

function resultSelector(task: TaskIR): JsonValue {
  switch (task.body.kind) {
    case 'branch':
      return { s: 'success', 'o.$': '$.Payload.o', 'c.$': '$.Payload.c' };
    case 'short_circuit':
      return { s: 'success', 'o.$': '$.Payload.o' };
    default:
      return { s: 'success', 'o.$': '$.Payload' };
  }
}

function renderFunction(em: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const name = em.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' }); // keeps the task's place in the States order
  em.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  const next = exits.success();
  const failed = failurePass(em, scope, task, exits);
  scope.add(name, {
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: TASK_RUNNER, Payload: runnerPayload(em, task) },
    ...(task.timeoutSeconds !== undefined && { TimeoutSeconds: task.timeoutSeconds }),
    ResultSelector: { ...(resultSelector(task) as Record<string, JsonValue>), ...pe(em, task) },
    ResultPath: `$.t.${em.ctx.key(task.id)}`,
    ...withRetry(retriers(task.retry, true)),
    ...catchAll(failed),
    ...em.link(next),
  });
  return name;
}

function renderMapped(em: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const key = em.ctx.key(task.id);
  const mapping = task.mapping!;
  const name = em.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' });
  em.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  let itemsPath: string;
  let entry = name;
  if (mapping.over.kind === 'output') {
    itemsPath = `$.t.${em.ctx.key(mapping.over.task)}.o${mapping.over.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`;
  } else if (mapping.over.kind === 'literal') {
    // Map reads its items from a path: put the literal list into the task's record first.
    entry = em.ctx.name(`${task.id} list`);
    scope.add(entry, { Type: 'Pass', Result: { l: mapping.over.value as JsonValue }, ResultPath: `$.t.${key}`, Next: name });
    itemsPath = `$.t.${key}.l`;
  } else {
    throw new Error(`task "${task.id}" maps over a ${mapping.over.kind} value; map over an upstream output or a literal list`);
  }
  const next = exits.success();
  // Airflow skips a task mapped over an empty list; a Map's result selectors cannot read an
  // empty result, so an empty list goes around the Map. What has no first item but is not a list
  // (an object such as {"files": […]}, null, a string, nothing at all) fails the task: a Map over
  // it would fail the whole execution on AWS with States.Runtime, which no Catch can stop. Choice
  // rules cannot tell an object from an empty list, but their JSON text can: this path is taken
  // only when the list has no first item, never on an all-success run with items.
  const any = em.ctx.name(`${task.id} has items?`);
  const asText = em.ctx.name(`${task.id} list as text`);
  const empty = em.ctx.name(`${task.id} empty list?`);
  const missing = em.ctx.name(`${task.id} list missing`);
  const notAList = em.ctx.name(`${task.id} not a list`);
  em.stateTasks.set(any, { tasks: [task.id], role: 'gate' });
  // Off the all-success path (an empty list is skipped, a non-list fails): explain's walk avoids them.
  for (const detour of [asText, empty, missing]) em.stateTasks.set(detour, { tasks: [task.id], role: 'detour' });
  em.stateTasks.set(notAList, { tasks: [task.id], role: 'failed' });
  const record = `$.t.${key}`;
  // (A string's `[0]` is its first character to some JSONPath readers, hence the IsString test,
  // as Not because aws-local-stepfunctions reads `IsString: false` as `IsString: true`.)
  // A rule reading a missing path fails the execution, so presence is tested first.
  scope.add(any, {
    Type: 'Choice',
    Choices: [
      { Not: { Variable: itemsPath, IsPresent: true }, Next: missing }, // Not: the library misreads IsPresent: false
      { And: [{ Not: { Variable: itemsPath, IsString: true } }, { Variable: `${itemsPath}[0]`, IsPresent: true }], Next: name },
    ],
    Default: asText,
  });
  scope.add(missing, { Type: 'Pass', Result: { j: 'nothing (no such field)' }, ResultPath: record, Next: notAList });
  scope.add(asText, { Type: 'Pass', Parameters: { 'j.$': `States.JsonToString(${itemsPath})` }, ResultPath: record, Next: empty });
  scope.add(empty, { Type: 'Choice', Choices: [{ Variable: `${record}.j`, StringEquals: '[]', Next: exits.skipped() as string }], Default: notAList });
  // Counted as one failed instance (the list itself), so every trigger rule reads it as failed.
  const failed = { ...pe(em, task), s: 'mapped', o: null, n: 1, f: true, a: false };
  scope.add(notAList, {
    Type: 'Pass',
    Parameters: {
      ...failed,
      e: {
        Error: ERROR_NAMES.notAList,
        'Cause.$': `States.Format(${notAListCause(task)}, ${record}.j)`,
      },
    },
    ResultPath: record,
    ...em.link(next),
  });
  if (entry === name) entry = any;
  else scope.add(entry, { ...(scope.states.get(entry) as Extract<State, { Type: 'Pass' }>), Next: any });
  const item = em.ctx.name(`${task.id} [item]`);
  const itemFailed = em.ctx.name(`${task.id} [item failed]`);
  em.stateTasks.set(item, { tasks: [task.id], role: 'item' });
  em.stateTasks.set(itemFailed, { tasks: [task.id], role: 'failed' });
  const ins = inputs(em, task);
  const states: Record<string, State> = {
    [item]: {
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: TASK_RUNNER,
        Payload: { task: task.id, 'run.$': '$.run', ...(ins && { 'in.$': '$.in' }), 'item.$': '$.item', 'index.$': '$.index', 'done.$': DONE },
      },
      ...(task.timeoutSeconds !== undefined && { TimeoutSeconds: task.timeoutSeconds }),
      ResultSelector: { s: 'success', 'o.$': '$.Payload' },
      // ResultPath omitted = "$" (replace); aws-local-stepfunctions mishandles an explicit "$".
      ...withRetry(retriers(task.retry, true)),
      ...catchAll(itemFailed),
      End: true,
    },
    [itemFailed]: { Type: 'Pass', Parameters: { s: 'failed', o: null, 'e.$': ERR }, End: true },
  };
  scope.add(name, {
    Type: 'Map',
    ItemsPath: itemsPath,
    // A resumed execution gives the instances' answers as one list under this task's key; the
    // runner picks its own by index (an index past the list runs).
    ItemSelector: { 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'run.$': '$.run', ...(ins && { in: ins }), 'done.$': DONE },
    ...(mapping.maxConcurrency > 0 && { MaxConcurrency: mapping.maxConcurrency }),
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: item, States: states },
    ResultSelector: {
      ...pe(em, task),
      s: 'mapped',
      'o.$': '$[*].o',
      'n.$': 'States.ArrayLength($)',
      'f.$': "States.ArrayContains($[*].s, 'failed')",
      'a.$': "States.ArrayContains($[*].s, 'success')",
    },
    ResultPath: `$.t.${key}`,
    ...em.link(next),
  });
  return entry;
}

function renderSensor(em: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  if (task.body.kind !== 'sensor') throw new Error('not a sensor');
  const sensor = task.body.sensor;
  const key = em.ctx.key(task.id);
  const poke = em.ctx.name(task.id);
  const done = em.ctx.name(`${task.id} done?`);
  const wait = em.ctx.name(`${task.id} wait`);
  scope.add(poke, { Type: 'Pass' });
  em.stateTasks.set(poke, { tasks: [task.id], role: 'poke' });
  em.stateTasks.set(done, { tasks: [task.id], role: 'poke' });
  em.stateTasks.set(wait, { tasks: [task.id], role: 'wait' });
  const success = exits.success();
  const failed = failurePass(em, scope, task, exits);
  let timeout: string;
  if (sensor.softFail) {
    timeout = exits.skipped() as string;
  } else {
    timeout = em.ctx.name(`${task.id} timed out`);
    em.stateTasks.set(timeout, { tasks: [task.id], role: 'failed' });
    scope.add(timeout, {
      Type: 'Pass',
      Result: { ...recordFor(em.ctx, task.id, 'failed'), e: { Error: ERROR_NAMES.sensorTimeout, Cause: `sensor ${task.id} was not satisfied within ${sensor.timeoutSeconds}s` } },
      ResultPath: `$.t.${key}`,
      ...em.link(exits.failed()),
    });
  }
  scope.add(poke, {
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: TASK_RUNNER, Payload: runnerPayload(em, task, sensorCheck(em, sensor.check)) },
    ...(task.timeoutSeconds !== undefined && { TimeoutSeconds: task.timeoutSeconds }),
    ResultSelector: { 's.$': '$.Payload.s', 'o.$': '$.Payload.o', 'wait.$': '$.Payload.wait', ...pe(em, task) },
    ResultPath: `$.t.${key}`,
    ...withRetry(retriers(task.retry, true)),
    ...catchAll(failed),
    Next: done,
  });
  // A Choice cannot end a branch: when nothing follows, end through a Pass.
  let onSuccess = success;
  if (onSuccess === END) {
    onSuccess = em.ctx.name(`${task.id} satisfied`);
    scope.add(onSuccess, { Type: 'Pass', End: true });
  }
  scope.add(done, {
    Type: 'Choice',
    Choices: [
      { Variable: `$.t.${key}.s`, StringEquals: 'success', Next: onSuccess },
      { Variable: `$.t.${key}.s`, StringEquals: 'poking', Next: wait },
    ],
    Default: timeout,
  });
  scope.add(wait, { Type: 'Wait', SecondsPath: `$.t.${key}.wait`, Next: poke });
  return poke;
}

/** What a built-in sensor checks, rendered for the poke (the bucket and key may come from the run or upstream). */
function sensorCheck(em: Walk, check: SensorIR['check']): Record<string, JsonValue> {
  switch (check.kind) {
    case 's3_key': {
      const c: Record<string, JsonValue> = { kind: 's3_key' };
      for (const [name, v] of [['bucket', check.bucket], ['key', check.key]] as const) {
        const [k, value] = renderField(name, v, em.ctx.keys);
        c[k] = value;
      }
      return { check: c };
    }
    case 'external_dag':
      return { check: { kind: 'external_dag', dagId: check.dagId, ...(check.taskId && { taskId: check.taskId }), offsetSeconds: check.offsetSeconds } };
    default:
      return {};
  }
}

function renderTimeSensor(em: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  const key = em.ctx.key(task.id);
  const name = em.ctx.name(task.id);
  const reached = em.ctx.name(`${task.id} reached`);
  em.stateTasks.set(name, { tasks: [task.id], role: 'wait' });
  em.stateTasks.set(reached, { tasks: [task.id], role: 'task' });
  scope.add(name, { Type: 'Wait', TimestampPath: `$.run.timers.${key}`, Next: reached });
  scope.add(reached, { Type: 'Pass', Result: { s: 'success', o: true, ...pe(em, task) }, ResultPath: `$.t.${key}`, ...em.link(exits.success()) });
  return name;
}

function renderOperatorTask(em: Walk, scope: Scope, task: TaskIR, exits: Exits): Next {
  if (task.body.kind !== 'operator') throw new Error('not an operator');
  const check = em.ctx.name(`${task.id} given?`);
  scope.add(check, { Type: 'Pass' }); // keeps the task's place in the States order
  const name = em.ctx.name(task.id);
  scope.add(name, { Type: 'Pass' });
  em.stateTasks.set(name, { tasks: [task.id], role: 'task' });
  const next = exits.success();
  const failed = failurePass(em, scope, task, exits);
  const op = renderOperator(em.ctx, task.body.operator);
  const key = em.ctx.key(task.id);
  scope.add(name, {
    Type: 'Task',
    Resource: op.resource,
    Parameters: op.parameters,
    ...(task.timeoutSeconds !== undefined && { TimeoutSeconds: task.timeoutSeconds }),
    ResultSelector: { ...('path' in op.output ? { s: 'success', 'o.$': op.output.path } : { s: 'success', o: op.output }), ...pe(em, task) },
    ResultPath: `$.t.${key}`,
    ...withRetry(retriers(task.retry, op.resource === LAMBDA_INVOKE)),
    ...catchAll(failed),
    ...em.link(next),
  });
  // A resumed execution may give the output the task recorded before (`o`) or a failure that
  // stays: one Choice on every execution, the service call only when not given.
  const reuse = em.ctx.name(`${task.id} given`);
  const failure = em.ctx.name(`${task.id} given failure`);
  for (const s of [check, reuse, failure]) em.stateTasks.set(s, { tasks: [task.id], role: 'given' });
  scope.add(check, {
    Type: 'Choice',
    Choices: [
      { Not: { Variable: given(key), IsPresent: true }, Next: name }, // Not: the local interpreter misreads IsPresent: false
      { Variable: `${given(key)}.e`, IsPresent: true, Next: failure },
    ],
    Default: reuse,
  });
  scope.add(reuse, { Type: 'Pass', Parameters: { s: 'success', 'o.$': `${given(key)}.o`, ...pe(em, task) }, ResultPath: `$.t.${key}`, ...em.link(next) });
  scope.add(failure, { Type: 'Pass', InputPath: `${given(key)}.e`, ResultPath: ERR, Next: failed });
  return check;
}

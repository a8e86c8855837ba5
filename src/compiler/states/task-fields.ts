/**
 * @module compiler/states/task-fields
 * The fields every task's states share, rendered one way (as aws-cdk's TaskStateBase does with
 * renderNextEnd, renderRetryCatch and one `_renderTask`): Next/End, the retriers (Lambda service
 * errors, the permanent error, the task's policy), the catch-all into the failure record, the
 * Task state itself in one field order, and the failure record's Pass state.
 */
import type { RetryPolicyIR, TaskIR } from '../../ir/types.ts';
import type { Catcher, JsonValue, Retrier, State } from '../asl.ts';
import { ERROR_NAMES } from '../contract.ts';
import { ERR, field, record } from '../document.ts';
import { END, type Exits, type Next, type Scope, type Walk } from '../scope.ts';
import { recordFor } from './marks.ts';

/** Lambda service errors and throttling: always retried with backoff, whatever the task's policy. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** `next` as the Next or End field. */
export function renderNextEnd(next: Next): { Next: string } | { End: true } {
  return next === END ? { End: true } : { Next: next };
}

/**
 * A retrier without the fields that say what the States Language's defaults say (IntervalSeconds
 * 1, MaxAttempts 3, BackoffRate 2.0): every task state carries its retriers, so each byte counts
 * once per task in the definition's 1 MiB.
 */
function lean(r: Retrier): Retrier {
  const { IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy } = r;
  return {
    ErrorEquals: r.ErrorEquals,
    ...(IntervalSeconds !== undefined && IntervalSeconds !== 1 && { IntervalSeconds }),
    ...(MaxAttempts !== undefined && MaxAttempts !== 3 && { MaxAttempts }),
    ...(BackoffRate !== undefined && BackoffRate !== 2 && { BackoffRate }),
    ...(MaxDelaySeconds !== undefined && { MaxDelaySeconds }),
    ...(JitterStrategy !== undefined && { JitterStrategy }),
  };
}

/** The retriers: Lambda's service errors (for Lambda), then the task's policy, which never retries a permanent error. */
export function retriers(retry: RetryPolicyIR | undefined, lambda: boolean): Retrier[] {
  const list: Retrier[] = [];
  // Waits of at most 1, 2, 4 … 32 s (the defaults: 1 s, doubling), jittered: no cap needed.
  if (lambda)
    list.push({ ErrorEquals: LAMBDA_SERVICE_ERRORS, MaxAttempts: 6, JitterStrategy: 'FULL' });
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
  return list.map(lean);
}

/**
 * Where a Task state's catch-all goes: a state name (the error kept at `$.err` for it), or the
 * error written as the task's state itself (`{ next, path }`: compiler/context failsInPlace).
 */
export type CatchTo = string | { readonly next: string; readonly path: string };

/** Retry (left out when empty) and a catch-all into `catchTo`. */
export function renderRetryCatch(
  retry: RetryPolicyIR | undefined,
  lambda: boolean,
  catchTo: CatchTo,
): { Retry?: Retrier[]; Catch: Catcher[] } {
  const list = retriers(retry, lambda);
  const [path, next] = typeof catchTo === 'string' ? [ERR, catchTo] : [catchTo.path, catchTo.next];
  return {
    ...(list.length > 0 && { Retry: list }),
    Catch: [{ ErrorEquals: [ERROR_NAMES.all], ResultPath: path, Next: next }],
  };
}

export interface TaskStateProps {
  readonly resource: string;
  readonly parameters: JsonValue;
  readonly timeoutSeconds: number | undefined;
  /** @default - the result as it comes */
  readonly resultSelector?: JsonValue;
  /** Where the result goes. @default - replaces the state's input (`$`: aws-local-stepfunctions mishandles an explicit "$") */
  readonly resultPath?: string;
  readonly retry: RetryPolicyIR | undefined;
  /** Whether the resource is Lambda's invoke (its service errors are retried). */
  readonly lambda: boolean;
  /** Where a failure goes (the failure record's state, or the task's own record). */
  readonly catchTo: CatchTo;
  readonly next: Next;
}

/** A Task state, its fields always in this order. */
export function renderTask(p: TaskStateProps): State {
  return {
    Type: 'Task',
    Resource: p.resource,
    Parameters: p.parameters,
    ...(p.timeoutSeconds !== undefined && { TimeoutSeconds: p.timeoutSeconds }),
    ...(p.resultSelector !== undefined && { ResultSelector: p.resultSelector }),
    ...(p.resultPath !== undefined && { ResultPath: p.resultPath }),
    ...renderRetryCatch(p.retry, p.lambda, p.catchTo),
    ...renderNextEnd(p.next),
  };
}

/** Records of tasks in retried groups carry `pe` (was the failure permanent?) in every form. */
export function permanentFlag(emit: Walk, task: TaskIR): Record<string, JsonValue> {
  return emit.ctx.inRetriedGroup(task.id) ? { pe: false } : {};
}

/** The failure record: `{ s: 'failed', e: <error>, …defaults }`, then the failed exit (one per task and scope). */
export function failurePass(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): string {
  const sig = `failed|${task.id}`;
  const made = scope.memo.get(sig);
  if (typeof made === 'string') return made;
  const name = emit.ctx.name(`${task.id} failed`);
  scope.memo.set(sig, name);
  const { s: _s, ...defaults } = recordFor(emit.ctx, task.id, 'failed');
  scope.add(name, { Type: 'Pass' });
  const { pe: _pe, ...rest } = defaults;
  // In a retried group, a permanent error does not re-run the group: the record says which it was.
  const permanent: Record<string, JsonValue> = emit.ctx.inRetriedGroup(task.id)
    ? { 'pe.$': `States.ArrayContains(States.Array(${ERR}.Error), '${ERROR_NAMES.permanent}')` }
    : {};
  scope.add(name, {
    Type: 'Pass',
    Parameters: { s: 'failed', ...rest, 'e.$': ERR, ...permanent },
    ResultPath: record(emit.ctx.key(task.id)),
    ...renderNextEnd(exits.failed()),
  });
  emit.stateTasks.set(name, { tasks: [task.id], role: 'failed' });
  return name;
}

/**
 * Where a function task's failure goes. A task that fails in place (compiler/context) has its
 * Catch write the error as its state, `$.t.<key>.s`, and go straight on to the failed exit: no
 * failure Pass, one state and about 110 bytes less per task. At the end of a scope (a Catch has no
 * End) it goes to a Pass that only ends it (a branch that lists its own records selects there:
 * compiler/states/parallel ownRecords).
 */
export function failureTarget(emit: Walk, scope: Scope, task: TaskIR, exits: Exits): CatchTo {
  if (!emit.ctx.failsInPlace(task.id)) return failurePass(emit, scope, task, exits);
  const path = field(emit.ctx.key(task.id), 's');
  const next = exits.failed();
  if (next !== END) return { next, path };
  const sig = `ends|${task.id}`;
  const made = scope.memo.get(sig);
  if (typeof made === 'string') return { next: made, path };
  const name = emit.ctx.name(`${task.id} failed`);
  scope.memo.set(sig, name);
  scope.add(name, { Type: 'Pass', End: true });
  emit.stateTasks.set(name, { tasks: [task.id], role: 'failed' });
  return { next: name, path };
}

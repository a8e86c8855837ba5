/**
 * @module compiler/conditions
 * Trigger-rule decisions → Choice rules over the upstream records in the state document.
 * Every path read here exists whenever the rule is evaluated (see `document.ts`).
 */
import { assertNever } from '../ir/types.ts';
import type { ChoiceRule } from './asl.ts';
import type { CompileContext, ForcedSkip } from './context.ts';
import { field } from './document.ts';
import type { Cond, DecisionList, Pred } from './rules.ts';

const is = (key: string, state: string): ChoiceRule => ({
  Variable: field(key, 's'),
  StringEquals: state,
});
const bool = (key: string, name: string, value: boolean): ChoiceRule => ({
  Variable: field(key, name),
  BooleanEquals: value,
});
const anyOf = (rules: readonly ChoiceRule[]): ChoiceRule =>
  rules.length === 1 ? rules[0]! : { Or: rules };
const allOf = (rules: readonly ChoiceRule[]): ChoiceRule =>
  rules.length === 1 ? rules[0]! : { And: rules };

/**
 * The task failed: its state is `failed`, or, for a task that fails in place, its state is the
 * error itself (`{ Error, Cause }`: IsPresent, because aws-local-stepfunctions reads
 * `IsString: false` as false whatever the value).
 */
function failed(ctx: CompileContext, upstream: string): ChoiceRule {
  const key = ctx.key(upstream);
  return ctx.failsInPlace(upstream)
    ? { Variable: `${field(key, 's')}.Error`, IsPresent: true }
    : is(key, 'failed');
}

/** One upstream task satisfies a predicate (mapped tasks aggregate their instances). */
export function predicate(ctx: CompileContext, upstream: string, pred: Pred): ChoiceRule {
  const key = ctx.key(upstream);
  if (!ctx.task(upstream).mapping) {
    switch (pred) {
      case 'allSucceeded':
      case 'anySucceeded':
        return is(key, 'success');
      case 'allFailed':
      case 'anyFailed':
        return anyOf([failed(ctx, upstream), is(key, 'upstream_failed')]);
      case 'allSkipped':
      case 'anySkipped':
        return is(key, 'skipped');
      case 'anySucceededOrFailed':
        return anyOf([is(key, 'success'), failed(ctx, upstream)]);
      default:
        return assertNever(pred, 'predicate');
    }
  }
  const ran: ChoiceRule[] = [
    is(key, 'mapped'),
    { Variable: field(key, 'n'), NumericGreaterThan: 0 },
  ];
  switch (pred) {
    case 'anySucceeded':
      return bool(key, 'a', true);
    case 'allSucceeded':
      return allOf([...ran, bool(key, 'f', false)]);
    case 'anyFailed':
      return anyOf([is(key, 'upstream_failed'), bool(key, 'f', true)]);
    case 'allFailed':
      return anyOf([is(key, 'upstream_failed'), allOf([...ran, bool(key, 'a', false)])]);
    case 'allSkipped':
    case 'anySkipped':
      // Skipped as a whole, or mapped over an empty list (Airflow skips it then).
      return allOf([
        { Variable: field(key, 'n'), NumericEquals: 0 },
        { Not: is(key, 'upstream_failed') },
      ]);
    case 'anySucceededOrFailed':
      return anyOf([bool(key, 'a', true), bool(key, 'f', true)]);
    default:
      return assertNever(pred, 'predicate');
  }
}

export function forcedRule(ctx: CompileContext, target: string, f: ForcedSkip): ChoiceRule {
  const by = ctx.key(f.by);
  const test =
    f.test === 'branchNotChosen' ? bool(by, `c.${ctx.key(target)}`, false) : bool(by, 'o', false);
  return allOf([is(by, 'success'), test]);
}

export function condRule(
  ctx: CompileContext,
  cond: Cond,
  upstreams: readonly string[],
): ChoiceRule {
  const rules = upstreams.map((u) => predicate(ctx, u, cond.of));
  return cond.kind === 'all' ? allOf(rules) : anyOf(rules);
}

/** The Choices of a gate: forced skips first, then the rule's decisions in order. */
export function gateChoices(
  ctx: CompileContext,
  taskId: string,
  list: DecisionList,
  upstreams: readonly string[],
  target: (outcome: 'run' | 'skipped' | 'upstream_failed') => string,
): { Choices: (ChoiceRule & { Next: string })[]; Default: string } {
  const choices: (ChoiceRule & { Next: string })[] = [];
  for (const f of ctx.forced.get(taskId) ?? [])
    choices.push({ ...forcedRule(ctx, taskId, f), Next: target('skipped') });
  if (upstreams.length > 0)
    for (const d of list.decisions)
      choices.push({ ...condRule(ctx, d.when, upstreams), Next: target(d.then) });
  const otherwise = upstreams.length > 0 ? list.otherwise : 'run';
  return { Choices: choices, Default: target(otherwise) };
}

/** A leaf that makes the run fail: failed or upstream_failed (for mapped tasks: any instance failed). */
export function leafFailed(ctx: CompileContext, taskId: string): ChoiceRule {
  return predicate(ctx, taskId, 'anyFailed');
}

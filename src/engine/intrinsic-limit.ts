/**
 * @module engine/intrinsic-limit
 * Step Functions allows at most 10 intrinsic functions in one field ("You can nest up to 10
 * intrinsic functions within a field"; its own example of nine counts every call, nested or side
 * by side: Format, 4 × ArrayGetItem, 4 × StringSplit) and refuses a definition over that when it is
 * created or updated. aws-local-stepfunctions has no such limit, so the engine checks it before a
 * run: a definition that would not deploy does not run.
 */
import type { StateMachine } from '../compiler/contract.ts';

export const INTRINSICS_PER_FIELD = 10;

/** Intrinsic function calls in a field's value, not counting text inside string literals. */
export function countIntrinsics(value: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (
      value.startsWith('States.', i) &&
      /^States\.[A-Za-z0-9]+\(/.test(value.slice(i, i + 40))
    )
      n++;
  }
  return n;
}

/** Every field over the limit, as `state "<name>" field "<key>" has <n> intrinsic functions`. */
export function intrinsicLimitProblems(machine: StateMachine): string[] {
  const problems: string[] = [];
  const fields = (state: string, value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) fields(state, v);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.endsWith('.$') && typeof v === 'string') {
          const n = countIntrinsics(v);
          if (n > INTRINSICS_PER_FIELD)
            problems.push(`state "${state}" field "${k}" has ${n} intrinsic functions`);
        } else fields(state, v);
      }
    }
  };
  const walk = (m: StateMachine): void => {
    for (const [name, state] of Object.entries(m.States)) {
      const s = state as Record<string, unknown>;
      for (const f of ['Parameters', 'ResultSelector', 'ItemSelector']) fields(name, s[f]);
      if (state.Type === 'Parallel') state.Branches.forEach(walk);
      if (state.Type === 'Map') walk(state.ItemProcessor);
    }
  };
  walk(machine);
  return problems;
}

/**
 * @module engine/machine-definition
 * The compiled state machine as the local interpreter runs it: placeholders filled with stand-in
 * ARNs (infra fills the real ones), parsed once per compile result, intrinsic string literals
 * read as AWS reads them, and — for runs whose task code runs in workers — function tasks left
 * untimed, because the worker pool times them.
 */
import type { DagIR } from '../ir/types.ts';
import type { CompileResult } from '../compiler/index.ts';
import {
  fillPlaceholders,
  parsePlaceholder,
  type StateMachine as Asl,
  type State,
} from '../compiler/contract.ts';
import { hasEscapedLiterals, rewriteEscapedLiterals } from './intrinsic-literals.ts';

/** Replace `${Name}` placeholders (infra does this with DefinitionSubstitutions). */
export function substitute(json: string, values: Readonly<Record<string, string>>): string {
  return fillPlaceholders(json, (name) => values[name] ?? localValue(name));
}

/** Stand-in values for placeholders, shaped like the real thing (infra fills the real ones). */
function localValue(name: string): string {
  const p = parsePlaceholder(name);
  switch (p.kind) {
    case 'region':
      return 'us-east-1';
    case 'account':
      return '000000000000';
    case 'stateMachine':
      return `arn:aws:states:us-east-1:000000000000:stateMachine:updraft-${p.dag}`;
    case 'part':
      return `arn:aws:states:us-east-1:000000000000:stateMachine:updraft-part-${p.part}`;
    case 'payloadBucket':
      return 'updraft-payload-local';
    case 'connection':
      return `arn:aws:events:us-east-1:000000000000:connection/updraft-${p.connection}/local`;
    default:
      return `arn:aws:lambda:us-east-1:000000000000:function:updraft-${name}`;
  }
}

export interface Interpretable {
  readonly definition: Asl;
  /** Intrinsic string literals as AWS reads them (engine/intrinsic-literals), in the context object. */
  readonly literals: Readonly<Record<string, string>>;
}

const parsed = new WeakMap<CompileResult, Interpretable>();

/** The definition with placeholders filled, parsed once per compile result (the engine reuses it for every run). */
export function parsedDefinition(
  compiled: CompileResult,
  substitutions?: Readonly<Record<string, string>>,
): Interpretable {
  const parse = (json: string): Interpretable =>
    hasEscapedLiterals(json)
      ? rewriteEscapedLiterals(JSON.parse(json) as Asl)
      : { definition: JSON.parse(json) as Asl, literals: {} };
  if (substitutions) return parse(substitute(compiled.json, substitutions));
  let d = parsed.get(compiled);
  if (!d) {
    d = parse(substitute(compiled.json, {}));
    parsed.set(compiled, d);
  }
  return d;
}

/** A part's definition (compiler/parts), placeholders filled: parsed for each run, as parts are rare. */
export function parsedPart(
  part: { readonly json: string },
  substitutions?: Readonly<Record<string, string>>,
): Interpretable {
  const json = substitute(part.json, substitutions ?? {});
  return hasEscapedLiterals(json)
    ? rewriteEscapedLiterals(JSON.parse(json) as Asl)
    : { definition: JSON.parse(json) as Asl, literals: {} };
}

/**
 * setTimeout's longest delay (2^31-1 ms, ~24.8 days); a longer one fires at once. The interpreter
 * times a Task state with setTimeout, so "no timeout of its own" is this.
 */
const UNTIMED_SECONDS = 2_147_483;

/**
 * The definition for runs whose task code runs in workers: the pool enforces each function task's
 * TimeoutSeconds (it stops the worker, records the try, then fails the state with States.Timeout),
 * so the interpreter's own timer must not fail the state first with a bare cause while the worker
 * still runs. Native operators keep their TimeoutSeconds.
 */
export function isolatedDefinition(definition: Asl, compiled: CompileResult, ir: DagIR): Asl {
  const operators = new Set(ir.tasks.filter((t) => t.body.kind === 'operator').map((t) => t.id));
  const copy = structuredClone(definition);
  for (const [name, state] of allStates(copy)) {
    const taskId = compiled.manifest.states[name]?.tasks[0];
    if (state.Type === 'Task' && taskId !== undefined && !operators.has(taskId))
      Object.assign(state, { TimeoutSeconds: UNTIMED_SECONDS });
  }
  return copy;
}

/** Every state by name, those of Parallel branches and Map iterations included. */
export function allStates(machine: Asl, out: Map<string, State> = new Map()): Map<string, State> {
  for (const [name, state] of Object.entries(machine.States)) {
    out.set(name, state);
    if (state.Type === 'Parallel') for (const b of state.Branches) allStates(b, out);
    if (state.Type === 'Map') allStates(state.ItemProcessor, out);
  }
  return out;
}

/**
 * Opt-in check against real AWS (`npm run test:aws:asl`, never part of `npm test`): sends the
 * intrinsic-function and state patterns the compiler relies on to the Step Functions TestState
 * API (one state each: a Pass, or a Choice whose next state is compared; no resources created,
 * no state machine deployed) and compares AWS's answer with what the embedded engine gives for
 * the same state and input. Exits 1 on any difference.
 *
 * Patterns: States.Format with escaped braces and quotes (marks records, error causes),
 * a ResultPath into a record not there yet and Choice rules over a state that is an error (a
 * task that fails in place: its Catch writes `$.t.<key>.s`),
 * StringToJson(Format(…)) into JsonMerge (marks), JsonMerge of Parallel branch results (the
 * carrier's `t` with the other branches' own records), ArrayContains over `[*].s` (a Map's
 * result), States.Array with quoted literals (operator parameters), and 10 vs 11 intrinsic
 * functions in one field (AWS's limit; the 11 must be refused).
 *
 * Needs AWS credentials with `states:TestState` (any region; AWS_REGION, default us-east-1);
 * without them it prints one line saying why it skipped and exits 0. It has NOT been run in the
 * project's own environment, which reaches no AWS account: its expectations are the engine's.
 */
import { SFNClient, TestStateCommand } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { hasEscapedLiterals, rewriteEscapedLiterals } from '../src/engine/intrinsic-literals.ts';
import { intrinsicLimitProblems } from '../src/engine/intrinsic-limit.ts';
import type { StateMachine as Asl, State } from '../src/compiler/contract.ts';

interface Case {
  readonly name: string;
  /** A Pass state's Parameters, or a whole state (a Choice: its next state is compared). */
  readonly parameters?: Record<string, unknown>;
  readonly state?: Record<string, unknown>;
  readonly input: unknown;
}

/** A function task that fails in place: its Catch writes the error as its state (compiler/context failsInPlace). */
const failedInPlace = { Error: 'Updraft.TaskFailed', Cause: 'boom' };
const failedTest = {
  Type: 'Choice',
  Choices: [
    { Variable: '$.t.a.s.Error', IsPresent: true, Next: 'failed' },
    { Variable: '$.t.a.s', StringEquals: 'success', Next: 'success' },
  ],
  Default: 'other',
};

const nestedMerges = (n: number) => {
  let field = '$.a';
  for (let i = 0; i < n; i++) field = `States.JsonMerge(${field}, $.b, false)`;
  return field;
};

const cases: Case[] = [
  {
    name: 'Format with escaped braces and quotes',
    parameters: { 'x.$': 'States.Format(\'\\{"k":"{}"\\} it\\\'s {}\', $.a, $.n)' },
    input: { a: 'v', n: 3 },
  },
  {
    name: 'marks: JsonMerge($.t, StringToJson(Format(…)))',
    parameters: {
      't.$':
        'States.JsonMerge($.t, States.StringToJson(States.Format(\'\\{"b":\\{"s":"skipped","o":null\\}\\}\')), false)',
    },
    input: { t: { a: { s: 'success', o: 1 } } },
  },
  {
    name: 'Parallel merge: carrier t with own records',
    parameters: {
      'run.$': '$[1].run',
      't.$': 'States.JsonMerge(States.JsonMerge($[1].t, $[0], false), $[2], false)',
    },
    input: [
      { b: { s: 'success', o: 2 } },
      { run: { dagId: 'd' }, t: { a: { s: 'success', o: 1 }, c: { s: 'failed', o: null } } },
      { c: { s: 'success', o: 3 } },
    ],
  },
  {
    name: 'ArrayContains over a Map result',
    parameters: {
      'f.$': "States.ArrayContains($[*].s, 'failed')",
      'a.$': "States.ArrayContains($[*].s, 'success')",
      'n.$': 'States.ArrayLength($)',
      'o.$': '$[*].o',
    },
    input: [
      { s: 'success', o: 1 },
      { s: 'failed', o: null },
    ],
  },
  {
    name: 'Array with quoted literals',
    parameters: { 'l.$': "States.Array($.a, 'it\\'s', '\\{x\\}', 'a\\\\b', 3, true, null)" },
    input: { a: 'orders' },
  },
  {
    name: 'ResultPath into a record not there yet (a Catch writing $.t.<key>.s): fields made on the way',
    state: { Type: 'Pass', Result: failedInPlace, ResultPath: '$.t.a.s', End: true },
    input: { run: { dagId: 'd' }, t: { b: { s: 'success', o: 1 } } },
  },
  {
    name: 'Choice: a state that is an error is failed ($.t.<key>.s.Error present)',
    state: failedTest,
    input: { t: { a: { s: failedInPlace } } },
  },
  {
    name: 'Choice: a state that is a string has no .Error (IsPresent false, no error)',
    state: failedTest,
    input: { t: { a: { s: 'success', o: 1 } } },
  },
  {
    name: 'Choice: StringEquals on a state that is an object is false, not an error',
    state: {
      Type: 'Choice',
      Choices: [{ Variable: '$.t.a.s', StringEquals: 'failed', Next: 'failed' }],
      Default: 'other',
    },
    input: { t: { a: { s: failedInPlace } } },
  },
  {
    name: '10 intrinsic functions in one field',
    parameters: { 'm.$': nestedMerges(10) },
    input: { a: { x: 1 }, b: { y: 2 } },
  },
];
const refused: Case = {
  name: '11 intrinsic functions in one field (must be refused)',
  parameters: { 'm.$': nestedMerges(11) },
  input: { a: { x: 1 }, b: { y: 2 } },
};

/** What the embedded engine gives: the same rewrite and checks run-machine applies, then the interpreter. */
/** The state a case tests: a Pass with its Parameters, or its own. */
const stateOf = (c: Case) => c.state ?? { Type: 'Pass', Parameters: c.parameters, End: true };

async function local(c: Case): Promise<{ output?: unknown; next?: string; error?: string }> {
  const state = stateOf(c);
  // A Choice's targets, each a Pass that answers its own name.
  const targets: Record<string, State> = {};
  if (state.Type === 'Choice')
    for (const next of ['failed', 'success', 'other'])
      targets[next] = { Type: 'Pass', Result: { next }, End: true } as State;
  const machine: Asl = { StartAt: 'p', States: { p: state as State, ...targets } };
  if (intrinsicLimitProblems(machine).length > 0)
    return { error: 'refused: over 10 intrinsic functions in one field' };
  const json = JSON.stringify(machine);
  const { definition, literals } = hasEscapedLiterals(json)
    ? rewriteEscapedLiterals(machine)
    : { definition: machine, literals: {} };
  try {
    const sm = new StateMachine(definition as never, {
      validationOptions: { noValidate: true } as never,
    });
    const output = await sm.run(
      c.input as never,
      { context: { UpdraftLiterals: literals } } as never,
    ).result;
    return state.Type === 'Choice' ? { next: (output as { next: string }).next } : { output };
  } catch (e) {
    return { error: String((e as Error).name) };
  }
}

async function aws(
  client: SFNClient,
  c: Case,
): Promise<{ output?: unknown; next?: string; error?: string }> {
  const state = stateOf(c);
  try {
    const r = await client.send(
      new TestStateCommand({ definition: JSON.stringify(state), input: JSON.stringify(c.input) }),
    );
    if (r.status !== 'SUCCEEDED') return { error: `${r.error}: ${r.cause}` };
    return state.Type === 'Choice'
      ? { next: r.nextState ?? '' }
      : { output: JSON.parse(r.output ?? 'null') };
  } catch (e) {
    // An invalid definition is refused by the API itself (InvalidDefinition).
    return { error: `refused: ${(e as Error).name}: ${(e as Error).message}` };
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, canonical(v)]),
  );
}

async function main(): Promise<number> {
  const client = new SFNClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
  try {
    await client.config.credentials();
  } catch {
    console.log(
      'test:aws:asl skipped: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to run it)',
    );
    return 0;
  }
  let failed = 0;
  for (const c of cases) {
    const [mine, theirs] = [await local(c), await aws(client, c)];
    // Objects compare by content: JsonMerge's key order is not specified.
    const same = JSON.stringify(canonical(mine)) === JSON.stringify(canonical(theirs));
    if (!same) failed++;
    console.log(
      `${same ? '✓' : '✖'} ${c.name}${same ? '' : `\n    engine: ${JSON.stringify(mine)}\n    AWS:    ${JSON.stringify(theirs)}`}`,
    );
  }
  const [mine, theirs] = [await local(refused), await aws(client, refused)];
  const bothRefused =
    mine.error?.startsWith('refused') === true && theirs.error?.startsWith('refused') === true;
  if (!bothRefused) failed++;
  console.log(
    `${bothRefused ? '✓' : '✖'} ${refused.name}${bothRefused ? '' : `\n    engine: ${JSON.stringify(mine)}\n    AWS:    ${JSON.stringify(theirs)}`}`,
  );
  console.log(`${cases.length + 1 - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();

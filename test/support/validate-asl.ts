/**
 * Both ASL validators over a compiled definition (placeholders filled as infra fills them):
 * `asl-validator` (schema, JSONPath and intrinsic-function syntax, ARNs) and AWS's
 * `amazon-states-language-service` (the validator of the AWS Toolkit for VS Code: schema and
 * state-graph rules such as unreachable states and missing terminals). Returns every problem as
 * `<validator>: <message>`; none means both accept it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import validator from 'asl-validator';
import asl from 'amazon-states-language-service';
import { substitute } from '../../src/engine/run-machine.ts';

const service = asl.getLanguageService({});

/** The options every call passes: the schema compiled once (below) is only right for these. */
const OPTIONS = { checkArn: true, checkPaths: true } as const;

/**
 * asl-validator builds a new Ajv and compiles its whole JSON schema on every call: 180–400 ms a
 * call against 2–5 ms for the checks themselves (measured on a golden definition, 2-core machine),
 * which made it ~44 % of the test suite (the harness validates every machine a test runs). Its
 * copy of Ajv is swapped for one that builds the real instance once; later constructions get a
 * view of it whose addFormat/addKeyword do nothing (the formats and keywords are already there,
 * from the same options) and whose validate reuses the compiled schema. Nothing else changes:
 * every definition still goes through every check.
 */
function compileSchemaOnce(): void {
  const require = createRequire(import.meta.url);
  const from = path.dirname(require.resolve('asl-validator'));
  type Ajv = { addFormat: unknown; addKeyword: unknown };
  const ajv = require(require.resolve('ajv', { paths: [from] })) as {
    default: new (options: object) => Ajv;
  };
  const Real = ajv.default;
  let shared: Ajv | undefined;
  // biome-ignore lint/correctness/noComponentHookFactories: a constructor stand-in for Ajv, not a React component
  function SharedAjv(options: object): Ajv {
    if (!shared) return (shared = new Real(options));
    const view = Object.create(shared) as Ajv;
    view.addFormat = () => view;
    view.addKeyword = () => view;
    return view;
  }
  ajv.default = SharedAjv as unknown as typeof Real;
}
compileSchemaOnce();

/**
 * asl-path-validator's grammar reads an escaped character as `$[^\\n]` (anything but a backslash
 * or the letter n), so it refuses `\\` in an intrinsic's string literal, which the ASL
 * specification allows and the compiler writes for a literal backslash. Checked with that one
 * escape swapped for another the grammar accepts (`\'`): the rest of the field is still checked.
 */
function withoutEscapedBackslashes(json: string): string {
  return json.replace(/\\\\\\\\/g, "\\\\'");
}

export async function aslProblems(json: string): Promise<string[]> {
  const filled = substitute(json, { Region: 'us-east-1', Account: '123456789012' });
  const problems: string[] = [];
  const checked = validator(JSON.parse(withoutEscapedBackslashes(filled)) as never, OPTIONS);
  if (!checked.isValid)
    problems.push(...checked.errors.map((e) => `asl-validator: ${e['Error code']}: ${e.Message}`));
  const doc = asl.TextDocument.create('file:///machine.asl.json', 'json', 0, filled);
  const diagnostics = await service.doValidation(doc, service.parseJSONDocument(doc));
  problems.push(
    ...diagnostics.map(
      (d) => `amazon-states-language-service: line ${d.range.start.line + 1}: ${d.message}`,
    ),
  );
  return problems;
}

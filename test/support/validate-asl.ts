/**
 * Both ASL validators over a compiled definition (placeholders filled as infra fills them):
 * `asl-validator` (schema, JSONPath and intrinsic-function syntax, ARNs) and AWS's
 * `amazon-states-language-service` (the validator of the AWS Toolkit for VS Code: schema and
 * state-graph rules such as unreachable states and missing terminals). Returns every problem as
 * `<validator>: <message>`; none means both accept it.
 */
import validator from 'asl-validator';
import asl from 'amazon-states-language-service';
import { substitute } from '../../src/engine/run-machine.ts';

const service = asl.getLanguageService({});

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
  const checked = validator(JSON.parse(withoutEscapedBackslashes(filled)) as never, { checkArn: true, checkPaths: true });
  if (!checked.isValid) problems.push(...checked.errors.map((e) => `asl-validator: ${e['Error code']}: ${e.Message}`));
  const doc = asl.TextDocument.create('file:///machine.asl.json', 'json', 0, filled);
  const diagnostics = await service.doValidation(doc, service.parseJSONDocument(doc));
  problems.push(...diagnostics.map((d) => `amazon-states-language-service: line ${d.range.start.line + 1}: ${d.message}`));
  return problems;
}

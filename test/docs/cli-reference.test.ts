/** docs/cli.md is commander's help of every command, as scripts/cli-reference.ts writes it. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CLI_REFERENCE, cliReference } from '../../scripts/cli-reference.ts';

it('docs/cli.md is what `npm run docs:cli` writes from the CLI help', () => {
  const written = readFileSync(CLI_REFERENCE, 'utf8');
  const expected = cliReference();
  if (written !== expected) {
    expect.fail(
      'docs/cli.md is out of date with the CLI help: run `npm run docs:cli` and commit docs/cli.md',
    );
  }
  // Every registered command has its section, subcommands included.
  expect(written).toContain('## updraft doctor\n');
  expect(written).toContain('### updraft connections add\n');
});

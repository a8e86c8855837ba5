/**
 * The purity rule (CONTRIBUTING.md#pure-core): src/sdk, src/ir, src/schedule and src/compiler import no
 * AWS SDK, CDK, middy or file system. Lints snippets as if they lived in those folders.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('purity lint rule', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'src/sdk/x.ts'],
    ["import { readFile } from 'fs/promises';", 'src/ir/x.ts'],
    ["import { SFNClient } from '@aws-sdk/client-sfn';", 'src/compiler/x.ts'],
    ["import { Stack } from 'aws-cdk-lib';", 'src/schedule/x.ts'],
    ["import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';", 'src/compiler/x.ts'],
    ["import middy from '@middy/core';", 'src/sdk/x.ts'],
  ])('refuses %s in %s', async (code, file) => {
    const messages = await restricted(`${code}\nexport const used = 1;\n`, file);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/The pure core \(sdk, ir, schedule, compiler\) must not/);
  });

  it('allows the same imports elsewhere', async () => {
    expect(
      await restricted(
        "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
        'src/loader/x.ts',
      ),
    ).toEqual([]);
    expect(
      await restricted(
        "import { SFNClient } from '@aws-sdk/client-sfn';\nexport const c = SFNClient;\n",
        'src/runtime/x.ts',
      ),
    ).toEqual([]);
  });
});

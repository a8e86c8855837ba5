/**
 * The purity rule (CONTRIBUTING.md#pure-core): src/sdk, src/ir, src/schedule and src/compiler import no
 * AWS SDK, CDK, middy or file system. Lints snippets laid out as they would live in the project,
 * with the project's own biome.jsonc, in one run of Biome.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const biome = path.join(repo, 'node_modules/@biomejs/biome/bin/biome');

const REFUSED = [
  ["import { readFileSync } from 'node:fs';", 'src/sdk/a.ts'],
  ["import { readFile } from 'fs/promises';", 'src/ir/b.ts'],
  ["import { SFNClient } from '@aws-sdk/client-sfn';", 'src/compiler/c.ts'],
  ["import { Stack } from 'aws-cdk-lib';", 'src/schedule/d.ts'],
  ["import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';", 'src/compiler/states/e.ts'],
  ["import middy from '@middy/core';", 'src/sdk/f.ts'],
] as const;
const ALLOWED = [
  ["import { readFile } from 'node:fs/promises';", 'src/loader/g.ts'],
  ["import { SFNClient } from '@aws-sdk/client-sfn';", 'src/runtime/h.ts'],
] as const;

/** The restricted-import messages per file. */
let found: Map<string, string[]>;
const dir = mkdtempSync(path.join(tmpdir(), 'updraft-purity-'));

beforeAll(() => {
  copyFileSync(path.join(repo, 'biome.jsonc'), path.join(dir, 'biome.jsonc'));
  for (const [code, file] of [...REFUSED, ...ALLOWED]) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    // The import is used: an unused one would be a second finding.
    const name = /import \{? ?(\w+)/.exec(code)![1];
    writeFileSync(path.join(dir, file), `${code}\nexport const used = ${name};\n`);
  }
  const run = spawnSync(
    process.execPath,
    [
      biome,
      'lint',
      '--vcs-enabled=false',
      '--only=style/noRestrictedImports',
      '--reporter=json',
      '--max-diagnostics=100',
      'src',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const report = JSON.parse(run.stdout) as {
    diagnostics: { category: string; message: string; location: { path: string } }[];
  };
  found = new Map();
  for (const d of report.diagnostics) {
    expect(d.category, `${d.location.path}: ${d.message}`).toBe('lint/style/noRestrictedImports');
    found.set(d.location.path, [...(found.get(d.location.path) ?? []), d.message]);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('purity lint rule', () => {
  it.each(REFUSED)('refuses %s in %s', (_code, file) => {
    const messages = found.get(file) ?? [];
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^The pure core \(sdk, ir, schedule, compiler\) must not/);
  });

  it('allows the same imports elsewhere', () => {
    for (const [, file] of ALLOWED) expect(found.get(file), file).toBeUndefined();
    expect(found.size).toBe(REFUSED.length);
  });
});

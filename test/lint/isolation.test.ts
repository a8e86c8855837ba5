/**
 * The `shared` vitest project runs its files in one module graph per fork (vitest.config.ts): a
 * file there that patches something for the whole process would leak into the files after it, and
 * only on the fork and in the order the scheduler happened to pick. Such a file must be listed in
 * ISOLATED; this test finds one that is not (and a listed file that no longer exists).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATED } from '../../vitest.config.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** What patches a process-wide thing: a mocked module or AWS client, a stubbed env or global, fake timers, an env write. */
const PATCHES: readonly [string, RegExp][] = [
  ['vi.mock', /\bvi\.(do)?mock\(/],
  ['aws-sdk-client-mock', /\bmockClient\(/],
  ['vi.stubEnv / vi.stubGlobal', /\bvi\.stub(Env|Global)\(/],
  ['fake timers', /\bvi\.useFakeTimers\(/],
  ['an environment variable set', /\bprocess\.env\.[A-Za-z_]+\s*=[^=]/],
  ['an environment variable deleted', /\bdelete process\.env\b/],
  ['process.chdir', /\bprocess\.chdir\(/],
];

function testFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(rel);
    return e.name.endsWith('.test.ts') && !e.name.endsWith('.slow.test.ts') ? [rel] : [];
  });
}

/** The patches in a file's code (comments and string literals do not count). */
function patchesIn(file: string): string[] {
  const code = readFileSync(path.join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
  return PATCHES.filter(([, pattern]) => pattern.test(code)).map(([what]) => what);
}

describe('test isolation', () => {
  it('finds the patches it looks for (a file known to mock AWS clients)', () => {
    expect(patchesIn('test/runtime/recorder.test.ts')).toContain('aws-sdk-client-mock');
  });

  it('runs every file that patches the process in the isolated project', () => {
    const shared = testFiles('test').filter((f) => !ISOLATED.includes(f));
    expect(shared.length).toBeGreaterThan(50);
    const leaking = shared.flatMap((f) => patchesIn(f).map((what) => `${f}: ${what}`));
    expect(leaking, 'add these files to ISOLATED in vitest.config.ts').toEqual([]);
  });

  it('lists only files that exist', () => {
    expect(ISOLATED.filter((f) => !existsSync(path.join(root, f)))).toEqual([]);
  });
});

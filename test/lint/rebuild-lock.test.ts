/**
 * bin/updraft.js rebuilds dist/ under a lock file; a builder killed with kill -9 leaves it behind.
 * The waiters take over at once when the pid in the lock is gone from this host (they used to
 * wait a minute, and a crash test's `updraft retry` timed out behind a killed `updraft run`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without types
import { builderGone } from '../../scripts/rebuild.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'updraft-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lock = (text: string) => {
  const file = path.join(dir, `lock-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  return file;
};

describe('the dist/ build lock', () => {
  it('is taken over when its builder process is gone, never while it lives or on another host', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(builderGone(lock(`${dead} ${hostname()}\n`))).toBe(true);
    expect(builderGone(lock(`${process.pid} ${hostname()}\n`))).toBe(false);
    expect(builderGone(lock(`${dead} another-host\n`))).toBe(false);
    expect(builderGone(lock(''))).toBe(false); // created, pid not written yet
    expect(builderGone(path.join(dir, 'missing'))).toBe(false);
  });
});

/**
 * `npm run test:aws` (scripts/test-aws.ts) deploys a throwaway environment and is never part of
 * `npm test`; here only the way it decides to skip, with no network: no credentials, or no
 * environment named to deploy and destroy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipReason } from '../../scripts/test-aws.ts';

const home = mkdtempSync(path.join(tmpdir(), 'updraft-home-'));

describe('npm run test:aws skips with one line saying why', () => {
  it('without credentials, without an environment, with an unknown one; runs with both', () => {
    expect(skipReason({}, home)).toBe(
      'test:aws skipped: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID); it deploys a throwaway environment, runs DAGs on it and destroys it',
    );
    expect(skipReason({ AWS_PROFILE: 'sandbox' }, home)).toBe(
      'test:aws skipped: set UPDRAFT_TEST_AWS_ENV=dev|staging|prod to an environment not deployed in this account (the suite deploys it, then destroys it)',
    );
    expect(skipReason({ AWS_PROFILE: 'sandbox', UPDRAFT_TEST_AWS_ENV: 'qa' }, home)).toBe(
      'test:aws skipped: UPDRAFT_TEST_AWS_ENV is "qa"; use dev, staging or prod',
    );
    expect(
      skipReason({ AWS_ACCESS_KEY_ID: 'AKIA…', UPDRAFT_TEST_AWS_ENV: 'staging' }, home),
    ).toBeUndefined();
  });

  it('the script itself prints the line and exits 0 on this machine (no account here)', () => {
    const env = { PATH: process.env.PATH!, HOME: home };
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.resolve('scripts/test-aws.ts')],
      { encoding: 'utf8', env },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'test:aws skipped: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID); it deploys a throwaway environment, runs DAGs on it and destroys it\n',
    );
    expect(r.status).toBe(0);
  });
});

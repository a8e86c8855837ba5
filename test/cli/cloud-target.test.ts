/**
 * `--target`, `--env` and `--region`: how they resolve (LocalStack's endpoint, region and test
 * credentials; AWS's SDK chain), what a wrong value says, the commands that exist only on the
 * embedded engine refusing a cloud target, and SDK errors turned into messages a user can act on.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/cloud/clients.ts';
import { explainCloudError } from '../../src/cloud/errors.ts';
import { resolveTarget, type CloudTarget } from '../../src/cloud/target.ts';
import { openCloudHarness, type CloudHarness } from './cloud-harness.ts';

let h: CloudHarness;
beforeAll(async () => {
  h = await openCloudHarness();
});
afterAll(async () => {
  await h.close();
});

describe('resolveTarget', () => {
  it('is local by default, and refuses --env or --region without a cloud target', () => {
    expect(resolveTarget({}, {})).toEqual({ kind: 'local' });
    expect(() => resolveTarget({ env: 'prod' }, {})).toThrow(
      '--env applies to a deployment: add --target aws (or --target localstack); without --target the command works on the local embedded engine',
    );
    expect(() => resolveTarget({ env: 'prod', region: 'eu-west-1' }, {})).toThrow(
      '--env and --region apply to a deployment',
    );
  });

  it('aws: environment dev by default, region and credentials left to the SDK chain unless --region', () => {
    expect(resolveTarget({ target: 'aws' }, { AWS_REGION: 'eu-west-1' })).toEqual({
      kind: 'aws',
      env: 'dev',
      flags: '--target aws',
    });
    const prod = resolveTarget(
      { target: 'aws', env: 'prod', region: 'eu-central-1' },
      {},
    ) as CloudTarget;
    expect(prod).toEqual({
      kind: 'aws',
      env: 'prod',
      region: 'eu-central-1',
      flags: '--target aws --env prod --region eu-central-1',
    });
    expect(clientConfig(prod)).toEqual({ region: 'eu-central-1' });
  });

  it('localstack: http://localhost:4566, us-east-1 and test credentials unless the environment says otherwise', () => {
    const plain = resolveTarget({ target: 'localstack' }, {}) as CloudTarget;
    expect(clientConfig(plain)).toEqual({
      region: 'us-east-1',
      endpoint: 'http://localhost:4566',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const custom = resolveTarget(
      { target: 'localstack', env: 'staging' },
      { AWS_ENDPOINT_URL: 'http://ls:4566', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'localstack' },
    ) as CloudTarget;
    expect(clientConfig(custom)).toEqual({ region: 'eu-west-1', endpoint: 'http://ls:4566' });
    expect(custom.flags).toBe('--target localstack --env staging');
  });
});

describe('target options on the command line', () => {
  it.each([
    [
      ['runs', '--target', 'awz'],
      '✖ --target "awz" is not a target (did you mean "aws"?): use one of local, aws, localstack (local, the default, is the embedded engine)',
    ],
    [
      ['show', 'x', '--target', 'gcp'],
      '✖ --target "gcp" is not a target: use one of local, aws, localstack (local, the default, is the embedded engine)',
    ],
    [
      ['runs', '--target', 'aws', '--env', 'qa'],
      '✖ --env is "qa": use one of dev, staging, prod (for example --env=dev)',
    ],
    [
      ['logs', 'x', '--target', 'aws', '--region', 'Frankfurt'],
      '✖ --region "Frankfurt" is not an AWS region name: use one such as eu-west-1 or us-east-1',
    ],
    [
      ['runs', '--env', 'prod'],
      '✖ --env applies to a deployment: add --target aws (or --target localstack); without --target the command works on the local embedded engine',
    ],
  ])('%j exits 1: %s', async (argv, message) => {
    const r = await h.cli(argv);
    expect(r.code).toBe(1);
    expect(r.err).toBe(message);
  });

  it.each([
    [
      ['run', 'orders', '--target', 'aws', '--env', 'prod'],
      '✖ updraft run works only on the local embedded engine, not with --target aws\n    ↳ to start a run on the deployment (without waiting for it): updraft trigger orders --target aws --env prod',
    ],
    [
      ['backfill', 'orders', '--from', '2026-11-01', '--to', '2026-11-03', '--target', 'aws'],
      '✖ updraft backfill works only on the local embedded engine, not with --target aws\n    ↳ on a deployment, start each interval with: updraft trigger orders --date <logical date> --target aws (a DAG with catchup: true has its schedule start missed intervals itself)',
    ],
    [
      ['outbox', '--target', 'aws'],
      '✖ updraft outbox works only on the local embedded engine, not with --target aws\n    ↳ the outbox holds what local runs captured instead of sending; a deployment really sends its SNS, SQS and EventBridge messages — see a run with: updraft show <run id> --target aws',
    ],
    [
      ['test', 'orders', 'load', '--target', 'aws'],
      "✖ updraft test works only on the local embedded engine, not with --target aws\n    ↳ it runs one task's code on this machine and records nothing; to run the DAG on the deployment: updraft trigger orders --target aws",
    ],
  ])('%j is local only and says what to do instead', async (argv, message) => {
    const r = await h.cli(argv);
    expect(r.code).toBe(1);
    expect(r.err).toBe(message);
    expect(r.out).toBe('');
  });

  it('shows the options in the help of the commands that take them, and hides them where they only lead to a refusal', async () => {
    const runs = await h.cli(['runs', '--help']);
    expect(runs.out).toContain('--target <target>');
    expect(runs.out).toContain('--env <env>');
    const backfill = await h.cli(['backfill', '--help']);
    expect(backfill.code).toBe(0);
    expect(backfill.out).not.toContain('--target');
  });
});

describe('explainCloudError', () => {
  const aws = resolveTarget({ target: 'aws' }, {}) as CloudTarget;
  const localstack = resolveTarget({ target: 'localstack' }, {}) as CloudTarget;
  const explain = (e: unknown, target = aws) => {
    const out = explainCloudError(e, target, 'eu-west-1') as Error & { hint?: string };
    return `${out.message}${out.hint ? ` ↳ ${out.hint}` : ''}`;
  };

  it('says what to set when there are no credentials or no region', () => {
    expect(
      explain(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      ),
    ).toBe(
      'no AWS credentials found ↳ set AWS_PROFILE to a profile (aws configure, or aws configure sso then aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; aws sts get-caller-identity checks them',
    );
    expect(explain(new Error('Region is missing'))).toBe(
      'no AWS region is set ↳ pass --region (e.g. --region eu-west-1), or set AWS_REGION, or a region in your AWS profile',
    );
    expect(
      explain(
        Object.assign(new Error('The security token included in the request is expired'), {
          name: 'ExpiredTokenException',
          $fault: 'client',
        }),
      ),
    ).toBe(
      'the AWS credentials have expired (ExpiredTokenException) ↳ sign in again (aws sso login), or refresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN',
    );
  });

  it('names the missing permission, the missing table and an unreachable LocalStack', () => {
    const denied = Object.assign(
      new Error(
        'User: arn:aws:iam::1:user/me is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:eu-west-1:1:table/updraft-dev/index/gsi1',
      ),
      { name: 'AccessDeniedException', $fault: 'client' },
    );
    expect(explain(denied)).toBe(
      "access denied: your AWS identity may not dynamodb:Query on arn:aws:dynamodb:eu-west-1:1:table/updraft-dev/index/gsi1 ↳ ask for an IAM policy that allows dynamodb:Query on Updraft's dev resources (names start with updraft-dev)",
    );
    expect(
      explain(
        new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }),
        localstack,
      ),
    ).toBe(
      'the run table "updraft-dev" does not exist in LocalStack (http://localhost:4566): Updraft is not deployed to dev there ↳ deploy first: npm run deploy:local -- -c env=dev',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
      code: 'ECONNREFUSED',
    });
    expect(explain(refused, localstack)).toBe(
      'LocalStack is not reachable at http://localhost:4566 (ECONNREFUSED) ↳ start it with: localstack start -d (it needs Docker), or set AWS_ENDPOINT_URL to where it listens',
    );
  });

  it('leaves errors it does not know alone', () => {
    const bug = new TypeError('x is undefined');
    expect(explainCloudError(bug, aws, 'eu-west-1')).toBe(bug);
  });
});

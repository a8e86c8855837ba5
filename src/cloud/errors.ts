/**
 * @module cloud/errors
 * What the AWS SDK throws, in the user's terms: no credentials (what to set), no region, expired
 * or rejected credentials, a missing permission (which one), the stack not deployed (how to
 * deploy), LocalStack not running, throttling. These are `CloudError`s (a ConfigError: exit 1,
 * with a hint); anything else passes through unchanged.
 */
import { ResourceNotFoundException as TableNotFound } from '@aws-sdk/client-dynamodb';
import { names } from '../runtime/env.ts';
import { ConfigError, UpdraftError } from '../errors.ts';
import { LOCALSTACK_ENDPOINT, type CloudTarget } from './target.ts';

/** A cloud call failed for a reason the user can fix; `hint` says how. */
export class CloudError extends ConfigError {}

/** How to deploy the environment the target names. */
export function deployHint(target: CloudTarget): string {
  return target.kind === 'localstack'
    ? `deploy first: npm run deploy:local -- -c env=${target.env}`
    : `deploy first: npm run deploy -- -c env=${target.env}`;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const EXPIRED = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const REJECTED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

interface AwsError extends Error {
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
}

function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as AwsError).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const errors = (e as { errors?: unknown }).errors; // AggregateError of a dual-stack connect
    if (Array.isArray(errors))
      for (const inner of errors)
        if (NETWORK_CODES.has((inner as AwsError).code ?? '')) return (inner as AwsError).code;
  }
  return undefined;
}

/** `states:StartExecution` out of "User: arn:… is not authorized to perform: states:StartExecution on resource: …". */
export function deniedAction(message: string): { action?: string; resource?: string } {
  const action = /perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
  const resource = /on resource:? (\S+?)(?:[\s,]|$)/.exec(message)?.[1];
  return { ...(action && { action }), ...(resource && { resource }) };
}

/**
 * The error as the user should read it. `region` is where the call went (for messages); an
 * error this module does not recognise is returned unchanged.
 */
export function explainCloudError(
  error: unknown,
  target: CloudTarget,
  region: string | undefined,
): unknown {
  if (error instanceof UpdraftError || !(error instanceof Error)) return error;
  const e = error as AwsError;
  const where =
    target.kind === 'localstack'
      ? `LocalStack (${target.endpoint ?? LOCALSTACK_ENDPOINT})`
      : `AWS${region ? ` ${region}` : ''}`;
  const code = networkCode(e);
  if (code) {
    if (target.kind === 'localstack') {
      return new CloudError(
        `LocalStack is not reachable at ${target.endpoint ?? LOCALSTACK_ENDPOINT} (${code})`,
        {
          hint: 'start it with: localstack start -d (it needs Docker), or set AWS_ENDPOINT_URL to where it listens',
          cause: e,
        },
      );
    }
    return new CloudError(`cannot reach ${where} (${code})`, {
      hint: 'check the network connection and the region (--region or AWS_REGION)',
      cause: e,
    });
  }
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message)) {
    return new CloudError('no AWS credentials found', {
      hint: 'set AWS_PROFILE to a profile (aws configure, or aws configure sso then aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; aws sts get-caller-identity checks them',
      cause: e,
    });
  }
  if (/Region is missing/i.test(e.message)) {
    return new CloudError('no AWS region is set', {
      hint: 'pass --region (e.g. --region eu-west-1), or set AWS_REGION, or a region in your AWS profile',
      cause: e,
    });
  }
  if (EXPIRED.has(e.name) || /security token .* expired/i.test(e.message)) {
    return new CloudError(`the AWS credentials have expired (${e.name})`, {
      hint: 'sign in again (aws sso login), or refresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN',
      cause: e,
    });
  }
  if (REJECTED.has(e.name)) {
    return new CloudError(`${where} rejected the credentials: ${e.message}`, {
      hint: 'check AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; aws sts get-caller-identity shows who you are',
      cause: e,
    });
  }
  if (DENIED.has(e.name)) {
    const { action, resource } = deniedAction(e.message);
    const what = action
      ? `your AWS identity may not ${action}${resource ? ` on ${resource}` : ''}`
      : e.message;
    return new CloudError(`access denied: ${what}`, {
      hint: `ask for an IAM policy that allows ${action ?? 'this action'} on Updraft's ${target.env} resources (names start with ${names.prefix(target.env)})`,
      cause: e,
    });
  }
  if (error instanceof TableNotFound) {
    return new CloudError(
      `the run table "${names.table(target.env)}" does not exist in ${where}: Updraft is not deployed to ${target.env} there`,
      { hint: deployHint(target), cause: e },
    );
  }
  if (THROTTLED.has(e.name)) {
    return new CloudError(`${where} is throttling requests (${e.name})`, {
      hint: 'wait a moment and run the command again',
      cause: e,
    });
  }
  if (e.$fault === 'server') {
    return new CloudError(`${where} had an internal error: ${e.name}: ${e.message}`, {
      hint: 'run the command again; if it persists, see the AWS Health Dashboard',
      cause: e,
    });
  }
  if (e.$fault === 'client') {
    return new CloudError(`${where} refused the request: ${e.name}: ${e.message}`, { cause: e });
  }
  return error;
}

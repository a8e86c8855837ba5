/**
 * @module cloud/target
 * Where a command works: the embedded engine (`local`, the default), a deployed environment on
 * AWS, or LocalStack. `--target`, `--env` and `--region` become one value here, with the region,
 * endpoint and credentials the AWS SDK clients are made with. On AWS, region and credentials come
 * from the SDK's usual chain (AWS_REGION / AWS_PROFILE / SSO / instance role); on LocalStack the
 * endpoint is http://localhost:4566 with test credentials unless the environment says otherwise.
 */
import { suggest } from '../ir/problems.ts';
import { ConfigError } from '../errors.ts';
import { parseEnvironment, type Environment } from '../runtime/env.ts';

export const TARGETS = ['local', 'aws', 'localstack'] as const;
export type TargetKind = (typeof TARGETS)[number];

/** LocalStack's edge endpoint (`localstack start`); AWS_ENDPOINT_URL overrides it. */
export const LOCALSTACK_ENDPOINT = 'http://localhost:4566';
/** LocalStack accepts any region; us-east-1 is its default, and cdklocal's. */
export const LOCALSTACK_REGION = 'us-east-1';
/** LocalStack accepts any key; `test` is what its docs and cdklocal use. */
const LOCALSTACK_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalTarget {
  readonly kind: 'local';
}

export interface CloudTarget {
  readonly kind: 'aws' | 'localstack';
  readonly env: Environment;
  /** @default - the SDK's chain (AWS_REGION, the profile's region); LocalStack: us-east-1 */
  readonly region?: string;
  /** @default - the service's AWS endpoint (AWS_ENDPOINT_URL_<SERVICE> still applies) */
  readonly endpoint?: string;
  /** @default - the SDK's credential chain */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** What the user typed to pick this target, for hints such as `updraft show <run> --target aws --env prod`. */
  readonly flags: string;
}

export type Target = LocalTarget | CloudTarget;

/** The target options as commander hands them over (all optional strings). */
export interface TargetOptions {
  readonly target?: string;
  readonly env?: string;
  readonly region?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A region name as AWS spells them (`eu-west-1`, `us-gov-west-1`, `cn-north-1`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function parseTargetKind(value: string | undefined): TargetKind {
  if (value === undefined) return 'local';
  if ((TARGETS as readonly string[]).includes(value)) return value as TargetKind;
  const near = suggest(value, TARGETS);
  throw new ConfigError(
    `--target "${value}" is not a target${near ? ` (did you mean "${near}"?)` : ''}: use one of ${TARGETS.join(', ')} (local, the default, is the embedded engine)`,
  );
}

/**
 * The target named by the options. `--env` and `--region` without a cloud target are an error,
 * not ignored: `updraft runs --env prod` would otherwise list local runs as if they were prod's.
 */
export function resolveTarget(options: TargetOptions, env: Env = process.env): Target {
  const kind = parseTargetKind(options.target);
  if (kind === 'local') {
    const given = [
      options.env !== undefined && '--env',
      options.region !== undefined && '--region',
    ].filter(Boolean);
    if (given.length > 0) {
      throw new ConfigError(
        `${given.join(' and ')} ${given.length > 1 ? 'apply' : 'applies'} to a deployment: add --target aws (or --target localstack); without --target the command works on the local embedded engine`,
      );
    }
    return { kind };
  }
  const environment: Environment =
    options.env === undefined ? 'dev' : parseEnvironment(options.env, '--env');
  if (options.region !== undefined && !REGION.test(options.region)) {
    throw new ConfigError(
      `--region "${options.region}" is not an AWS region name: use one such as eu-west-1 or us-east-1`,
    );
  }
  const flags = [
    `--target ${kind}`,
    environment !== 'dev' && `--env ${environment}`,
    options.region !== undefined && `--region ${options.region}`,
  ]
    .filter(Boolean)
    .join(' ');
  if (kind === 'aws')
    return {
      kind,
      env: environment,
      ...(options.region !== undefined && { region: options.region }),
      flags,
    };
  const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return {
    kind,
    env: environment,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCALSTACK_REGION,
    endpoint: env.AWS_ENDPOINT_URL || LOCALSTACK_ENDPOINT,
    ...(!hasCredentials && { credentials: LOCALSTACK_CREDENTIALS }),
    flags,
  };
}

/** `AWS (prod, eu-west-1)`, `LocalStack (dev, http://localhost:4566)`: where a message says it worked. */
export function describeTarget(target: CloudTarget, region: string | undefined): string {
  if (target.kind === 'localstack')
    return `LocalStack (${target.env}, ${target.endpoint ?? LOCALSTACK_ENDPOINT})`;
  return `AWS (${target.env}${region ? `, ${region}` : ''})`;
}

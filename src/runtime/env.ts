/**
 * @module runtime/env
 * The one contract between the CDK app, the Lambda functions and the CLI's cloud targets: the
 * deployment environments, the physical names every resource gets (so the CLI finds a DAG's
 * state machine, schedule, table and secrets from the DAG id and the environment alone) and the
 * environment variables the functions read. Secrets travel as names, never values.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.ts';

/** Deployment environments (`cdk deploy -c env=prod`, `updraft runs --target aws --env prod`). */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** The environment named by `-c env=…` / `--env`, or a ConfigError listing the allowed ones. */
export function parseEnvironment(value: unknown, option = '-c env'): Environment {
  if (isEnvironment(value)) return value;
  throw new ConfigError(
    `${option} is ${JSON.stringify(value)}: use one of ${ENVIRONMENTS.join(', ')} (for example ${option}=dev)`,
  );
}

/**
 * How long run records (runs, tasks, tries, lineage) are kept in each environment's table: every
 * writer stamps `expiresAt` and the table's TTL deletes them. Here, not in infra settings, because
 * the functions and the CLI write records too.
 */
export const RECORD_RETENTION_DAYS: Readonly<Record<Environment, number>> = {
  dev: 30,
  staging: 90,
  prod: 400,
};

/** A name cut to `max` characters, keeping it unique with a short hash of the whole. */
function fit(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9)}-${hash}`;
}

/**
 * The platform's own functions, `updraft-<env>-<name>`. A DAG with one of these ids would get the
 * same task function and log group name, so its task function is named `updraft-<env>-_<id>`
 * instead: a DAG id starts with a letter, so no DAG's name can be that.
 */
export const PLATFORM_FUNCTIONS = ['launcher', 'recorder'] as const;

/** Physical names of everything Updraft deploys for one environment. */
export const names = {
  /** Prefix of every named resource: `updraft-prod`. */
  prefix: (env: Environment): string => `updraft-${env}`,
  /** The payload bucket (globally unique: account and region in it). */
  payloadBucket: (env: Environment, account: string, region: string): string =>
    `updraft-${env}-payloads-${account}-${region}`,
  /** CloudFormation stack names: `Updraft-prod-Platform`, `Updraft-prod-Dags-1` … */
  platformStack: (env: Environment): string => `Updraft-${env}-Platform`,
  dagStack: (env: Environment, n: number): string => `Updraft-${env}-Dags-${n}`,
  /** The run-metadata table (one per environment). */
  table: (env: Environment): string => `updraft-${env}`,
  /** A DAG's state machine (≤ 80 characters: DAG ids are at most 48). */
  stateMachine: (env: Environment, dagId: string): string => `updraft-${env}-${dagId}`,
  /**
   * One of a DAG's parts (compiler/parts; ≤ 80 characters). Outside `stateMachinePrefix`: the
   * recorder hears runs, and a part's execution is a piece of its run's, not a run.
   */
  partStateMachine: (env: Environment, dagId: string, partId: string): string =>
    `updraft-part-${env}-${dagId}-${partId}`,
  /** Prefix of the state machine names of one environment (the recorder's event filter). */
  stateMachinePrefix: (env: Environment): string => `updraft-${env}-`,
  /** A DAG's task Lambda (function names allow 64 characters). */
  taskFunction: (env: Environment, dagId: string): string =>
    fit(
      `updraft-${env}-${(PLATFORM_FUNCTIONS as readonly string[]).includes(dagId) ? '_' : ''}${dagId}`,
      64,
    ),
  launcherFunction: (env: Environment): string => `updraft-${env}-launcher`,
  recorderFunction: (env: Environment): string => `updraft-${env}-recorder`,
  /** EventBridge Scheduler: one group per environment, one schedule per DAG named by its id. */
  scheduleGroup: (env: Environment): string => `updraft-${env}`,
  schedule: (dagId: string): string => fit(dagId, 64),
  /** EventBridge Scheduler: the group of the one-time deadline checks of runs (`deadline`). */
  deadlineGroup: (env: Environment): string => `updraft-${env}-deadlines`,
  /** The role Scheduler invokes the recorder with for a deadline check. */
  deadlineRole: (env: Environment): string => `updraft-${env}-deadline-checks`,
  /** Vended log group of a DAG's state machine execution history. */
  stateMachineLogGroup: (env: Environment, dagId: string): string =>
    `/aws/vendedlogs/states/updraft-${env}-${dagId}`,
  /** Log group of a DAG's task Lambda (task logs: one JSON line per `ctx.log` call). */
  taskLogGroup: (env: Environment, dagId: string): string =>
    `/aws/lambda/${names.taskFunction(env, dagId)}`,
  /** Secrets Manager: one secret per connection, `updraft/prod/connections/warehouse`. */
  secretPrefix: (env: Environment): string => `updraft/${env}/connections/`,
  secret: (env: Environment, connectionId: string): string =>
    `${names.secretPrefix(env)}${connectionId}`,
  alertsTopic: (env: Environment): string => `updraft-${env}-alerts`,
  /**
   * The SQS dead-letter queue of the environment: schedule ticks Scheduler could not deliver,
   * status events EventBridge could not deliver, and failed asynchronous invocations of the
   * launcher and recorder (Lambda on-failure destination). `updraft doctor` finds it by this name
   * (sqs:GetQueueUrl); the platform stack also outputs its URL as `DeadLettersQueueUrl`.
   */
  deadLetters: (env: Environment): string => `updraft-${env}-dead-letters`,
  dashboard: (env: Environment): string => `updraft-${env}`,
} as const;

/** Environment variables the functions read (set by infra, read through `readEnv`). */
export const ENV = {
  /** `dev` | `staging` | `prod`. */
  environment: 'UPDRAFT_ENV',
  /** The run-metadata table's name. */
  table: 'UPDRAFT_TABLE',
  /** The payload bucket for offloaded task outputs. */
  bucket: 'UPDRAFT_BUCKET',
  /** The task runner's DAG id (a bundle may hold several DAGs of one file). */
  dag: 'UPDRAFT_DAG',
  /** Secrets Manager name prefix of connections (`updraft/prod/connections/`). */
  secretPrefix: 'UPDRAFT_SECRET_PREFIX',
  /** How long a fetched connection is reused, in seconds. */
  secretCacheSeconds: 'UPDRAFT_SECRET_CACHE_SECONDS',
  /** The recorder's SNS alerts topic ARN. */
  alertsTopic: 'UPDRAFT_ALERTS_TOPIC',
  /** The recorder: ARN of the role deadline-check schedules invoke it with (set when a DAG has a deadline). */
  deadlineRole: 'UPDRAFT_DEADLINE_ROLE',
  /** The launcher: most missed intervals one tick starts (catchup). */
  catchupLimit: 'UPDRAFT_CATCHUP_LIMIT',
  /** The launcher: never start intervals that ended more than this many days ago (thin staging); unset means no bound. */
  dataWindowDays: 'UPDRAFT_DATA_WINDOW_DAYS',
} as const;

export type EnvKey = keyof typeof ENV;

/**
 * The named variables from an environment, or one ConfigError naming every missing one (a
 * function deployed without them is a deployment bug the message must make obvious).
 */
export function readEnv<K extends EnvKey>(
  env: Readonly<Record<string, string | undefined>>,
  keys: readonly K[],
): Record<K, string> {
  const missing = keys.filter((k) => !env[ENV[k]]);
  if (missing.length > 0) {
    throw new ConfigError(
      `environment variable${missing.length > 1 ? 's' : ''} ${missing.map((k) => ENV[k]).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set; the Updraft stack sets them: redeploy with npm run deploy`,
    );
  }
  return Object.fromEntries(keys.map((k) => [k, env[ENV[k]]!])) as Record<K, string>;
}

/**
 * @module infra/settings
 * What differs between environments (`cdk deploy -c env=dev|staging|prod`): how long things are
 * kept, whether deleting the stack deletes data, whether alarms page anyone, whether schedules
 * tick (dev deploys with schedules off: runs start from `updraft trigger` only) and staging's
 * "thin" data window (it runs recent intervals only, never a months-long catchup).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RECORD_RETENTION_DAYS, type Environment } from '../src/runtime/env.ts';
import { LIMITS } from '../src/compiler/index.ts';

export interface EnvironmentSettings {
  /** Data stores (table, buckets, log groups) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection (prod: a `cdk destroy` cannot drop run history). */
  readonly deletionProtection: boolean;
  /** CloudWatch alarms on failed/timed-out runs and on the platform's own errors, to the alerts topic. */
  readonly alarms: boolean;
  /** Schedules created ENABLED (false: created DISABLED; `updraft unpause` turns one on). */
  readonly schedulesEnabled: boolean;
  /** Lambda and state machine log retention. */
  readonly logRetention: RetentionDays;
  /** Offloaded task outputs in the payload bucket expire after this. */
  readonly payloadRetention: Duration;
  /** Run, task and try records expire (DynamoDB TTL on `expiresAt`) this long after they were written. */
  readonly recordRetention: Duration;
  /** S3 server access logs expire after this. */
  readonly accessLogRetention: Duration;
  /** Most missed intervals one schedule tick starts (catchup). */
  readonly catchupLimit: number;
  /** Thin staging: the launcher never starts intervals that ended more than this many days before the tick. */
  readonly dataWindowDays?: number;
  /** Task Lambda memory when no task of the DAG asks for more (MiB). */
  readonly taskMemoryMiB: number;
}

export const SETTINGS: Readonly<Record<Environment, EnvironmentSettings>> = {
  dev: {
    recordRetention: Duration.days(RECORD_RETENTION_DAYS.dev),
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    alarms: false,
    schedulesEnabled: false,
    logRetention: RetentionDays.ONE_WEEK,
    payloadRetention: Duration.days(7),
    accessLogRetention: Duration.days(30),
    catchupLimit: 5,
    taskMemoryMiB: LIMITS.taskMemoryMiB,
  },
  staging: {
    recordRetention: Duration.days(RECORD_RETENTION_DAYS.staging),
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    alarms: true,
    schedulesEnabled: true,
    logRetention: RetentionDays.ONE_MONTH,
    payloadRetention: Duration.days(14),
    accessLogRetention: Duration.days(90),
    catchupLimit: 25,
    dataWindowDays: 7,
    taskMemoryMiB: LIMITS.taskMemoryMiB,
  },
  prod: {
    recordRetention: Duration.days(RECORD_RETENTION_DAYS.prod),
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    alarms: true,
    schedulesEnabled: true,
    logRetention: RetentionDays.THREE_MONTHS,
    payloadRetention: Duration.days(30),
    accessLogRetention: Duration.days(365),
    catchupLimit: 25,
    taskMemoryMiB: LIMITS.taskMemoryMiB,
  },
};

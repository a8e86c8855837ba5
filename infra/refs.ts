/**
 * @module infra/refs
 * The platform's resources by name and ARN, computed from the environment and the stack's
 * partition, region and account: how DAG stacks refer to the platform without CloudFormation
 * exports (an export cannot change while another stack imports it, which would pin the table,
 * bucket and launcher forever).
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { names, type Environment } from '../src/runtime/env.ts';

export interface PlatformRefs {
  readonly tableName: string;
  readonly tableArn: string;
  /** The table's indexes (queries by DAG, active runs). */
  readonly tableIndexesArn: string;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly alertsTopicArn: string;
  readonly launcherArn: string;
  readonly schedulerRoleName: string;
  readonly schedulerRoleArn: string;
  readonly deadLettersArn: string;
  /** `arn:…:stateMachine:updraft-<env>-` — every state machine of the environment starts so. */
  readonly stateMachineArnPrefix: string;
  readonly stateMachineArnPattern: string;
  readonly executionArnPattern: string;
  /** Executions of the environment's DAG parts (compiler/parts): `updraft-part-<env>-*`. */
  readonly partExecutionArnPattern: string;
  stateMachineArn(dagId: string): string;
  /** A connection's secret (Secrets Manager appends `-` and six random characters to secret ARNs). */
  secretArn(connectionId: string): string;
}

/** The payload bucket's name (globally unique: account and region in it); cdk-nag writes the tokens as `<AWS::AccountId>`. */
export function payloadBucketName(
  env: Environment,
  account: string = Aws.ACCOUNT_ID,
  region: string = Aws.REGION,
): string {
  return names.payloadBucket(env, account, region);
}

export function platformRefs(scope: Construct, env: Environment): PlatformRefs {
  const stack = Stack.of(scope);
  const arn = (
    service: string,
    resource: string,
    resourceName?: string,
    sep: ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
  ) =>
    stack.formatArn({
      service,
      resource,
      ...(resourceName !== undefined && { resourceName }),
      arnFormat: sep,
    });
  const colon = ArnFormat.COLON_RESOURCE_NAME;
  const prefix = names.stateMachinePrefix(env);
  const bucketName = payloadBucketName(env);
  const schedulerRoleName = `${names.prefix(env)}-scheduler-${Aws.REGION}`;
  return {
    tableName: names.table(env),
    tableArn: arn('dynamodb', 'table', names.table(env)),
    tableIndexesArn: arn('dynamodb', 'table', `${names.table(env)}/index/*`),
    bucketName,
    bucketArn: `arn:${Aws.PARTITION}:s3:::${bucketName}`,
    alertsTopicArn: stack.formatArn({
      service: 'sns',
      resource: names.alertsTopic(env),
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    }),
    launcherArn: arn('lambda', 'function', names.launcherFunction(env), colon),
    schedulerRoleName,
    schedulerRoleArn: stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: schedulerRoleName,
    }),
    deadLettersArn: stack.formatArn({
      service: 'sqs',
      resource: names.deadLetters(env),
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    }),
    stateMachineArnPrefix: arn('states', 'stateMachine', prefix, colon),
    stateMachineArnPattern: arn('states', 'stateMachine', `${prefix}*`, colon),
    executionArnPattern: arn('states', 'execution', `${prefix}*:*`, colon),
    partExecutionArnPattern: arn('states', 'execution', `updraft-part-${env}-*:*`, colon),
    stateMachineArn: (dagId) =>
      arn('states', 'stateMachine', names.stateMachine(env, dagId), colon),
    secretArn: (connectionId) =>
      arn('secretsmanager', 'secret', `${names.secret(env, connectionId)}-??????`, colon),
  };
}

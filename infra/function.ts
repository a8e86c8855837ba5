/**
 * @module infra/function
 * Every Updraft Lambda the same way: `nodejs24.x` on arm64 (Graviton: about 20% cheaper per
 * GB-second than x86), the bundle's `index.handler`, source maps on, X-Ray tracing, and a log
 * group of its own with the environment's retention — created here rather than by Lambda on
 * first write, so it has a retention, is deleted with the stack in dev, and its role can be
 * scoped to it.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './settings.ts';

export interface UpdraftFunctionProps {
  readonly functionName: string;
  readonly description: string;
  readonly code: lambda.Code;
  readonly settings: EnvironmentSettings;
  readonly environment: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 1 minute */
  readonly timeout?: Duration;
  /**
   * Where an asynchronous invocation (Scheduler, EventBridge) goes once Lambda's own retries
   * are spent; without one, the event is dropped and only a log line remains.
   * @default - none (functions only invoked synchronously)
   */
  readonly onFailure?: lambda.IDestination;
}

export function updraftFunction(
  scope: Construct,
  id: string,
  props: UpdraftFunctionProps,
): lambda.Function {
  const group = new Construct(scope, id);
  const logGroup = new logs.LogGroup(group, 'Logs', {
    logGroupName: `/aws/lambda/${props.functionName}`,
    retention: props.settings.logRetention,
    removalPolicy: props.settings.removalPolicy,
  });
  // An explicit role without the AWSLambdaBasicExecutionRole managed policy (which may write to
  // any log group): this function writes to its own log group only.
  const role = new iam.Role(group, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `${props.functionName}: ${props.description}`,
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  return new lambda.Function(group, 'Function', {
    functionName: props.functionName,
    description: props.description.slice(0, 256),
    code: props.code,
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.minutes(1),
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: lambda.Tracing.ACTIVE,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    // Lambda's defaults for asynchronous invocations, written out: 2 retries, events up to 6 hours old.
    ...(props.onFailure && {
      onFailure: props.onFailure,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    }),
  });
}

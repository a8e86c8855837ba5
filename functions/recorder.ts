/**
 * @module functions/recorder
 * The recorder Lambda (target of the EventBridge rule on Step Functions execution status changes
 * of this environment's state machines): middy wiring over runtime/recorder. Clients and settings
 * are made once per container; a missing setting fails the cold start with a ConfigError.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  recordDeadline,
  recordExecution,
  recorderSettings,
  type ExecutionStatusEvent,
  type RecordOutcome,
} from '../src/runtime/recorder.ts';
import {
  deadlineSchedules,
  isDeadlineCheck,
  type DeadlineCheckEvent,
} from '../src/runtime/deadline-schedules.ts';
import type { NotifySpec } from '../src/runtime/notify-due.ts';
import type { RunNotifyDeps } from '../src/runtime/run-notifications.ts';
import { secretsConnections } from '../src/runtime/secrets.ts';
import { snsPublisher } from '../src/runtime/sns-publish.ts';
import { ENV, names } from '../src/runtime/env.ts';
// The store module itself, not src/store/index.ts: that one pulls the SQLite store into the bundle.
import { createDocumentClient } from '../src/store/dynamo-store.ts';
import { environmentStore } from '../src/runtime/environment-store.ts';
import { runtimeSfnClient } from '../src/runtime/run-queue.ts';
import type { DatasetLaunchSpec } from '../src/runtime/dataset-launch.ts';

const settings = recorderSettings(process.env);
const logger = new Logger({
  serviceName: 'updraft-recorder',
  persistentKeys: { environment: settings.environment },
});
const store = environmentStore(
  createDocumentClient(new DynamoDBClient({})),
  settings.table,
  settings.environment,
);
const sfn = runtimeSfnClient();
const sns = new SNSClient({});
/** The invoked function's own ARN: a deadline check's schedule targets it. */
let functionArn = '';

/** What notifications need on AWS: connections from Secrets Manager, SNS, deadline-check schedules. */
function notificationDeps(
  specs: Readonly<Record<string, NotifySpec>>,
): Omit<RunNotifyDeps, 'store'> {
  const { environment, alertsTopic } = settings;
  const connections = secretsConnections({
    client: new SecretsManagerClient({}),
    prefix: names.secretPrefix(environment),
    environment,
  });
  const roleArn = process.env[ENV.deadlineRole];
  return {
    spec: (dagId) => specs[dagId],
    send: {
      store,
      environment,
      connection: (id) => connections(id),
      publish: snsPublisher(sns, alertsTopic),
      now: Date.now,
      log: logger,
      url: (run) => (run.executionArn ? consoleUrl(run.executionArn) : undefined),
    },
    ...(roleArn && {
      deadlines: deadlineSchedules(new SchedulerClient({}), {
        group: names.deadlineGroup(environment),
        targetArn: () => functionArn,
        roleArn,
      }),
    }),
  };
}

function consoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3];
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * The handler, given the environment's dataset-scheduled DAGs: the bundle's generated entry
 * (infra/bundle) passes them, as the task runner's passes its manifests.
 */
export function createRecorderHandler(
  options: {
    readonly datasetConsumers?: readonly DatasetLaunchSpec[];
    /** The DAGs that notify or have a deadline, by id. */
    readonly notifySpecs?: Readonly<Record<string, NotifySpec>>;
  } = {},
) {
  const datasetConsumers = options.datasetConsumers ?? [];
  const specs = options.notifySpecs ?? {};
  const notifications = Object.keys(specs).length > 0 ? notificationDeps(specs) : undefined;
  const deps = {
    store,
    sfn,
    sns,
    log: logger,
    settings,
    datasetConsumers,
    ...(notifications && { notifications }),
  };
  return (
    middy<ExecutionStatusEvent | DeadlineCheckEvent, RecordOutcome | { runId: string }>()
      // resetKeys: a warm container's next event must not carry this one's dagId/executionArn.
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .handler(async (event, context) => {
        functionArn = context.invokedFunctionArn;
        if (isDeadlineCheck(event)) {
          logger.appendKeys({ runId: event.runId });
          return recordDeadline(event, deps, new Date());
        }
        logger.appendKeys({ executionArn: event.detail.executionArn, status: event.detail.status });
        return recordExecution(event, deps);
      })
  );
}

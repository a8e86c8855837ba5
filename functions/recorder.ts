/**
 * @module functions/recorder
 * The recorder Lambda (target of the EventBridge rule on Step Functions execution status changes
 * of this environment's state machines): middy wiring over runtime/recorder. Clients and settings
 * are made once per container; a missing setting fails the cold start with a ConfigError.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  recordExecution,
  recorderSettings,
  type ExecutionStatusEvent,
  type RecordOutcome,
} from '../src/runtime/recorder.ts';
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

/**
 * The handler, given the environment's dataset-scheduled DAGs: the bundle's generated entry
 * (infra/bundle) passes them, as the task runner's passes its manifests.
 */
export function createRecorderHandler(
  options: { readonly datasetConsumers?: readonly DatasetLaunchSpec[] } = {},
) {
  const datasetConsumers = options.datasetConsumers ?? [];
  return (
    middy<ExecutionStatusEvent, RecordOutcome>()
      // resetKeys: a warm container's next event must not carry this one's dagId/executionArn.
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .handler(async (event) => {
        logger.appendKeys({ executionArn: event.detail.executionArn, status: event.detail.status });
        return recordExecution(event, { store, sfn, sns, log: logger, settings, datasetConsumers });
      })
  );
}

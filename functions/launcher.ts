/**
 * @module functions/launcher
 * The launcher Lambda (target of every DAG's EventBridge Scheduler schedule): middy wiring over
 * runtime/launcher. Clients and settings are made once per container; a missing or bad setting
 * fails the cold start with a ConfigError naming the variable.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  launch,
  launcherSettings,
  type LaunchEvent,
  type LaunchSummary,
} from '../src/runtime/launcher.ts';
// The store module itself, not src/store/index.ts: that one pulls the SQLite store into the bundle.
import { createDocumentClient } from '../src/store/dynamo-store.ts';
import { environmentStore } from '../src/runtime/environment-store.ts';
import { runtimeSfnClient } from '../src/runtime/run-queue.ts';

const settings = launcherSettings(process.env);
const logger = new Logger({
  serviceName: 'updraft-launcher',
  persistentKeys: { environment: settings.environment },
});
const store = environmentStore(
  createDocumentClient(new DynamoDBClient({})),
  settings.table,
  settings.environment,
);
const sfn = runtimeSfnClient();

export const handler = middy<LaunchEvent, LaunchSummary>()
  // resetKeys: a warm container's next event must not carry this one's dagId/executionArn.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    logger.appendKeys({ dagId: event.spec.dagId, scheduledTime: event.scheduledTime });
    const summary = await launch(event, { store, sfn, log: logger, settings });
    logger.info('tick done', { ...summary });
    return summary;
  });

/**
 * @module cloud
 * The CLI's cloud backend (`--target aws|localstack`): target resolution, the SDK clients, and
 * the operations on a deployed environment — trigger, run records, executions and resumes, task
 * logs, schedule state, connections in Secrets Manager. Commands stay thin over these.
 */
export {
  TARGETS,
  LOCALSTACK_ENDPOINT,
  LOCALSTACK_REGION,
  describeTarget,
  parseTargetKind,
  resolveTarget,
  type CloudTarget,
  type LocalTarget,
  type Target,
  type TargetKind,
  type TargetOptions,
} from './target.ts';
export { clientConfig, createCloudClients, type CloudClients } from './clients.ts';
export { CloudError, deployHint, deniedAction, explainCloudError } from './errors.ts';
export { openCloud, withCloud, type Cloud } from './context.ts';
export {
  EXECUTION_RETENTION_DAYS,
  describeExecution,
  resumeRun,
  stateMachineArn,
  type ExecutionInfo,
  type Resumed,
} from './executions.ts';
export { triggerRun, type TriggerRequest, type TriggerResult } from './trigger.ts';
export { fetchRunLogs, logFilterPattern, parseLogEvent } from './logs.ts';
export {
  setScheduleState,
  updateInput,
  type ScheduleChange,
  type ScheduleState,
} from './schedules.ts';
export {
  RECOVERY_WINDOW_DAYS,
  listStoredConnections,
  putConnection,
  removeStoredConnection,
  type StoredConnection,
} from './secrets.ts';
export {
  deadLetterQueueName,
  parseDeadLetter,
  queueUrl,
  readDeadLetters,
  release,
  replay,
  type DeadLetter,
  type DeadLetterFunction,
  type ReplayResult,
} from './dead-letters.ts';

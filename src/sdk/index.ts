/**
 * @module updraft
 * The DAG authoring API: what a DAG file imports (`import { dag, task } from 'updraft'`).
 */
export { dag, isDag, type Dag, type DagOptions } from './dag.ts';
export {
  task,
  branch,
  shortCircuit,
  sensor,
  setup,
  teardown,
  type TaskFn,
  type TaskCode,
  type Input,
  type Inputs,
  type BranchOptions,
  type ShortCircuitOptions,
  type SensorTiming,
  type TeardownOptions,
  type PokeResult,
} from './task.ts';
export { group } from './group.ts';
export {
  chain,
  crossDownstream,
  TaskNode,
  GroupNode,
  type Target,
  type ChainItem,
} from './nodes.ts';
export { OutputRef, type LocalOverride } from './builder.ts';
export {
  allOf,
  anyOf,
  cron,
  manual,
  onDatasets,
  rate,
  type DatasetConditionSpec,
  type Preset,
  type ScheduleSpec,
} from './schedule.ts';
export { dataset, type Dataset } from './dataset.ts';
export { pool, type Pool } from './pool.ts';
export { notify, type Notification } from './notify.ts';
export { param, type ParamSpec, type ParamSpecs, type Params } from './params.ts';
export { runValues, format } from './values.ts';
export {
  lambdaInvoke,
  ecsTask,
  batchJob,
  glueJob,
  athenaQuery,
  httpRequest,
  snsPublish,
  sqsSend,
  eventBridgePut,
  triggerDag,
  type EcsTaskOptions,
} from './operators.ts';
export { s3KeySensor, externalDagSensor, timeSensor } from './sensors.ts';
export {
  PermanentError,
  DagDefinitionError,
  ConfigError,
  InternalError,
  UpdraftError,
} from '../errors.ts';
export { parseDuration, formatDuration, type Duration } from './duration.ts';
export type {
  Connection,
  DatasetEvent,
  TaskContext,
  TaskLogger,
  TriggerKind,
} from './context.ts';
export type { TaskOptions, RetryOptions, GroupOptions, TaskDefaults } from './options.ts';
export { buildDagIR, type BuildResult } from './build-ir.ts';

/**
 * @module sdk/sensors
 * Built-in sensors: an S3 key exists, another DAG's run for the same interval succeeded
 * (cross-DAG dependency), a time is reached. Function sensors are in `task.ts` (`sensor`).
 */
import type { Duration } from './duration.ts';

import { SENSOR_TIMING_KEYS, type Input, type SensorTiming } from './task.ts';
import { addNode, type TaskOptions } from './operators.ts';
import type { RawSensorCheck } from './builder.ts';
import type { TaskNode } from './nodes.ts';

function sensorNode<T>(
  kindName: string,
  id: string,
  check: RawSensorCheck,
  all: object,
  own: readonly string[],
): TaskNode<T> {
  const timing: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all ?? {})) {
    if (own.includes(key)) continue;
    ((SENSOR_TIMING_KEYS as readonly string[]).includes(key) ? timing : rest)[key] = value;
  }
  return addNode<T>(kindName, id, { kind: 'sensor', check, timing }, rest, own);
}

/** Wait until `s3://bucket/key` exists (the key may use `format` with run values). */
export function s3KeySensor(
  id: string,
  options: TaskOptions &
    SensorTiming & { readonly bucket: Input<string>; readonly key: Input<string> },
): TaskNode<boolean> {
  return sensorNode(
    's3KeySensor',
    id,
    { kind: 's3_key', bucket: options?.bucket, key: options?.key },
    options,
    ['bucket', 'key'],
  );
}

/**
 * Wait until another DAG's run for the same logical date (shifted by `offset`) succeeded — or
 * one task of it, with `taskId` (Airflow's ExternalTaskSensor).
 */
export function externalDagSensor(
  id: string,
  options: TaskOptions &
    SensorTiming & {
      readonly dagId: string;
      readonly taskId?: string /** Their logical date = ours minus this. @default '0s' */;
      readonly offset?: Duration;
    },
): TaskNode<boolean> {
  return sensorNode(
    'externalDagSensor',
    id,
    {
      kind: 'external_dag',
      dagId: options?.dagId,
      taskId: options?.taskId,
      offset: options?.offset ?? '0s',
    },
    options,
    ['dagId', 'taskId', 'offset'],
  );
}

/**
 * Wait until a time: the end of the data interval plus `after` (for a daily run, `after: '6h'`
 * waits until 06:00 of the day the run starts). A single Wait state: no pokes, no compute.
 */
export function timeSensor(
  id: string,
  options: TaskOptions & Partial<SensorTiming> & { readonly after: Duration },
): TaskNode<boolean> {
  return sensorNode('timeSensor', id, { kind: 'time', after: options?.after }, options, ['after']);
}

/**
 * @module engine/local-sensors
 * Built-in sensors on the embedded engine, when the DAG gives no stand-in: an external-DAG sensor
 * reads the other DAG's run (and task) in the store; an S3-key sensor looks for the file in the
 * local S3 folder (`<s3Dir>/<bucket>/<key>`), and without that folder says how to give one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { DagIR } from '../ir/types.ts';
import type { RunValues } from '../runtime/args.ts';
import { runIdOf } from '../runtime/launch.ts';
import type { Store } from '../store/types.ts';

export interface LocalSensorDeps {
  readonly store: Store;
  /** A DAG of the project by id (throws for one that is not). */
  readonly dag: (dagId: string) => { readonly ir: DagIR };
  /** Local S3 stand-in for s3KeySensor. */
  readonly s3Dir?: string;
}

/** Whether the sensor's condition holds now. */
export async function checkLocally(
  deps: LocalSensorDeps,
  taskId: string,
  check: Readonly<Record<string, unknown>>,
  run: RunValues,
): Promise<boolean> {
  if (check.kind === 'external_dag') {
    const other = deps.dag(String(check.dagId));
    const logical = new Date(Date.parse(run.logicalDate) - Number(check.offsetSeconds ?? 0) * 1000);
    const theirs = await deps.store.getRun(runIdOf(other.ir.id, logical));
    if (!theirs) return false;
    if (check.taskId === undefined) return theirs.status === 'success';
    const tasks = await deps.store.listTasks(theirs.runId);
    return tasks.some((t) => t.taskId === check.taskId && t.state === 'success');
  }
  if (check.kind === 's3_key' && deps.s3Dir) {
    return existsSync(join(deps.s3Dir, String(check.bucket), String(check.key)));
  }
  throw new ConfigError(
    `sensor "${taskId}" checks S3 (s3://${String(check.bucket)}/${String(check.key)}), which the embedded engine cannot reach. ` +
      `Give it a local stand-in: s3KeySensor('${taskId.split('.').pop()}', { ..., local: (request) => true }), or put the file under .updraft/s3/${String(check.bucket)}/${String(check.key)}.`,
  );
}

/**
 * @module runtime/aws-checks
 * Built-in sensors' pokes on AWS (the engine answers them locally): "S3 key exists" is a
 * HeadObject, "another DAG's run for this interval succeeded" reads that run's record (and task
 * record) in the store, exactly as the engine does locally.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, InternalError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { runIdOf } from './launch.ts';
import type { BuiltinCheck } from './task-runner.ts';

export interface AwsChecksOptions {
  readonly s3: S3Client;
  readonly store: Pick<Store, 'getRun' | 'listTasks'>;
}

export function awsBuiltinCheck(options: AwsChecksOptions): BuiltinCheck {
  return async (taskId, check, run) => {
    switch (check.kind) {
      case 's3_key':
        return s3KeyExists(options.s3, taskId, String(check.bucket), String(check.key));
      case 'external_dag': {
        const logical = new Date(
          Date.parse(run.logicalDate) - Number(check.offsetSeconds ?? 0) * 1000,
        );
        const theirs = await options.store.getRun(runIdOf(String(check.dagId), logical));
        if (!theirs) return false;
        if (check.taskId === undefined) return theirs.status === 'success';
        const tasks = await options.store.listTasks(theirs.runId);
        return tasks.some((t) => t.taskId === check.taskId && t.state === 'success');
      }
      default:
        throw new InternalError(
          `sensor "${taskId}" sent an unknown check ${JSON.stringify(check.kind)}; recompile and redeploy the DAG`,
        );
    }
  };
}

async function s3KeyExists(
  s3: S3Client,
  taskId: string,
  bucket: string,
  key: string,
): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
      return false;
    if (e.$metadata?.httpStatusCode === 403) {
      // Without s3:ListBucket, S3 answers 403 for a key that does not exist, too.
      throw new ConfigError(
        `sensor "${taskId}" may not look at s3://${bucket}/${key} (HeadObject was denied): the DAG's task role needs s3:GetObject on the key and s3:ListBucket on bucket "${bucket}"`,
        { cause: error },
      );
    }
    throw error;
  }
}

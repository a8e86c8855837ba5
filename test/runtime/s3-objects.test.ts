/** The payload bucket (mocked S3): what is written, what is read back, and clear errors. */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/runtime/errors.ts';
import { offload, resolveRefs } from '../../src/runtime/objects.ts';
import { S3ObjectStore } from '../../src/runtime/s3-objects.ts';

const client = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const s3 = mockClient(client);
beforeEach(() => s3.reset());

describe('S3ObjectStore', () => {
  it('offload writes the JSON under its key and resolveRefs reads it back', async () => {
    const stored = new Map<string, string>();
    s3.on(PutObjectCommand).callsFake(
      (input: { Key: string; Body: string }) => void stored.set(input.Key, input.Body),
    );
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
      Body: { transformToString: async () => stored.get(input.Key) },
    }));
    const objects = new S3ObjectStore({ client, bucket: 'payloads' });

    const ref = await offload(objects, 'run-1/k-1/t0-1.json', { rows: [1, 2, 3] }, 5);
    expect(ref).toEqual({ $ref: 's3://payloads/run-1/k-1/t0-1.json', bytes: 16 });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'payloads',
      Key: 'run-1/k-1/t0-1.json',
      Body: '{"rows":[1,2,3]}',
      ContentType: 'application/json',
    });
    expect(await resolveRefs(objects, { a: ref, b: 2 })).toEqual({ a: { rows: [1, 2, 3] }, b: 2 });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'payloads',
      Key: 'run-1/k-1/t0-1.json',
    });
  });

  it('refuses references it cannot read, and names an object that is gone', async () => {
    const objects = new S3ObjectStore({ client, bucket: 'payloads' });
    await expect(objects.get('local://run-1/a.json')).rejects.toThrow(
      'cannot read local://run-1/a.json on AWS: only s3:// references are stored in the payload bucket (a reference from a local run cannot be resumed on AWS)',
    );
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );
    await expect(objects.get('s3://payloads/run-1/a.json')).rejects.toThrow(
      'the stored output s3://payloads/run-1/a.json is gone from the payload bucket (expired by its lifecycle rule, or deleted); run the task that produced it again',
    );
    expect(() => new S3ObjectStore({ client, bucket: '' })).toThrow(
      'S3ObjectStore needs a bucket: set UPDRAFT_BUCKET to the payload bucket',
    );
  });

  it('an expired object read without s3:ListBucket (403, not NoSuchKey) is a permanent failure naming the object and why, not retried', async () => {
    const objects = new S3ObjectStore({ client, bucket: 'payloads' });
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = (await objects
      .get('s3://payloads/run-1/a.json')
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `the stored output s3://payloads/run-1/a.json cannot be read: S3 answered 403 Access Denied. The task role may not list bucket "payloads", and S3 then answers 403 instead of 404 for an object that does not exist: most likely it expired by the payload bucket's lifecycle rule (or was deleted); run the task that produced it again. If the object does exist, the task role needs s3:GetObject on it: redeploy with npm run deploy`,
    );
    // Updraft.PermanentError: the compiled retriers never retry it (Updraft.TaskFailed is what they retry).
    expect(classifyError(error)).toEqual({
      error: 'Updraft.PermanentError',
      cause: `${error.message} ← caused by: AccessDenied: Access Denied`,
    });
  });
});

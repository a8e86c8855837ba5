/**
 * @module runtime/s3-objects
 * The payload bucket on AWS: task outputs over the manifest's inline limit are written to S3 as
 * JSON and travel through the state machine as `{ $ref: 's3://bucket/key', bytes }` (see
 * runtime/objects); consumers read them back before their code runs.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, InternalError } from '../errors.ts';
import type { ObjectStore } from './objects.ts';

export interface S3ObjectStoreOptions {
  /** Created once per container by the caller (so tests can mock it). */
  readonly client: S3Client;
  /** The payload bucket (`UPDRAFT_BUCKET`). */
  readonly bucket: string;
}

const S3_REF = /^s3:\/\/([^/]+)\/(.+)$/;

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3ObjectStoreOptions) {
    if (!options.bucket)
      throw new ConfigError(
        'S3ObjectStore needs a bucket: set UPDRAFT_BUCKET to the payload bucket',
      );
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  async put(key: string, body: string): Promise<string> {
    // The bucket's default encryption (SSE-S3 or its KMS key) applies; S3 encrypts every new
    // object since 2023 whatever the request says, so none is named here.
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
    return `s3://${this.#bucket}/${key}`;
  }

  get(ref: string): Promise<string> {
    return getS3Object(this.#client, ref);
  }

  refOf(key: string): string {
    return `s3://${this.#bucket}/${key}`;
  }
}

/** Reads an offloaded output by its `s3://bucket/key` reference (the payload bucket's messages). */
export async function getS3Object(client: S3Client, ref: string): Promise<string> {
  const match = S3_REF.exec(ref);
  if (!match)
    throw new InternalError(
      `cannot read ${ref} on AWS: only s3:// references are stored in the payload bucket (a reference from a local run cannot be resumed on AWS)`,
    );
  const [, bucket, key] = match as unknown as [string, string, string];
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!out.Body) throw new InternalError(`S3 returned no body for ${ref}`);
    return await out.Body.transformToString('utf8');
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') {
      throw new ConfigError(
        `the stored output ${ref} is gone from the payload bucket (expired by its lifecycle rule, or deleted); run the task that produced it again`,
        { cause: error },
      );
    }
    // A ConfigError is permanent (runtime/errors): retrying a refused read only delays the failure.
    if (
      name === 'AccessDenied' ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403
    ) {
      throw new ConfigError(
        `the stored output ${ref} cannot be read: S3 answered 403 Access Denied. The task role may not list bucket "${bucket}", and S3 then answers 403 instead of 404 for an object that does not exist: most likely it expired by the payload bucket's lifecycle rule (or was deleted); run the task that produced it again. If the object does exist, the task role needs s3:GetObject on it: redeploy with npm run deploy`,
        { cause: error },
      );
    }
    throw error;
  }
}

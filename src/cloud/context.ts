/**
 * @module cloud/context
 * One command's view of a deployed environment: the target, its clients, the region they use,
 * and the run-metadata table through the same `DynamoStore` the engine uses locally (the table is
 * `names.table(env)`). `withCloud` opens it, turns SDK errors into messages the user can act on,
 * and always closes it.
 */
import { names } from '../runtime/env.ts';
import { environmentStore } from '../runtime/environment-store.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { createCloudClients, type CloudClients } from './clients.ts';
import { explainCloudError } from './errors.ts';
import { describeTarget, type CloudTarget } from './target.ts';

export interface Cloud {
  readonly target: CloudTarget;
  readonly clients: CloudClients;
  /** The run table of the target's environment. */
  readonly store: DynamoStore;
  /** Resolved region (undefined when the chain has none: the first call then says so). */
  readonly region: string | undefined;
  /** `AWS (prod, eu-west-1)`, for messages. */
  readonly where: string;
}

export async function openCloud(
  target: CloudTarget,
  clients: CloudClients = createCloudClients(target),
): Promise<Cloud & { close(): Promise<void> }> {
  const region = await clients.region();
  let store: DynamoStore | undefined;
  return {
    target,
    clients,
    region,
    where: describeTarget(target, region),
    get store() {
      store ??= environmentStore(clients.dynamo, names.table(target.env), target.env);
      return store;
    },
    async close() {
      try {
        await store?.close();
      } finally {
        clients.destroy();
      }
    },
  };
}

/** Runs `work` against the target; SDK errors become CloudErrors; the clients are always closed. */
export async function withCloud<T>(
  target: CloudTarget,
  work: (cloud: Cloud) => Promise<T>,
  clients?: CloudClients,
): Promise<T> {
  const cloud = await openCloud(target, clients);
  try {
    return await work(cloud);
  } catch (error) {
    throw explainCloudError(error, target, cloud.region);
  } finally {
    await cloud.close();
  }
}

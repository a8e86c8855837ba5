/**
 * @module cloud/secrets
 * Connections of a deployed environment: one Secrets Manager secret per connection, named
 * `names.secret(env, id)` (`updraft/prod/connections/warehouse`), holding the connection as the
 * user gave it (a URI or a JSON object, what `parseConnection` reads at run time). A connection
 * is validated before it is stored; listing reads names and dates only, never a value.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { didYouMean } from '../ir/problems.ts';
import { assertConnectionId } from '../runtime/connections-file.ts';
import { parseConnection } from '../runtime/connections.ts';
import { names } from '../runtime/env.ts';
import type { Cloud } from './context.ts';
import { CloudError } from './errors.ts';

/** Secrets Manager's default: a deleted secret can be restored for 30 days. */
export const RECOVERY_WINDOW_DAYS = 30;

export interface StoredConnection {
  readonly id: string;
  readonly secret: string;
  readonly lastChanged: string | null;
}

function restoreHint(secret: string): string {
  return `restore it with: aws secretsmanager restore-secret --secret-id ${secret}`;
}

/** Stores a connection (CreateSecret; PutSecretValue over an existing one with `overwrite`). */
export async function putConnection(
  cloud: Cloud,
  id: string,
  value: string,
  options: { readonly overwrite?: boolean } = {},
): Promise<{ readonly secret: string; readonly replaced: boolean }> {
  assertConnectionId(id);
  const text = value.trim();
  parseConnection(id, text); // a bad URI or JSON fails here, before anything is stored
  const secret = names.secret(cloud.target.env, id);
  const { secrets } = cloud.clients;
  try {
    await secrets.send(
      new CreateSecretCommand({
        Name: secret,
        SecretString: text,
        Description: `Updraft connection "${id}" (${cloud.target.env})`,
      }),
    );
    return { secret, replaced: false };
  } catch (error) {
    if (error instanceof ResourceExistsException) {
      if (!options.overwrite) {
        throw new CloudError(
          `connection "${id}" already exists in ${cloud.where} (secret ${secret})`,
          {
            hint: `pass --overwrite to replace its value, or remove it first with: updraft connections remove ${id} ${cloud.target.flags}`,
            cause: error,
          },
        );
      }
      await secrets.send(new PutSecretValueCommand({ SecretId: secret, SecretString: text }));
      return { secret, replaced: true };
    }
    if (error instanceof InvalidRequestException && /scheduled for deletion/i.test(error.message)) {
      throw new CloudError(
        `connection "${id}" was removed and its secret ${secret} is scheduled for deletion`,
        { hint: `${restoreHint(secret)}, then add it again with --overwrite`, cause: error },
      );
    }
    throw error;
  }
}

/** The environment's connections by id (secrets under the prefix), without their values. */
export async function listStoredConnections(cloud: Cloud): Promise<StoredConnection[]> {
  const prefix = names.secretPrefix(cloud.target.env);
  const found: StoredConnection[] = [];
  // The `name` filter matches prefixes case-insensitively: the exact prefix is checked again below.
  for await (const page of paginateListSecrets(
    { client: cloud.clients.secrets },
    { Filters: [{ Key: 'name', Values: [prefix] }] },
  )) {
    for (const s of page.SecretList ?? []) {
      if (!s.Name?.startsWith(prefix) || s.DeletedDate) continue;
      found.push({
        id: s.Name.slice(prefix.length),
        secret: s.Name,
        lastChanged: (s.LastChangedDate ?? s.CreatedDate)?.toISOString() ?? null,
      });
    }
  }
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Deletes a connection's secret: recoverable for 30 days, or at once with `force`. Returns when
 * the secret will be gone for good (undefined with `force`).
 */
export async function removeStoredConnection(
  cloud: Cloud,
  id: string,
  options: { readonly force?: boolean } = {},
): Promise<{ readonly secret: string; readonly deletionDate: string | undefined }> {
  const secret = names.secret(cloud.target.env, id);
  try {
    const out = await cloud.clients.secrets.send(
      new DeleteSecretCommand(
        options.force
          ? { SecretId: secret, ForceDeleteWithoutRecovery: true }
          : { SecretId: secret, RecoveryWindowInDays: RECOVERY_WINDOW_DAYS },
      ),
    );
    return { secret, deletionDate: options.force ? undefined : out.DeletionDate?.toISOString() };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      const ids = (await listStoredConnections(cloud)).map((c) => c.id);
      throw new CloudError(
        `connection "${id}" is not in ${cloud.where} (no secret ${secret})${didYouMean(id, ids)}`,
        {
          hint: ids.length
            ? `its connections: ${ids.join(', ')}`
            : `it has no connections; add one with: updraft connections add <id> <uri> ${cloud.target.flags}`,
          cause: error,
        },
      );
    }
    if (error instanceof InvalidRequestException && /scheduled for deletion/i.test(error.message)) {
      throw new CloudError(
        `connection "${id}" was already removed: its secret ${secret} is scheduled for deletion`,
        { hint: restoreHint(secret), cause: error },
      );
    }
    throw error;
  }
}

/**
 * @module store/dynamo-store
 * The run-metadata store on DynamoDB (AWS, LocalStack; dynalite in tests). Every write has landed
 * when its call returns: a Lambda may be frozen or killed right after, and a record that a
 * resume relies on (a task's successful try) must not be lost with it.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchWriteCommandOutput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import { InternalError } from '../errors.ts';
import {
  ACTIVE_PARTITION,
  DAGS_PARTITION,
  DEFAULT_TABLE_NAME,
  LINEAGE_PREFIX,
  OUTBOX_PARTITION,
  OUTBOX_PREFIX,
  POOL_HOLDERS_ATTRIBUTE,
  POOLS_PARTITION,
  NOTIFY_PREFIX,
  TASK_PREFIX,
  dagPartition,
  datasetPk,
  isActive,
  keys,
  poolItem,
  runPk,
  runSortKey,
  toRecord,
  tryPrefix,
  type ItemKey,
} from './table.ts';
import type {
  DagPauses,
  DatasetCursor,
  LineageRecord,
  ListRunsQuery,
  OutboxMessage,
  NotificationRecord,
  PokeState,
  PoolHolder,
  PoolSlots,
  RunRecord,
  RunSlots,
  RunStatus,
  Store,
  TaskRecord,
  TryRecord,
} from './types.ts';
import { comparePoolHolders } from './types.ts';
import {
  conditionHolds,
  notApplied,
  statusCondition,
  type RunCondition,
  type RunGuard,
  type RunPatch,
} from './run-update.ts';
import { runUpdateExpression } from './dynamo-run-update.ts';

export interface DynamoStoreOptions {
  /** Create it with {@link createDocumentClient} (or with `removeUndefinedValues` set). */
  readonly client: DynamoDBDocumentClient;
  /** @default 'updraft' */
  readonly tableName?: string;
  /**
   * Records written get `expiresAt` (epoch seconds) this many days ahead, for the table's TTL
   * (deployed tables delete old run history by themselves). @default - records never expire
   */
  readonly retentionDays?: number;
  /** For `expiresAt`. @default Date.now */
  readonly now?: () => number;
}

type Item = Record<string, unknown>;

/** A document client that drops undefined values (records carry optional fields as undefined). */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

const BATCH_SIZE = 25; // BatchWriteItem's limit
const UNPROCESSED_RETRIES = 8; // 10 ms doubling to 1.3 s: throttling on AWS clears well within that
const DEFAULT_LIST_LIMIT = 50;

export class DynamoStore implements Store, RunSlots, DagPauses, PoolSlots {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  /** DAGs already in the DAG list (written once per process, before the DAG's first run). */
  readonly #knownDags = new Map<string, Promise<void>>();
  #closed = false;
  readonly #retentionSeconds?: number;
  readonly #now: () => number;

  constructor(options: DynamoStoreOptions) {
    this.#client = options.client;
    if (options.retentionDays !== undefined)
      this.#retentionSeconds = Math.round(options.retentionDays * 86_400);
    this.#now = options.now ?? Date.now;
    this.#table = options.tableName ?? DEFAULT_TABLE_NAME;
  }

  async createRun(run: RunRecord): Promise<{ readonly created: boolean; readonly run: RunRecord }> {
    this.#assertOpen();
    await this.#registerDag(run.dagId);
    const sortKey = runSortKey(run.logicalDate, run.runId);
    const item: Item = {
      ...run,
      ...keys.run(run.runId),
      gsi1pk: dagPartition(run.dagId),
      gsi1sk: sortKey,
      // gsi2sk stays for good; gsi2pk comes and goes with the status (sparse index).
      gsi2sk: sortKey,
      ...(isActive(run.status) ? { gsi2pk: ACTIVE_PARTITION } : {}),
      ...this.#expiry(),
    };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: withoutProtoKeys(item),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, run };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const existing = await this.getRun(run.runId);
      if (!existing)
        throw new InternalError(
          `run "${run.runId}" was reported to exist but cannot be read (deleted meanwhile?)`,
          { cause: e },
        );
      return { created: false, run: existing };
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    this.#assertOpen();
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: keys.run(runId), ConsistentRead: true }),
    );
    return out.Item ? toRecord<RunRecord>(out.Item) : undefined;
  }

  async updateRun(
    runId: string,
    patch: RunPatch,
    options: { readonly ifStatus?: readonly RunStatus[] } = {},
  ): Promise<RunRecord | undefined> {
    this.#assertOpen();
    return this.#updateRun(runId, patch, statusCondition(options.ifStatus));
  }

  async listRuns(query: ListRunsQuery = {}): Promise<RunRecord[]> {
    this.#assertOpen();
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    if (limit <= 0) return [];
    if (query.dagId !== undefined) {
      const items = await this.#query(
        {
          IndexName: 'gsi1',
          ...partition('gsi1pk', dagPartition(query.dagId), query.status),
          ScanIndexForward: false,
        },
        limit,
      );
      return items.map((i) => toRecord<RunRecord>(i));
    }
    if (query.status !== undefined && isActive(query.status)) {
      const items = await this.#query(
        {
          IndexName: 'gsi2',
          ...partition('gsi2pk', ACTIVE_PARTITION, query.status),
          ScanIndexForward: false,
        },
        limit,
      );
      return items.map((i) => toRecord<RunRecord>(i));
    }
    // Every DAG: the newest `limit` of each, merged. No Scan: the DAG list is one partition.
    const dags = await this.#query({ IndexName: 'gsi1', ...partition('gsi1pk', DAGS_PARTITION) });
    const limitConcurrency = pLimit(8);
    const perDag = await Promise.all(
      dags.map((dag) =>
        limitConcurrency(() =>
          this.#query(
            {
              IndexName: 'gsi1',
              ...partition('gsi1pk', dagPartition(String(dag.dagId)), query.status),
              ScanIndexForward: false,
            },
            limit,
          ),
        ),
      ),
    );
    return perDag
      .flat()
      .sort((a, b) =>
        String(a.gsi1sk) < String(b.gsi1sk) ? 1 : String(a.gsi1sk) > String(b.gsi1sk) ? -1 : 0,
      )
      .slice(0, limit)
      .map((i) => toRecord<RunRecord>(i));
  }

  async activeRuns(): Promise<RunRecord[]> {
    this.#assertOpen();
    const items = await this.#query({
      IndexName: 'gsi2',
      ...partition('gsi2pk', ACTIVE_PARTITION),
      ScanIndexForward: false,
    });
    return items.map((i) => toRecord<RunRecord>(i));
  }

  async putTask(task: TaskRecord): Promise<void> {
    this.#assertOpen();
    await this.#put({ ...task, ...keys.task(task.runId, task.taskId) });
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<void> {
    this.#assertOpen();
    const items = tasks.map((task) => ({ ...task, ...keys.task(task.runId, task.taskId) }));
    for (let i = 0; i < items.length; i += BATCH_SIZE)
      await this.#writeBatch(items.slice(i, i + BATCH_SIZE));
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return this.#listRunItems<TaskRecord>(runId, TASK_PREFIX);
  }

  async putTry(t: TryRecord): Promise<void> {
    this.#assertOpen();
    await this.#put({ ...t, ...keys.try(t.runId, t.taskId, t.mapIndex, t.tryNumber) });
  }

  async listTries(runId: string, taskId?: string): Promise<TryRecord[]> {
    return this.#listRunItems<TryRecord>(runId, tryPrefix(taskId));
  }

  async putLineage(records: readonly LineageRecord[]): Promise<void> {
    this.#assertOpen();
    const items = records.flatMap((r) => [
      { ...r, ...keys.lineage(r.runId, r.taskId, r.direction, r.dataset) },
      ...(r.direction === 'out'
        ? [{ ...r, ...keys.datasetEvent(r.dataset, r.at, r.runId, r.taskId) }]
        : []),
    ]);
    for (let i = 0; i < items.length; i += BATCH_SIZE)
      await this.#writeBatch(items.slice(i, i + BATCH_SIZE));
  }

  async listLineage(runId: string): Promise<LineageRecord[]> {
    return this.#listRunItems<LineageRecord>(runId, LINEAGE_PREFIX);
  }

  /** @param limit @default 50 */
  async datasetEvents(
    dataset: string,
    limit: number = DEFAULT_LIST_LIMIT,
  ): Promise<LineageRecord[]> {
    this.#assertOpen();
    const items = await this.#query(
      { ...partition('pk', datasetPk(dataset)), ScanIndexForward: false, ConsistentRead: true },
      limit,
    );
    return items.map((i) => toRecord<LineageRecord>(i));
  }

  async datasetCursor(dagId: string): Promise<DatasetCursor | undefined> {
    this.#assertOpen();
    const out = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: keys.datasetCursor(dagId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? toRecord<DatasetCursor>(out.Item) : undefined;
  }

  async advanceDatasetCursor(next: DatasetCursor): Promise<boolean> {
    this.#assertOpen();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.datasetCursor(next.dagId), ...next },
          ConditionExpression: next.version === 1 ? 'attribute_not_exists(pk)' : '#v = :before',
          ...(next.version !== 1 && {
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':before': next.version - 1 },
          }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  // Counter items are updated in place, never Put: a Put of the item would reset the count.
  async nextTry(runId: string, taskId: string, mapIndex: number): Promise<number> {
    this.#assertOpen();
    const out = await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: keys.counter(runId, taskId, mapIndex),
        UpdateExpression: `ADD #tries :one${this.#retentionSeconds === undefined ? '' : ' SET expiresAt = :exp'}`,
        ExpressionAttributeNames: { '#tries': 'tries' },
        ExpressionAttributeValues: {
          ':one': 1,
          ...(this.#retentionSeconds !== undefined && { ':exp': this.#expiry().expiresAt }),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const tries = out.Attributes?.tries;
    if (typeof tries !== 'number')
      throw new InternalError(
        `the try counter of task "${taskId}" in run "${runId}" came back as ${JSON.stringify(tries)}`,
      );
    return tries;
  }

  async getPokes(runId: string, taskId: string, mapIndex: number): Promise<PokeState | undefined> {
    this.#assertOpen();
    const out = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: keys.counter(runId, taskId, mapIndex),
        ProjectionExpression: '#pokes',
        ExpressionAttributeNames: { '#pokes': 'pokes' },
        ConsistentRead: true,
      }),
    );
    return out.Item?.pokes as PokeState | undefined;
  }

  async putPokes(runId: string, taskId: string, mapIndex: number, state: PokeState): Promise<void> {
    this.#assertOpen();
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: keys.counter(runId, taskId, mapIndex),
        UpdateExpression: 'SET #pokes = :pokes',
        ExpressionAttributeNames: { '#pokes': 'pokes' },
        ExpressionAttributeValues: {
          ':pokes': { waited: state.waited, n: state.n, runAttempt: state.runAttempt },
        },
      }),
    );
  }

  async putOutbox(message: OutboxMessage): Promise<void> {
    this.#assertOpen();
    await this.#put({
      ...message,
      ...keys.outbox(message.runId, message.seq),
      gsi1pk: OUTBOX_PARTITION,
      gsi1sk: keys.outboxSortKey(message.at, message.runId, message.seq),
    });
  }

  /** One run's messages in `seq` order, or every run's oldest first (the order to deliver them). */
  async listOutbox(runId?: string): Promise<OutboxMessage[]> {
    if (runId !== undefined) return this.#listRunItems<OutboxMessage>(runId, OUTBOX_PREFIX);
    this.#assertOpen();
    const items = await this.#query({
      IndexName: 'gsi1',
      ...partition('gsi1pk', OUTBOX_PARTITION),
    });
    return items.map((i) => toRecord<OutboxMessage>(i));
  }

  async claimNotification(n: NotificationRecord): Promise<boolean> {
    this.#assertOpen();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...n, ...keys.notification(n.runId, n.key) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async putNotification(n: NotificationRecord): Promise<void> {
    this.#assertOpen();
    await this.#put({ ...n, ...keys.notification(n.runId, n.key) });
  }

  async listNotifications(runId: string): Promise<NotificationRecord[]> {
    const items = await this.#listRunItems<NotificationRecord>(runId, NOTIFY_PREFIX);
    return items.sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
  }

  /**
   * One conditional UpdateItem: the claim lands only while the DAG's slot map has fewer than `max`
   * holders (or already holds this run), so concurrent claims never pass the max.
   */
  async claimSlot(dagId: string, runId: string, max: number, at: string): Promise<boolean> {
    this.#assertOpen();
    const key = keys.dagSlots(dagId);
    return this.#claimHolder(key, runId, at, max, { ...key, dagId, holders: {} });
  }

  async releaseSlot(dagId: string, runId: string): Promise<void> {
    this.#assertOpen();
    await this.#removeHolder(keys.dagSlots(dagId), runId);
  }

  async slotHolders(dagId: string): Promise<Readonly<Record<string, string>>> {
    this.#assertOpen();
    return (await this.#holdersOf<string>(keys.dagSlots(dagId))) ?? {};
  }

  /**
   * One conditional UpdateItem on an item's bounded `holders` map (a DAG's run slots, a pool's
   * slots): `holder` lands only while the map has fewer than `max` entries or already has it, so
   * concurrent claims never pass the max. The item is created (`create`) on the first claim of a
   * key that has none: the map must exist before a path inside it can be set.
   */
  async #claimHolder(
    key: ItemKey,
    holder: string,
    value: unknown,
    max: number,
    create: Record<string, unknown>,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: 'SET #h.#k = :v',
            ConditionExpression:
              'attribute_exists(#h) AND (size(#h) < :max OR attribute_exists(#h.#k))',
            ExpressionAttributeNames: { '#h': POOL_HOLDERS_ATTRIBUTE, '#k': holder },
            ExpressionAttributeValues: { ':v': value, ':max': max },
          }),
        );
        return true;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        if (attempt > 0 || (await this.#holdersOf(key)) !== undefined) return false;
        try {
          await this.#client.send(
            new PutCommand({
              TableName: this.#table,
              Item: create,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (put) {
          if (!isConditionFailure(put)) throw put;
        }
      }
    }
  }

  /** Removes `holder` from the item's `holders` map (nothing when the item or the entry is gone). */
  async #removeHolder(key: ItemKey, holder: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'REMOVE #h.#k',
          ConditionExpression: 'attribute_exists(#h)',
          ExpressionAttributeNames: { '#h': POOL_HOLDERS_ATTRIBUTE, '#k': holder },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  /** The item's `holders` map, read consistently; undefined when it has no item. */
  async #holdersOf<T>(key: ItemKey): Promise<Record<string, T> | undefined> {
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return out.Item?.[POOL_HOLDERS_ATTRIBUTE] as Record<string, T> | undefined;
  }

  /**
   * The compiled state machine's acquire (compiler/states/pool), as one conditional UpdateItem: the
   * holder lands only while the pool's map has fewer than `slots` entries or already has it. A pool
   * deployed by infra has its item; without one (tests, a store used before deploy) it is created.
   */
  async acquirePoolSlot(h: PoolHolder, slots: number): Promise<boolean> {
    this.#assertOpen();
    const value = { runId: h.runId, execution: h.execution };
    return this.#claimHolder(keys.pool(h.pool), h.holder, value, slots, poolItem(h.pool, slots));
  }

  async releasePoolSlot(pool: string, holder: string): Promise<void> {
    this.#assertOpen();
    await this.#removeHolder(keys.pool(pool), holder);
  }

  async poolHolders(pool?: string): Promise<PoolHolder[]> {
    this.#assertOpen();
    const pools = pool === undefined ? await this.#poolNames() : [pool];
    const holders: PoolHolder[] = [];
    for (const name of pools) {
      for (const [holder, v] of Object.entries(
        (await this.#holdersOf<{ runId: string; execution: string }>(keys.pool(name))) ?? {},
      ))
        holders.push({ pool: name, holder, runId: v.runId, execution: v.execution });
    }
    return holders.sort(comparePoolHolders);
  }

  /**
   * Each pool's holders are read consistently, and each of the run's is removed only while it is
   * still the same execution's (a resumed run's newer execution may have re-acquired it meanwhile).
   */
  async releaseRunPoolSlots(runId: string, executions?: readonly string[]): Promise<PoolHolder[]> {
    const released: PoolHolder[] = [];
    for (const h of await this.poolHolders()) {
      if (h.runId !== runId || (executions !== undefined && !executions.includes(h.execution)))
        continue;
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: keys.pool(h.pool),
            UpdateExpression: 'REMOVE #h.#k',
            ConditionExpression: '#h.#k.#e = :e',
            ExpressionAttributeNames: {
              '#h': POOL_HOLDERS_ATTRIBUTE,
              '#k': h.holder,
              '#e': 'execution',
            },
            ExpressionAttributeValues: { ':e': h.execution },
          }),
        );
        released.push(h);
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    return released;
  }

  /** The pools of the table (infra creates one item per pool; the list is an index, read eventually consistent). */
  async #poolNames(): Promise<string[]> {
    const items = await this.#query({
      IndexName: 'gsi1',
      ...partition('gsi1pk', POOLS_PARTITION),
      ProjectionExpression: '#pool',
      ExpressionAttributeNames: { '#p': 'gsi1pk', '#pool': 'pool' },
    });
    return items.map((i) => String(i.pool));
  }

  async pausedAt(dagId: string): Promise<string | undefined> {
    this.#assertOpen();
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: keys.dagPause(dagId), ConsistentRead: true }),
    );
    return out.Item?.at as string | undefined;
  }

  async setPaused(dagId: string, at: string | undefined): Promise<void> {
    this.#assertOpen();
    if (at === undefined)
      await this.#client.send(
        new DeleteCommand({ TableName: this.#table, Key: keys.dagPause(dagId) }),
      );
    else
      await this.#client.send(
        new PutCommand({ TableName: this.#table, Item: { ...keys.dagPause(dagId), dagId, at } }),
      );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.destroy();
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new InternalError('the run-metadata store is closed: it was used after close()');
  }

  #registerDag(dagId: string): Promise<void> {
    let registered = this.#knownDags.get(dagId);
    if (!registered) {
      const item = { ...keys.dag(dagId), gsi1pk: DAGS_PARTITION, gsi1sk: dagId, dagId };
      registered = this.#client
        .send(new PutCommand({ TableName: this.#table, Item: item }))
        .then(() => undefined);
      registered.catch(() => this.#knownDags.delete(dagId)); // the next run tries again
      this.#knownDags.set(dagId, registered);
    }
    return registered;
  }

  async #listRunItems<T>(runId: string, prefix: string): Promise<T[]> {
    this.#assertOpen();
    const items = await this.#query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': runPk(runId), ':prefix': prefix },
      ConsistentRead: true,
    });
    return items.map((i) => toRecord<T>(i));
  }

  /** Every page of a query, or the first `limit` items. */
  async #query(input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          ...input,
          TableName: this.#table,
          ExclusiveStartKey: start,
          ...(limit === undefined ? {} : { Limit: limit - items.length }),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }

  /** `{ expiresAt }` for the table's TTL, when records expire. */
  #expiry(): { expiresAt?: number } {
    return this.#retentionSeconds === undefined
      ? {}
      : { expiresAt: Math.floor(this.#now() / 1000) + this.#retentionSeconds };
  }

  async #put(item: Item): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: withoutProtoKeys({ ...item, ...this.#expiry() }),
      }),
    );
  }

  async #writeBatch(items: readonly Item[]): Promise<void> {
    const expiry = this.#expiry();
    let requests = items.map((item) => ({
      PutRequest: { Item: withoutProtoKeys({ ...item, ...expiry }) },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) {
        throw new InternalError(
          `DynamoDB left ${requests.length} write(s) unprocessed after ${UNPROCESSED_RETRIES} retries (table "${this.#table}" throttled?)`,
        );
      }
      if (attempt > 0) await sleep(10 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      let out: BatchWriteCommandOutput;
      try {
        out = await this.#client.send(
          new BatchWriteCommand({ RequestItems: { [this.#table]: requests } }),
        );
      } catch (e) {
        // One bad item (too large, not marshallable) fails the whole batch: write the items one
        // by one so the other 24 land and the error names the culprit.
        if (requests.length > 1 && !isConnectionError(e))
          return this.#writeOneByOne(requests.map((r) => r.PutRequest.Item));
        throw e;
      }
      requests = (out.UnprocessedItems?.[this.#table] ?? []) as typeof requests;
    }
  }

  async #writeOneByOne(items: readonly Item[]): Promise<void> {
    const failures: string[] = [];
    let cause: unknown;
    for (const item of items) {
      try {
        await this.#client.send(new PutCommand({ TableName: this.#table, Item: item }));
      } catch (e) {
        cause ??= e;
        failures.push(
          `${String(item.pk)} ${String(item.sk)}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    if (failures.length)
      throw new InternalError(`run-metadata write(s) failed: ${failures.join('; ')}`, { cause });
  }

  async updateRunGuarded(
    runId: string,
    patch: RunPatch,
    guard: RunGuard,
  ): Promise<RunRecord | undefined> {
    this.#assertOpen();
    return this.#updateRun(runId, patch, { kind: 'guard', guard });
  }

  /** Every run update: one UpdateItem built by store/dynamo-run-update (a patch that writes nothing: a read). */
  async #updateRun(
    runId: string,
    patch: RunPatch,
    condition: RunCondition,
  ): Promise<RunRecord | undefined> {
    if (notApplied(patch, condition)) return undefined;
    const update = runUpdateExpression(runId, patch, condition, withoutProtoKeys);
    if (update.expression === '') {
      const run = await this.getRun(runId);
      return run && conditionHolds(run, condition) ? run : undefined;
    }
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.run(runId),
          UpdateExpression: update.expression,
          ConditionExpression: update.condition,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: Object.keys(update.values).length ? update.values : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toRecord<RunRecord>(out.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }
}

type KeyCondition = Pick<
  QueryCommandInput,
  | 'KeyConditionExpression'
  | 'FilterExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
>;

/** Every item of one partition (of the table or an index), only runs in `status` if given. */
function partition(attribute: string, value: string, status?: RunStatus): KeyCondition {
  const names: Record<string, string> = { '#p': attribute };
  const values: Record<string, unknown> = { ':p': value };
  if (status === undefined)
    return {
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  names['#status'] = 'status';
  values[':status'] = status;
  return {
    KeyConditionExpression: '#p = :p',
    FilterExpression: '#status = :status',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * A value without `"__proto__"` keys, at any depth. JSON.parse makes such a key a plain own
 * property (a `--conf`, a task's output), which the AWS SDK's serializer cannot send (dynalite
 * answers "Supplied AttributeValue is empty"): the key is dropped, as the SDK's own `marshall`
 * drops it, and the rest of the record is written.
 */
function withoutProtoKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutProtoKeys) as T;
  if (
    value === null ||
    typeof value !== 'object' ||
    Object.getPrototypeOf(value) !== Object.prototype
  )
    return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== '__proto__') out[k] = withoutProtoKeys(v);
  return out as T;
}

function isConditionFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'ConditionalCheckFailedException';
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** The endpoint could not be reached: not the items' fault, so not worth writing one by one. */
function isConnectionError(e: unknown): boolean {
  for (
    let current = e, depth = 0;
    current instanceof Error && depth < 3;
    current = current.cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return true;
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

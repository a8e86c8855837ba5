/**
 * @module store/table
 * The run-metadata table as data (so infra creates exactly the table the engine uses locally)
 * and the single-table key layout: which item lives under which `pk`/`sk`, and which index
 * answers which question.
 *
 * | item          | pk                | sk                                   | gsi1pk / gsi1sk                  | gsi2pk / gsi2sk                 |
 * |---------------|-------------------|--------------------------------------|----------------------------------|---------------------------------|
 * | DAG           | `DAG#<dagId>`     | `DAG`                                | `DAGS` / `<dagId>`               |                                 |
 * | DAG slots     | `DAG#<dagId>`     | `SLOTS`                              |                                  |                                 |
 * | DAG pause     | `DAG#<dagId>`     | `PAUSE`                              |                                  |                                 |
 * | DAG datasets  | `DAG#<dagId>`     | `DATASETS`                           |                                  |                                 |
 * | run           | `RUN#<runId>`     | `RUN`                                | `DAG#<dagId>` / `<date>#<runId>` | `ACTIVE` / `<date>#<runId>` (*) |
 * | task          | `RUN#<runId>`     | `TASK#<taskId>`                      |                                  |                                 |
 * | try           | `RUN#<runId>`     | `TRY#<taskId>#<map+1:6>#<try:4>`     |                                  |                                 |
 * | counter (**)  | `RUN#<runId>`     | `COUNT#<taskId>#<map+1:6>`           |                                  |                                 |
 * | lineage       | `RUN#<runId>`     | `LINEAGE#<taskId>#<in|out>#<uri>`    |                                  |                                 |
 * | dataset event | `DATASET#<uri>`   | `<at>#<runId>#<taskId>`              |                                  |                                 |
 * | outbox        | `RUN#<runId>`     | `OUTBOX#<seq:8>`                     | `OUTBOX` / `<at>#<runId>#<seq:8>`|                                 |
 * | notification  | `RUN#<runId>`     | `NOTIFY#<key>`                       |                                  |                                 |
 * | pool          | `POOL#<pool>`     | `POOL`                               | `POOLS` / `<pool>`               |                                 |
 *
 * (*) `gsi2pk` is present only while the run is queued or running (a sparse index: the
 * active-runs query reads active runs only, however long the history grows).
 *
 * (**) One per task instance, written only by the task-runner Lambda: `tries` is an atomic counter
 * (UpdateItem `ADD`, so two retries never get the same number) and `pokes` a sensor's poke state.
 * Never written by Put (a write-behind Put would reset the counter); the engine counts in memory.
 *
 * DAG slots: `holders`, a map run id → claim time, of the runs that hold one of the DAG's
 * `maxActiveRuns` slots (AWS only: the launcher, the recorder and `updraft trigger` claim with a
 * conditional UpdateItem, so that racing starts cannot pass the max). It never expires.
 *
 * Pool: `holders`, a map holder key (`<runId>#<taskId>#<mapIndex>`) → `{ runId, execution }`, of
 * the task instances holding one of the pool's `slots` (store/types PoolSlots). The compiled state
 * machine writes it with the same conditional UpdateItem the store uses (compiler/states/pool), so
 * the item must exist first: infra creates each pool's item at deploy. It never expires.
 *
 * DAG datasets: a dataset-scheduled DAG's cursor (store/types DatasetCursor), written only by a
 * Put conditioned on the version before it, so one of two racing launchers advances it.
 */
import type { CreateTableCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { RunStatus } from './types.ts';

export const DEFAULT_TABLE_NAME = 'updraft';

/** The table's shape, for `CreateTable` here and `dynamodb.TableV2` in infra. */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  billingMode: 'PAY_PER_REQUEST',
  globalSecondaryIndexes: [
    /** Runs of one DAG by logical date, the DAG list, the outbox of every run. */
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Sparse: active (queued or running) runs only. */
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

/** Attributes that exist only for the key layout: never part of a returned record. */
export const KEY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'expiresAt',
]);

export function createTableInput(tableName: string = DEFAULT_TABLE_NAME): CreateTableCommandInput {
  const { partitionKey, sortKey, globalSecondaryIndexes } = TABLE_SCHEMA;
  const attributes = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: TABLE_SCHEMA.billingMode,
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** `gsi1pk` of the DAG list and of the outbox of every run. */
export const DAGS_PARTITION = 'DAGS';
export const OUTBOX_PARTITION = 'OUTBOX';
/** `gsi1pk` of every pool item (the recorder finds the pools a run may hold slots of). */
export const POOLS_PARTITION = 'POOLS';
/** The pool item's map of holders. */
export const POOL_HOLDERS_ATTRIBUTE = 'holders';
/** `gsi2pk` of a queued or running run. */
export const ACTIVE_PARTITION = 'ACTIVE';

export const RUN_SK = 'RUN';
export const TASK_PREFIX = 'TASK#';
export const TRY_PREFIX = 'TRY#';
export const COUNT_PREFIX = 'COUNT#';
export const LINEAGE_PREFIX = 'LINEAGE#';
export const OUTBOX_PREFIX = 'OUTBOX#';
export const NOTIFY_PREFIX = 'NOTIFY#';

// Task ids cannot contain '#' (sdk/build-checks: [A-Za-z0-9_-]), so `TRY#<taskId>#` never
// matches the tries of another task whose id merely starts the same way.
export const runPk = (runId: string): string => `RUN#${runId}`;
export const dagPartition = (dagId: string): string => `DAG#${dagId}`;
/** Sorts runs by logical date; the run id breaks ties between DAGs on the same date. */
export const runSortKey = (logicalDate: string, runId: string): string => `${logicalDate}#${runId}`;
export const datasetPk = (uri: string): string => `DATASET#${uri}`;
export const tryPrefix = (taskId?: string): string =>
  taskId === undefined ? TRY_PREFIX : `${TRY_PREFIX}${taskId}#`;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const keys = {
  dag: (dagId: string): ItemKey => ({ pk: dagPartition(dagId), sk: 'DAG' }),
  dagSlots: (dagId: string): ItemKey => ({ pk: dagPartition(dagId), sk: 'SLOTS' }),
  dagPause: (dagId: string): ItemKey => ({ pk: dagPartition(dagId), sk: 'PAUSE' }),
  datasetCursor: (dagId: string): ItemKey => ({ pk: dagPartition(dagId), sk: 'DATASETS' }),
  pool: (pool: string): ItemKey => ({ pk: `POOL#${pool}`, sk: 'POOL' }),
  run: (runId: string): ItemKey => ({ pk: runPk(runId), sk: RUN_SK }),
  task: (runId: string, taskId: string): ItemKey => ({
    pk: runPk(runId),
    sk: `${TASK_PREFIX}${taskId}`,
  }),
  /** `mapIndex` -1 (not mapped) pads to 000000; zero padding keeps numeric order up to 999,998 instances. */
  try: (runId: string, taskId: string, mapIndex: number, tryNumber: number): ItemKey => ({
    pk: runPk(runId),
    sk: `${tryPrefix(taskId)}${pad(mapIndex + 1, 6)}#${pad(tryNumber, 4)}`,
  }),
  /** Try counter and poke state of a task instance (same padding as `try`). */
  counter: (runId: string, taskId: string, mapIndex: number): ItemKey => ({
    pk: runPk(runId),
    sk: `${COUNT_PREFIX}${taskId}#${pad(mapIndex + 1, 6)}`,
  }),
  lineage: (runId: string, taskId: string, direction: 'in' | 'out', dataset: string): ItemKey => ({
    pk: runPk(runId),
    sk: `${LINEAGE_PREFIX}${taskId}#${direction}#${dataset}`,
  }),
  datasetEvent: (dataset: string, at: string, runId: string, taskId: string): ItemKey => ({
    pk: datasetPk(dataset),
    sk: `${at}#${runId}#${taskId}`,
  }),
  outbox: (runId: string, seq: number): ItemKey => ({
    pk: runPk(runId),
    sk: `${OUTBOX_PREFIX}${pad(seq, 8)}`,
  }),
  notification: (runId: string, key: string): ItemKey => ({
    pk: runPk(runId),
    sk: `${NOTIFY_PREFIX}${key}`,
  }),
  outboxSortKey: (at: string, runId: string, seq: number): string =>
    `${at}#${runId}#${pad(seq, 8)}`,
};

export function isActive(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** A stored item → the record it holds (the key layout's attributes removed). */
export function toRecord<T>(item: Record<string, unknown>): T {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!KEY_ATTRIBUTES.has(name)) record[name] = value;
  }
  return record as T;
}

/**
 * A pool's item as infra creates it at deploy and the store on a first acquire: its slot count,
 * its place in the pool list (gsi1), and an empty map of holders.
 */
export function poolItem(pool: string, slots: number): Record<string, unknown> {
  return {
    ...keys.pool(pool),
    gsi1pk: POOLS_PARTITION,
    gsi1sk: pool,
    pool,
    slots,
    [POOL_HOLDERS_ATTRIBUTE]: {},
  };
}

/**
 * What infra runs at deploy for each pool (an AwsCustomResource's UpdateItem, in DynamoDB's own
 * attribute-value form): creates the pool's item when it is missing and sets its slot count,
 * keeping the holders of a pool that exists (a redeploy while tasks hold slots takes none away).
 */
export function poolItemUpdate(
  tableName: string,
  pool: string,
  slots: number,
): UpdateItemCommandInput {
  const key = keys.pool(pool);
  return {
    TableName: tableName,
    Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    UpdateExpression:
      'SET #h = if_not_exists(#h, :empty), #pool = :pool, #slots = :slots, #g1pk = :pools, #g1sk = :pool',
    ExpressionAttributeNames: {
      '#h': POOL_HOLDERS_ATTRIBUTE,
      '#pool': 'pool',
      '#slots': 'slots',
      '#g1pk': 'gsi1pk',
      '#g1sk': 'gsi1sk',
    },
    ExpressionAttributeValues: {
      ':empty': { M: {} },
      ':pool': { S: pool },
      ':slots': { N: String(slots) },
      ':pools': { S: POOLS_PARTITION },
    },
  };
}

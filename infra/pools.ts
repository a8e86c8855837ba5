/**
 * @module infra/pools
 * Pools on AWS (compiler/states/pool): each pool's item in the run table, created at deploy, and
 * the state machine role's right to take and give back slots of its DAG's pools only.
 *
 * Why an item at deploy: the compiled acquire sets `holders.<holder>` on the pool's item, and
 * DynamoDB refuses a path inside a map that does not exist (nor can one UpdateItem create the map
 * and set a key in it). An AwsCustomResource runs `store/table poolItemUpdate` once per pool at
 * deploy — `SET holders = if_not_exists(holders, {})`, the slot count, its place in the pool list
 * — which is idempotent and keeps the holders of a pool in use. Creating it on first use instead
 * would cost every acquire a second write or a Choice (a transition each), for every run, to save a
 * one-time write per pool; and executions started outside Updraft (the console) would not pass
 * through any launcher that could create it.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { DagIR, PoolIR } from '../src/ir/types.ts';
import { keys, poolItemUpdate } from '../src/store/table.ts';
import type { PlatformRefs } from './refs.ts';
import { suppress } from './nag.ts';

/** The pools the DAGs' tasks use, each once, by name (validation gives one name one slot count). */
export function poolsOf(dags: readonly DagIR[]): PoolIR[] {
  const pools = new Map<string, PoolIR>();
  for (const d of dags) for (const t of d.tasks) if (t.pool) pools.set(t.pool.name, t.pool);
  return [...pools.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** `dynamodb:LeadingKeys` of the pools' items. */
const leadingKeys = (pools: readonly PoolIR[]) => pools.map((p) => keys.pool(p.name).pk);

/** Creates (or updates the slot count of) each pool's item in the table at deploy, once the table exists. */
export function addPoolItems(
  scope: Construct,
  table: dynamodb.ITableV2,
  refs: Pick<PlatformRefs, 'tableName' | 'tableArn'>,
  pools: readonly PoolIR[],
): void {
  if (pools.length === 0) return;
  const policy = cr.AwsCustomResourcePolicy.fromStatements([
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [refs.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': leadingKeys(pools) } },
    }),
  ]);
  for (const pool of pools) {
    const call: cr.AwsSdkCall = {
      service: 'DynamoDB',
      action: 'updateItem',
      // The table's fixed name (not a token): the call is plain JSON in the template.
      parameters: poolItemUpdate(refs.tableName, pool.name, pool.slots),
      physicalResourceId: cr.PhysicalResourceId.of(`updraft-pool-${pool.name}`),
    };
    // No onDelete: a pool no DAG uses any more keeps its (empty, or soon empty) item.
    const item = new cr.AwsCustomResource(scope, `Pool-${pool.name}`, {
      onCreate: call,
      onUpdate: call,
      policy,
      installLatestAwsSdk: false,
    });
    item.node.addDependency(table);
  }
  // The provider's function and role, one per stack (AwsCustomResource's singleton).
  const provider = scope.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
  if (provider)
    suppress(provider, [
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ],
        reason:
          "CDK's AwsCustomResource provider writes its logs with the AWS-managed basic execution policy; it only creates the pools' items at deploy",
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          "CDK's AwsCustomResource provider picks its own Node.js runtime; it runs only at deploy, to create the pools' items",
      },
    ]);
}

/** The state machine's right to take and give back slots of its DAG's pools, and no other item. */
export function poolGrant(
  refs: Pick<PlatformRefs, 'tableArn'>,
  ir: DagIR,
): iam.PolicyStatement | undefined {
  const pools = poolsOf([ir]);
  if (pools.length === 0) return undefined;
  return new iam.PolicyStatement({
    actions: ['dynamodb:UpdateItem'],
    resources: [refs.tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': leadingKeys(pools) } },
  });
}

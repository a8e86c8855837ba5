/**
 * Pools in the CDK app (infra/pools): each pool's item created at deploy by an idempotent
 * UpdateItem (run here against a real DynamoDB API, dynalite, where the compiled acquire then
 * works), the state machine of a pooled DAG allowed UpdateItem on its pools' items only, the run
 * table filled into its definition, the recorder able to release, and cdk-nag clean.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { buildDagIR, dag, pool, task } from 'updraft';
import { buildUpdraftApp } from '../../infra/updraft-app.ts';
import { nagReport } from '../../infra/nag.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

const shared = pool('warehouse', { slots: 3 });
const irs = [
  dag('loads', {}, () => {
    task('load', { pool: shared }, async () => 1)();
  }),
  dag('reports', {}, () => {
    task('report', { pool: shared }, async () => 1)();
    task('mail', { pool: pool('smtp', { slots: 1 }) }, async () => 1)();
  }),
  dag('free', {}, () => {
    task('anything', async () => 1)();
  }),
].map((d) => buildDagIR(d, `${d.id}.ts`).ir);

let result: ReturnType<typeof buildUpdraftApp>;
let platform: Template;
const dagTemplate = (dagId: string) =>
  Template.fromStack(result.dagStacks.find((s) => s.node.tryFindChild(dagId))!);
let local: Dynalite;

beforeAll(async () => {
  const code = mkdtempSync(path.join(tmpdir(), 'updraft-code-'));
  writeFileSync(path.join(code, 'index.mjs'), 'export const handler = async () => ({});\n');
  result = buildUpdraftApp(new App(), {
    environment: 'prod',
    dags: irs.map((ir) => ({ ir, codeDir: code })),
    platformCode: { launcher: code, recorder: code },
  });
  platform = Template.fromStack(result.platform);
  local = await startDynalite({ tableName: 'updraft-prod' });
});
afterAll(async () => {
  await local?.close();
});

/** The SDK call of each pool's custom resource, as deployed. */
function poolCalls(): Record<string, { action: string; parameters: Record<string, unknown> }> {
  const resources = platform.findResources('Custom::AWS') as Record<
    string,
    { Properties: { Create: string; Update: string }; DependsOn?: string[] }
  >;
  return Object.fromEntries(
    Object.values(resources).map((r) => {
      expect(r.Properties.Update).toBe(r.Properties.Create);
      const call = JSON.parse(r.Properties.Create);
      return [call.parameters.ExpressionAttributeValues[':pool'].S, call];
    }),
  );
}

describe('pools on AWS', () => {
  it('creates each pool once at deploy, after the table, with an UpdateItem that keeps its holders', async () => {
    const calls = poolCalls();
    expect(Object.keys(calls).sort()).toEqual(['smtp', 'warehouse']);
    expect(calls.warehouse).toMatchObject({
      service: 'DynamoDB',
      action: 'updateItem',
      physicalResourceId: { id: 'updraft-pool-warehouse' },
      parameters: {
        TableName: 'updraft-prod',
        Key: { pk: { S: 'POOL#warehouse' }, sk: { S: 'POOL' } },
        UpdateExpression:
          'SET #h = if_not_exists(#h, :empty), #pool = :pool, #slots = :slots, #g1pk = :pools, #g1sk = :pool',
      },
    });
    const tableId = platform.findResources('AWS::DynamoDB::GlobalTable');
    for (const r of Object.values(
      platform.findResources('Custom::AWS') as Record<string, { DependsOn?: string[] }>,
    ))
      expect(r.DependsOn).toEqual(expect.arrayContaining(Object.keys(tableId)));
    // What it does, on a real DynamoDB API: twice (a redeploy) keeps a holder.
    const client = new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: local.endpoint,
    });
    try {
      const create = calls.warehouse!.parameters as never;
      await client.send(new UpdateItemCommand(create));
      const holder = { pool: 'warehouse', holder: 'r#load#-1', runId: 'r', execution: 'r' };
      expect(await local.store.acquirePoolSlot(holder, 3)).toBe(true);
      await client.send(new UpdateItemCommand(create));
      expect(await local.store.poolHolders()).toEqual([holder]);
    } finally {
      client.destroy();
    }
  });

  it("lets the provider write only the pools' items", () => {
    platform.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'dynamodb:UpdateItem',
            Condition: {
              'ForAllValues:StringEquals': {
                'dynamodb:LeadingKeys': ['POOL#smtp', 'POOL#warehouse'],
              },
            },
          }),
        ],
      },
    });
  });

  it("lets a pooled DAG's state machine update its own pools' items and nothing else, with the table filled in", () => {
    const statement = (leadingKeys: string[]) =>
      Match.objectLike({
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': leadingKeys } },
      });
    const policy = (leadingKeys: string[]) => ({
      PolicyDocument: { Statement: Match.arrayWith([statement(leadingKeys)]) },
    });
    dagTemplate('loads').hasResourceProperties('AWS::IAM::Policy', policy(['POOL#warehouse']));
    dagTemplate('reports').hasResourceProperties(
      'AWS::IAM::Policy',
      policy(['POOL#smtp', 'POOL#warehouse']),
    );
    const free = Object.entries(dagTemplate('free').findResources('AWS::IAM::Policy')).filter(
      ([id]) => id.startsWith('freeStateMachineRole'),
    );
    expect(free).toHaveLength(1);
    expect(JSON.stringify(free)).not.toContain('dynamodb:');
    dagTemplate('loads').hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: Match.objectLike({ RunTable: 'updraft-prod' }),
    });
  });

  it('lets the recorder give back what an ended execution held (it reads and writes the table and its indexes)', () => {
    const recorder = Object.entries(
      platform.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: unknown[] } } }
      >,
    ).find(([id]) => /^Recorder.*Policy/.test(id))![1];
    const actions = JSON.stringify(recorder.Properties.PolicyDocument.Statement);
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'])
      expect(actions).toContain(action);
  });

  it('is cdk-nag clean', () => {
    expect(nagReport(result.platform).lines).toEqual([]);
    for (const s of result.dagStacks) expect(nagReport(s).lines).toEqual([]);
  });
});

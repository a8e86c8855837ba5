/**
 * The CDK app from a project folder, as `npx cdk synth` builds it: real esbuild bundles (the
 * task runner bundle runs a task against a real DynamoDB API) and DAG errors stopping the synth.
 * 200 generated DAGs split into stacks: synth-scale.slow.test.ts (the slow project).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { synthesizeProject } from '../../infra/synth.ts';
import { nagReport } from '../../infra/nag.ts';
import { runValuesOf } from '../../src/runtime/launch.ts';
import { startDynalite } from '../support/dynalite.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const TMP = path.join(REPO, 'test', `.tmp-synth-${process.pid}`);

afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(TMP, { recursive: true, force: true });
});

/** Set for the examples' connections while they synthesize: no form of it may reach cdk.out or a bundle. */
const SECRET = "Synth-Secret/p@ss w0rd!'~";
const SECRET_FORMS = [
  SECRET,
  encodeURIComponent(SECRET),
  new URLSearchParams({ p: SECRET }).toString().slice(2),
  Buffer.from(SECRET).toString('base64').replace(/=+$/, ''),
  Buffer.from(`etl:${SECRET}`).toString('base64'),
];

describe('synthesizeProject on the example project', () => {
  let result: Awaited<ReturnType<typeof synthesizeProject>>;
  let app: App;
  beforeAll(async () => {
    // warehouse_refresh's Athena query names no outputLocation: its workgroup's, as cdk.json would declare it.
    app = new App({
      outdir: path.join(TMP, 'out-examples'),
      context: {
        'updraft:athenaResultLocations': { primary: 's3://acme-athena-results/primary/' },
        // CDK's built-in CloudFormation template validation, its findings made errors: the
        // examples' real synth must break none of CloudFormation's rules. (The tests that only
        // read templates turn the validation off: it took 14 s of CPU across them.)
        '@aws-cdk/core:validateAgainstDefaultRules': true,
      },
    });
    const saved = { ...process.env };
    const uri = `postgres://etl:${encodeURIComponent(SECRET)}@db.internal:5432/analytics`;
    for (const id of ['WAREHOUSE', 'CRM_DB', 'BILLING_DB', 'SUPPORT_API', 'PARTNER_SFTP'])
      process.env[`UPDRAFT_CONN_${id}`] = uri;
    try {
      // The shipped examples (a copy), never the user's dags/.
      result = await synthesizeProject(app, {
        root: path.join(REPO, 'test/fixtures/examples'),
        environment: 'prod',
        bundleDir: path.join(TMP, 'bundles'),
        placementDir: path.join(TMP, 'placement'),
      });
    } finally {
      process.env = saved;
    }
  }, 60_000);

  it("writes no form of a connection's secret into cdk.out or the bundles (connections travel as secret names)", async () => {
    const { readdir } = await import('node:fs/promises');
    app.synth(); // cdk.out: templates, assets
    const files = (await readdir(TMP, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
    expect(files.filter((f) => f.endsWith('.template.json')).length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8').toLowerCase();
      expect({
        file: path.relative(TMP, file),
        found: SECRET_FORMS.filter((form) => text.includes(form.toLowerCase())),
      }).toEqual({ file: path.relative(TMP, file), found: [] });
    }
  });

  it('bundles one task runner per DAG file plus the launcher and recorder, without local-only packages', () => {
    expect([...result.bundles.keys()].sort()).toEqual([
      'dag-daily_orders',
      'dag-ingest_sources',
      'dag-orders_mart',
      'dag-process_files',
      'dag-wait_for_export',
      'dag-warehouse_refresh',
      'dag-weekday_report',
      'launcher',
      'recorder',
    ]);
    for (const b of result.bundles.values()) {
      const code = readFileSync(path.join(b.dir, 'index.mjs'), 'utf8');
      expect(existsSync(path.join(b.dir, 'index.mjs.map'))).toBe(true);
      expect(code).not.toMatch(/dynalite|leveldown|aws-local-stepfunctions/);
      expect(code).toMatch(/from"@aws-sdk\/client-dynamodb"|from "@aws-sdk\/client-dynamodb"/);
      expect(b.bytes).toBe(statSync(path.join(b.dir, 'index.mjs')).size);
      // The task runner reads the manifest its entry carries; the compiler (compiler/compile) is not bundled.
      expect(code).not.toContain('is too long to compile');
    }
  });

  it('ships a task runner bundle that runs its DAG’s task against DynamoDB, as Lambda would load it', async () => {
    const local = await startDynalite({ tableName: 'updraft-prod' });
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        UPDRAFT_ENV: 'prod',
        UPDRAFT_TABLE: 'updraft-prod',
        UPDRAFT_BUCKET: 'payloads',
        UPDRAFT_DAG: 'daily_orders',
        AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      });
      const bundle = path.join(result.bundles.get('dag-daily_orders')!.dir, 'index.mjs');
      const { handler } = (await import(pathToFileURL(bundle).href)) as {
        handler: (event: unknown, context: unknown) => Promise<unknown>;
      };
      const ir = result.compiled.get('daily_orders')!;
      const key = (id: string) => ir.manifest.tasks.find((t) => t.id === id)!.key;
      const run = runValuesOf({
        dagId: 'daily_orders',
        timezone: 'Europe/Berlin',
        timers: [],
        interval: {
          logicalDate: new Date('2026-11-20T01:00:00Z'),
          dataIntervalStart: new Date('2026-11-20T01:00:00Z'),
          dataIntervalEnd: new Date('2026-11-21T01:00:00Z'),
        },
        params: {},
        triggeredBy: 'schedule',
      });
      const context = {
        functionName: 'updraft-prod-daily_orders',
        awsRequestId: 'req-1',
        getRemainingTimeInMillis: () => 60_000,
      };
      const out = await handler(
        {
          task: 'transform.clean',
          run,
          in: {
            [key('check')]: {
              s: 'success',
              o: { rows: 1200, key: 'raw/orders/2026-11-20.parquet' },
            },
          },
        },
        context,
      );
      // The task's record: the state machine writes the answer as it is (compiler/states/lambda-task).
      expect(out).toEqual({
        s: 'success',
        o: { rows: 1197, key: 'clean/orders/2026-11-20.parquet' },
      });
      const tries = await local.store.listTries(run.runId);
      expect(tries.map((t) => [t.taskId, t.tryNumber, t.state])).toEqual([
        ['transform.clean', 1, 'success'],
      ]);
    } finally {
      process.env = saved;
      await local.close();
    }
  });

  it('writes the stable placement file and is cdk-nag clean', () => {
    expect(
      JSON.parse(readFileSync(path.join(TMP, 'placement', 'placement.prod.json'), 'utf8')),
    ).toMatchObject({ daily_orders: 1, ingest_crm: 1, weekday_report: 1 });
    expect(nagReport(result.platform.node.root).lines).toEqual([]);
  });

  it('stops on DAG errors with the validator’s messages and builds nothing', async () => {
    const root = path.join(TMP, 'broken');
    await mkdir(path.join(root, 'dags'), { recursive: true });
    await writeFile(
      path.join(root, 'dags', 'broken.ts'),
      "import { dag, task } from 'updraft';\nexport default dag('broken', { schedule: '0 25 * * *' }, () => { task('a', async () => 1)(); });\n",
    );
    const app = new App({ outdir: path.join(TMP, 'out-broken') });
    await expect(
      synthesizeProject(app, {
        root,
        placementDir: false,
        bundleDir: path.join(TMP, 'bundles-broken'),
      }),
    ).rejects.toThrow(
      /1 problem in dags\/ — nothing was synthesized:\n✖ .*broken.*\n[\s\S]*fix them \(npx updraft validate shows the same\)/,
    );
    expect(app.node.children).toHaveLength(0);
    expect(existsSync(path.join(TMP, 'bundles-broken'))).toBe(false);
  });
});

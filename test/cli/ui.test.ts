/**
 * `updraft ui` as a process: over a deployment's run table (DynamoDB on dynalite, reached through
 * the SDK's endpoint variable, with fake credentials) it serves the same API and UI as
 * `updraft dev`, refuses a backfill (with the command that does) and stops on Ctrl-C. Its trigger,
 * retry, clear and offloaded outputs against mocked AWS clients: cloud-ui.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';
import { REPO as root } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-ui-cli-${process.pid}`);
let local: Dynalite;

beforeAll(async () => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  writeFileSync(
    join(dir, 'dags', 'nightly.ts'),
    `import { dag, task } from 'updraft';
export default dag('nightly', { schedule: '@daily', startDate: '2026-11-01' }, () => { task('load', async () => 1)(); });`,
  );
  local = await startDynalite({ tableName: 'updraft-prod' });
  await local.store.createRun({
    runId: 'nightly-2026-11-20T00-00-00Z',
    dagId: 'nightly',
    key: '2026-11-20T00-00-00Z',
    logicalDate: '2026-11-20T00:00:00.000Z',
    dataIntervalStart: '2026-11-20T00:00:00.000Z',
    dataIntervalEnd: '2026-11-21T00:00:00.000Z',
    triggeredBy: 'schedule',
    conf: {},
    status: 'success',
    attempt: 1,
    queuedAt: '2026-11-21T00:00:00.000Z',
    taskStates: { s: { load: 's' } },
  });
});
afterAll(async () => {
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('updraft ui --target aws', () => {
  it("serves a deployment's runs from its table, refuses a backfill, and stops on Ctrl-C", async () => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/updraft.js'),
        'ui',
        '--target',
        'aws',
        '--env',
        'prod',
        '--region',
        'eu-central-1',
        '--port',
        '0',
        '--no-color',
      ],
      {
        cwd: dir,
        env: {
          ...process.env,
          NO_COLOR: '1',
          AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    for (
      let waited = 0;
      !/UI: http/.test(out) && child.exitCode === null && waited < 20_000;
      waited += 50
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('updraft ui over AWS (prod, eu-central-1) (Ctrl-C stops it)');
    const url = /UI: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const grid = (await (await fetch(`${url}/api/dags/nightly/grid`)).json()) as {
      runs: unknown[];
    };
    expect(grid.runs).toMatchObject([{ runId: 'nightly-2026-11-20T00-00-00Z', states: 's' }]);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('<div id="root"></div>');
    const refused = await fetch(`${url}/api/dags/nightly/backfill`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"from":"2026-11-01","to":"2026-11-03"}',
    });
    expect([refused.status, await refused.json()]).toEqual([
      400,
      {
        error:
          "a backfill on a deployment is the CLI's: updraft backfill <dag> --from <date> --to <date> --target aws --env prod --region eu-central-1",
      },
    ]);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

/**
 * The UI end to end in a real browser (playwright-core driving Debian's Chromium, never a browser
 * a tool downloads) against a real `updraft dev` process on the example project plus a DAG that
 * fails until a file exists: every view renders; the trigger form refuses a bad param with the
 * CLI's message; a triggered run appears, fails with live states, is retried from the UI and
 * succeeds; a connection's secret never reaches the page. Screenshots of the main views are
 * written to test/.tmp-ui-screenshots/ (the docs keep the best of them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { resolveParams } from '../../src/runtime/params.ts';
import { dag, param, task } from '../../src/sdk/index.ts';
import { REPO as root } from '../support/cli.ts';

const dir = join(root, 'test', `.tmp-ui-${process.pid}`);
const shots = join(root, 'test', '.tmp-ui-screenshots');
const SECRET = 'S3cretTok3n-ui';

const FLAKY = `
import { existsSync } from 'node:fs';
import { dag, param, task } from 'updraft';
export default dag('flaky_ui', { params: { limit: param.integer({ default: 10, minimum: 1, description: 'rows at most' }) } }, () => {
  task('work', { connections: ['api'] }, async (ctx) => {
    const api = await ctx.connection('api');
    ctx.log.info('calling the API with ' + api.password);
    if (!existsSync(new URL('../fixed', import.meta.url))) throw new Error('upstream down (token ' + api.password + ')');
    return ctx.params.limit;
  })();
});
`;

let dev: ChildProcess;
let url = '';
/** What updraft dev printed: shown when a wait times out. */
let devOutput = '';
let browser: Browser;
let page: Page;

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  for (let waited = 0; waited < ms; waited += 100) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; updraft dev printed:\n${devOutput}`);
}

beforeAll(async () => {
  mkdirSync(join(dir, 'dags'), { recursive: true });
  cpSync(join(root, 'test/fixtures/examples/dags'), join(dir, 'dags'), { recursive: true });
  writeFileSync(join(dir, 'dags', 'flaky_ui.ts'), FLAKY);
  mkdirSync(shots, { recursive: true });
  dev = spawn(
    process.execPath,
    [join(root, 'bin/updraft.js'), 'dev', '--port', '0', '--no-color'],
    {
      cwd: dir,
      env: {
        ...process.env,
        NO_COLOR: '1',
        UPDRAFT_CONN_API: `https://ui:${SECRET}@api.example.com`,
        UPDRAFT_CONN_WAREHOUSE: 'postgres://etl:pw@warehouse.example.com:5432/dw',
      },
    },
  );
  let out = '';
  dev.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  dev.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const record = (d: Buffer) => (devOutput += d.toString());
  dev.stdout!.on('data', record);
  dev.stderr!.on('data', record);
  await until(() => /UI: (http:\/\/127\.0\.0\.1:\d+)/.test(out), 'updraft dev to serve');
  url = /UI: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
  browser = await launchChromium();

  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('dialog', (d) => void d.accept()); // every action asks first
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dev && dev.exitCode === null) dev.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the UI', () => {
  it('lists every DAG with its schedule and pause state', async () => {
    await page.goto(`${url}/#/`);
    await page.locator('tr[data-dag="daily_orders"]').waitFor();
    const ids = await page
      .locator('tr[data-dag]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dag')));
    expect(ids).toEqual([
      'daily_orders',
      'flaky_ui',
      'ingest_crm',
      'ingest_billing',
      'ingest_support',
      'orders_mart',
      'process_files',
      'wait_for_export',
      'warehouse_refresh',
      'weekday_report',
    ]);
    await expect(page.locator('tr[data-dag="orders_mart"]').innerText()).resolves.toContain(
      'waits for s3://acme-lake/clean/orders',
    );
    await page.screenshot({ path: join(shots, 'dags.png') });

    // Keyboard: Tab walks the links, Enter follows one.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Updraft');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Datasets');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/datasets$/);

    // Dark mode follows the system's setting.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(
      'rgb(17, 20, 24)',
    );
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it("refuses a bad param with the CLI's message; a triggered run fails live, is retried from the UI and succeeds; the secret never shows", async () => {
    const ir = buildDagIR(
      dag('flaky_ui', { params: { limit: param.integer({ default: 10, minimum: 1 }) } }, () => {
        task('work', async () => 1)();
      }),
      'x.ts',
    ).ir;
    const cliMessage = (() => {
      try {
        resolveParams(ir, { limit: 0 });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(cliMessage).not.toBe('');

    await page.goto(`${url}/#/dags/flaky_ui/trigger`);
    await page.locator('input[name="limit"]').fill('0');
    await page.getByRole('button', { name: 'Trigger' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe(cliMessage);

    await page.locator('input[name="limit"]').fill('5');
    await page.getByRole('button', { name: 'Trigger' }).click();
    const link = page.getByRole('status').getByRole('link');
    await link.waitFor();
    const runId = (await link.innerText()).trim();
    await link.click();
    await until(
      async () =>
        (await page
          .locator('h1 + .badge')
          .innerText()
          .catch(() => '')) === 'failed',
      'the run to fail',
    );
    await page.locator('table.tasks').getByRole('link', { name: 'work' }).click();
    await page.getByTestId('logs').waitFor();
    expect(await page.getByTestId('logs').innerText()).toContain('calling the API with ***');
    expect(await page.content()).not.toContain(SECRET);
    await page.screenshot({ path: join(shots, 'run-failed.png'), fullPage: true });

    writeFileSync(join(dir, 'fixed'), '');
    await page.getByRole('button', { name: 'Retry' }).click();
    await until(
      async () =>
        (await page
          .locator('h1 + .badge')
          .innerText()
          .catch(() => '')) === 'success',
      'the retried run to succeed',
    );
    expect(await page.locator('dl.facts').innerText()).toContain('attempt\n2');
    // Its cost: transitions (a deployment records their cost itself) and Lambda time, both
    // executions' (the failed one and the retry); the task's own.
    expect(await page.getByTestId('run-cost').innerText()).toMatch(
      /^\$0\.000\d{3}: \$0\.000\d{3} for \d+ state transitions \+ \$0\.0000\d\d for 2 Lambda invocations, \d+\.\d s at 1024 MiB$/,
    );
    expect(await page.getByTestId('task-cost').innerText()).toMatch(
      /^Cost of this task: \$0\.0000\d\d · \d+(\.\d+)? transitions? · 2 × Lambda, \d+\.\d\d s$/,
    );
    await page.screenshot({ path: join(shots, 'run-success.png'), fullPage: true });
    // The timeline: the task's row with a bar for each try (the failed one, then the retry).
    await expect(
      page
        .getByTestId('gantt')
        .locator('.gantt-bar')
        .evaluateAll((bars) => bars.map((b) => b.className)),
    ).resolves.toEqual(['gantt-bar state-failed', 'gantt-bar state-success']);
    expect(runId).toMatch(/^flaky_ui-/);
    expect(await page.content()).not.toContain(SECRET);
  });

  it("draws the grid, the graph with the run's states, a run's task and the datasets", async () => {
    await page.goto(`${url}/#/dags/flaky_ui`);
    await page.getByTestId('grid').waitFor();
    expect(await page.getByTestId('grid').locator('.grid-row').count()).toBe(1);
    // The run's cell: the retried task succeeded (its record counts the latest execution's tries).
    expect(
      await page.getByTestId('grid').locator('.grid-row .grid-cell').first().getAttribute('title'),
    ).toBe('work: success');
    await page.screenshot({ path: join(shots, 'grid.png') });

    await page.goto(`${url}/#/dags/daily_orders/graph`);
    await page.locator('.react-flow__node').first().waitFor();
    // React Flow draws edges once it has measured the boxes, and redraws on each refresh.
    const settles = (selector: string, n: number, what: string) =>
      until(async () => (await page.locator(selector).count()) === n, what);
    await settles('.react-flow__node', 5, 'the 5 boxes');
    await settles('.react-flow__edge', 4, 'the 4 edges');
    await settles('.react-flow__node.critical', 5, 'the critical path: the whole chain');
    await page.screenshot({ path: join(shots, 'graph.png') });
    // A task group collapses into one box, edges kept once, the critical path through it.
    await page.getByRole('button', { name: '▾ transform' }).click();
    await settles('.react-flow__node', 4, 'extract, check, the transform box and load');
    await settles('.react-flow__edge', 3, 'the 3 edges through the box');
    expect(await page.locator('.react-flow__node').getByText('▸ transform (2 tasks)').count()).toBe(
      1,
    );
    await page.locator('.react-flow__node', { hasText: '▸ transform' }).click(); // expands again
    await settles('.react-flow__node', 5, 'the 5 boxes again');

    // A DAG Parallel cannot draw exactly: the compiler's added waits dashed.
    await page.goto(`${url}/#/dags/warehouse_refresh/graph`);
    await settles('.react-flow__edge.added-wait', 1, 'the one added wait, dashed');
    await page.screenshot({ path: join(shots, 'graph-waits.png') });

    // A backfill from the UI: queued runs the scheduler starts, one at a time (maxActiveRuns 1).
    await page.goto(`${url}/#/dags/daily_orders/trigger`);
    await page.locator('input[name="from"]').fill('2026-11-01');
    await page.locator('input[name="to"]').fill('2026-11-03'); // logical dates 11-01 and 11-02 02:00 Berlin
    await page.getByRole('button', { name: 'Backfill' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toBe(
      '2 runs queued, 0 intervals already had one; updraft dev starts them, oldest first',
    );
    await page.goto(`${url}/#/dags/daily_orders`);
    let seen = '';
    await until(async () => {
      seen = (
        await page
          .getByTestId('grid')
          .locator('.grid-head .square')
          .evaluateAll((squares) => squares.map((q) => q.getAttribute('aria-label')))
      ).join();
      return seen === 'success,success';
    }, 'the backfilled runs to succeed (the grid shows them)').catch((error: Error) => {
      throw new Error(`${error.message}\nthe grid's run squares: ${seen}`);
    });

    // Its task group collapses to one row showing the worst state of its tasks.
    const grid = page.getByTestId('grid');
    expect(await grid.locator('.grid-row').count()).toBe(6); // 5 tasks and the transform group
    await page.getByRole('button', { name: '▾ transform' }).click();
    expect(await grid.locator('.grid-row').count()).toBe(4);
    expect(await grid.locator('.grid-row.group .grid-cell').first().getAttribute('title')).toBe(
      'group transform: success',
    );
    await page.screenshot({ path: join(shots, 'grid-groups.png') });

    // A task's inputs: check was given extract's output (a link to it), as the machine gave it.
    await page.goto(`${url}/#/runs/daily_orders-2026-11-01T01-00-00Z/tasks/check`);
    await page.getByTestId('inputs').waitFor();
    expect(await page.getByTestId('inputs').innerText()).toBe(
      'argument 1 ← extract\n{"rows":1200,"key":"raw/orders/2026-11-01.parquet"}',
    );
    await page.getByTestId('inputs').getByRole('link', { name: 'extract' }).click();
    await page.getByRole('heading', { name: 'extract', level: 2 }).waitFor();

    await page.goto(`${url}/#/cost`);
    await page.getByTestId('cost').waitFor();
    expect(await page.getByTestId('cost').locator('tbody tr').count()).toBe(10);
    expect(await page.locator('main').innerText()).toContain('mw1.small');
    await page.screenshot({ path: join(shots, 'cost.png') });

    await page.goto(`${url}/#/datasets`);
    await page.getByText('s3://acme-lake/clean/orders').first().waitFor();
    await page.screenshot({ path: join(shots, 'datasets.png') });
  });
});

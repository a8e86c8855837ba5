/**
 * The UI's figures (issue 14): the grid of 1,000 runs × 100 tasks and the graph of a 500-task DAG,
 * from navigation to drawn, in headless Chromium (Debian's, driven by playwright-core); the API
 * answers those views need, from the local SQLite store; and the built bundle's size. The store
 * is filled directly (a run's records as the engine writes them), in a temporary folder.
 *
 *   npx tsx bench/ui.ts        # ≈ 30 s
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../test/support/browser.ts';
import { serveDevApi } from '../src/cli/dev-api.ts';
import { buildDagIR } from '../src/sdk/build-ir.ts';
import { dag, task } from '../src/sdk/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import type { DagIR } from '../src/ir/types.ts';

const RUNS = 1000;
const TASKS = 100;
const GRAPH_TASKS = 500;
const REPEAT = 5;
const noop = async () => 1;

/** A layered DAG of `n` tasks, each with one or two upstream tasks in the layer before. */
function layered(id: string, n: number): DagIR {
  const d = dag(id, { schedule: '@daily', startDate: '2020-01-01' }, () => {
    const made = Array.from({ length: n }, (_, i) => task(`t${i}`, noop)());
    const width = 10;
    for (let i = width; i < n; i++) {
      made[i - width]!.then(made[i]!);
      if (i % 3 === 0) made[i - width + 1]!.then(made[i]!);
    }
  });
  return buildDagIR(d, 'bench.ts').ir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function fill(store: SqliteStore, ir: DagIR): Promise<void> {
  const day = 86_400_000;
  for (let r = 0; r < RUNS; r++) {
    const logical = new Date(Date.UTC(2022, 0, 1) + r * day).toISOString();
    const runId = `${ir.id}-${logical.slice(0, 10)}`;
    await store.createRun({
      runId,
      dagId: ir.id,
      key: logical.slice(0, 10),
      logicalDate: logical,
      dataIntervalStart: logical,
      dataIntervalEnd: new Date(Date.parse(logical) + day).toISOString(),
      triggeredBy: 'schedule',
      conf: {},
      status: r % 17 === 0 ? 'failed' : 'success',
      attempt: 1,
      queuedAt: logical,
      startedAt: logical,
      endedAt: logical,
      // As the engine writes it at the run's end.
      taskStates: {
        s: Object.fromEntries(
          ir.tasks.map((t, i) => [t.id, r % 17 === 0 && i === TASKS - 1 ? 'f' : 's']),
        ),
      },
    });
    await store.putTasks(
      ir.tasks.map((t, i) => ({
        runId,
        dagId: ir.id,
        taskId: t.id,
        state: r % 17 === 0 && i === TASKS - 1 ? 'failed' : 'success',
        attempts: 1,
        startedAt: logical,
        endedAt: logical,
      })),
    );
  }
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'updraft-bench-ui-'));
  const store = new SqliteStore({ file: path.join(dir, 'updraft.db') });
  const gridDag = layered('grid_dag', TASKS);
  const graphDag = layered('graph_dag', GRAPH_TASKS);
  await fill(store, gridDag);
  const server = await serveDevApi(
    { store, dags: () => [gridDag, graphDag], now: () => new Date() },
    0,
  );
  const browser = await launchChromium();

  try {
    const api: Record<string, number[]> = { grid: [], dag: [], dags: [] };
    for (let i = 0; i < REPEAT; i++) {
      for (const [name, url] of [
        ['grid', `/api/dags/grid_dag/grid?limit=${RUNS}`],
        ['dag', '/api/dags/graph_dag'],
        ['dags', '/api/dags'],
      ] as const) {
        const t = performance.now();
        const response = await fetch(`${server.url}${url}`);
        await response.json();
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        api[name]!.push(performance.now() - t);
      }
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const render = async (hash: string, selector: string, count: number) => {
      const times: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        await page.goto('about:blank');
        const t = performance.now();
        await page.goto(`${server.url}/${hash}`);
        await page.waitForFunction(
          `document.querySelectorAll(${JSON.stringify(selector)}).length >= ${count}`,
          undefined,
          { timeout: 30_000 },
        );
        times.push(performance.now() - t);
      }
      return median(times);
    };
    const grid = await render(
      `?runs=${RUNS}#/dags/grid_dag`,
      '[data-testid="grid"] .grid-row .grid-cell',
      TASKS * 20,
    );
    const graph = await render('#/dags/graph_dag/graph', '.react-flow__node', 1);
    // The scripts the page loads (index.html names them), not whatever an older build left.
    const assets = path.join(process.cwd(), 'dist/ui/assets');
    const html = readFileSync(path.join(process.cwd(), 'dist/ui/index.html'), 'utf8');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js') && html.includes(f));
    const bytes = js.reduce((n, f) => n + statSync(path.join(assets, f)).size, 0);
    const gz = js.reduce((n, f) => n + gzipSync(readFileSync(path.join(assets, f))).length, 0);
    const ms = (x: number) => `${Math.round(x)} ms`;
    console.log('| figure | median of 5 |');
    console.log('|---|---|');
    console.log(`| API: grid of ${RUNS} runs × ${TASKS} tasks | ${ms(median(api.grid!))} |`);
    console.log(`| API: the ${GRAPH_TASKS}-task DAG with its layout | ${ms(median(api.dag!))} |`);
    console.log(`| API: the DAG list | ${ms(median(api.dags!))} |`);
    console.log(`| UI: the grid, navigation to ${TASKS} task rows drawn | ${ms(grid)} |`);
    console.log(
      `| UI: the graph of ${GRAPH_TASKS} tasks, navigation to its boxes drawn | ${ms(graph)} |`,
    );
    console.log(
      `| bundle: JavaScript | ${(bytes / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped |`,
    );
  } finally {
    await browser.close();
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

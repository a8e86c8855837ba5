/**
 * @module cli/dev-api
 * The HTTP server of `updraft dev` (Hono on Node's HTTP server, bound to 127.0.0.1): the UI's
 * built assets at `/`, and under `/api` the JSON API the UI and scripts use. Reads come from the
 * run store only (as the UI will over a deployment's table) and the run's log files; the actions
 * (trigger, retry, clear, pause, unpause) do what the CLI commands do, with the same checks and
 * messages. docs/local-runs.md lists the endpoints.
 *
 * Cross-site requests: an action takes a JSON body only (a cross-site form cannot send one
 * without a CORS preflight, which this server never answers), and Hono's csrf middleware refuses
 * form posts from another origin.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { getCookie, setCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import { HTTPException } from 'hono/http-exception';
import type { AddressInfo } from 'node:net';
import type { DagIR } from '../ir/types.ts';
import { ConfigError } from '../errors.ts';
import type { LocalEngine } from '../engine/engine.ts';
import { readRunLogs } from '../engine/logs.ts';
import { datasetOverview } from '../runtime/dataset-overview.ts';
import { isObjectRef, type ObjectStore } from '../runtime/objects.ts';
import { queuedIntervalRun } from '../runtime/launch.ts';
import { resolveParams } from '../runtime/params.ts';
import type { Resume } from '../runtime/resume.ts';
import { backfillIntervals, intervalFor } from '../schedule/index.ts';
import {
  STATE_CODES,
  taskStatesOf,
  type RunRecord,
  type Store,
  type TaskRecord,
} from '../store/types.ts';
import { listing } from './commands/list.ts';
import { uiGraph } from './ui-graph.ts';
import { dagCosts } from './ui-cost.ts';
import { costedDag, runCost } from './ui-run-cost.ts';
import type {
  DagDetail,
  DagListing,
  Grid,
  RunDetail,
  RunSummary,
  TaskInputs,
} from './api-types.ts';
import { taskInputs } from './ui-inputs.ts';
import { runEta } from './ui-eta.ts';
import { compileDag } from '../compiler/index.ts';

export interface DevApiDeps {
  readonly store: Store;
  /** The DAGs as the dev loop has them now (a reload changes them). */
  readonly dags: () => readonly DagIR[];
  readonly now: () => Date;
  /** Task log files (`.updraft/logs`). */
  readonly logsDir?: string;
  /** A run's log lines from elsewhere (CloudWatch Logs for a deployment); wins over `logsDir`. */
  readonly logs?: (run: RunRecord, taskId?: string) => Promise<readonly unknown[]>;
  /** Where offloaded outputs are (`.updraft/objects` locally): a task's output read on demand. */
  readonly objects?: Pick<ObjectStore, 'get'>;
  /** Runs retry and clear (trigger only queues a run: the dev loop starts it). */
  readonly engine?: Pick<LocalEngine, 'retry' | 'clear'>;
  /** Starts runs on a deployment instead (`updraft ui --target aws`). */
  readonly cloud?: CloudRuns;
  /** The deployment's region: costs at its prices (compiler/contract PRICES). */
  readonly region?: string;
  /** Without an engine, why trigger, retry and clear are refused (what to run instead). */
  readonly noRuns?: string;
  /**
   * Required of every request when set (serving beyond loopback): `Authorization: Bearer <token>`,
   * or the cookie a first visit with `?token=<token>` sets.
   */
  readonly token?: string;
  /** Reports a run an action started and its end (the dev loop's lines). */
  readonly onAction?: (line: string) => void;
}

/** Runs shown per DAG in `/api/dags` (the DAG list's coloured squares). */
const RECENT_RUNS = 10;
/** The most runs one request lists (the grid's largest choice). */
const MAX_LIMIT = 1000;

/** The built UI (scripts/build.mjs → dist/ui), from the built CLI or from the sources. */
export const UI_DIR = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../dist/ui/' : './ui/', import.meta.url),
);

type Json = Record<string, unknown>;

/**
 * Trigger, retry and clear on a deployment, as `updraft trigger|retry|clear --target aws` do them
 * (cli/commands/ui): each starts an execution and answers; the run goes on in AWS. A refusal is
 * the CLI's error, message and hint.
 */
export interface CloudRuns {
  trigger(
    ir: DagIR,
    conf: Json,
    date: string | undefined,
  ): Promise<{ readonly runId: string; readonly created: boolean; readonly status: string }>;
  resume(
    run: RunRecord,
    resume: Resume,
  ): Promise<{ readonly runId: string; readonly status: string; readonly execution: number }>;
}

export function devApi(deps: DevApiDeps): Hono {
  const app = new Hono();
  const dagOf = (id: string) => deps.dags().find((d) => d.id === id);

  if (deps.token) app.use('*', tokenGate(deps.token));
  app.use('/api/*', csrf());
  app.onError((error, c) => {
    if (error instanceof ConfigError)
      return c.json({ error: error.message, ...(error.hint && { hint: error.hint }) }, 400);
    if (error instanceof HTTPException)
      return c.json(
        {
          error:
            error.status === 403
              ? 'refused: a cross-site request (an action is a JSON POST from this UI)'
              : error.message,
        },
        error.status,
      );
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });

  app.get('/api/health', (c) => c.json({ ok: true }));

  registerDagReads(app, deps, dagOf);
  registerRunReads(app, deps);
  app.get('/api/datasets', async (c) => c.json(await datasetOverview(deps.store, deps.dags())));
  app.get('/api/cost', async (c) => c.json(await dagCosts(deps.store, deps.dags(), deps.now())));

  registerDagActions(app, deps, dagOf);
  registerRunActions(app, deps);

  app.all('/api/*', (c) => notFound(c, `${c.req.method} ${c.req.path}`));
  if (existsSync(UI_DIR)) {
    app.use('/*', serveStatic({ root: UI_DIR }));
    app.get('/*', serveStatic({ path: `${UI_DIR}index.html` })); // the UI's own routes
  }
  return app;
}

type Lookup = (id: string) => DagIR | undefined;

/** Each DAG's drawing, worked out once per loaded version (a reload brings new IR objects). */
const graphs = new WeakMap<DagIR, ReturnType<typeof uiGraph>>();
function graphOf(ir: DagIR): ReturnType<typeof uiGraph> {
  let graph = graphs.get(ir);
  if (!graph) {
    const { structure } = compileDag(ir);
    graph = uiGraph(ir, structure.addedWaits, structure.tree);
    graphs.set(ir, graph);
  }
  return graph;
}

const notFound = (c: Context, what: string) => c.json({ error: `${what} not found` }, 404);

/** `?limit=`, or an error answer. */
function limitOf(c: Context, fallback: number): number | Response {
  const limit = Number(c.req.query('limit') ?? fallback);
  return Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT
    ? limit
    : c.json({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }, 400);
}

/** The DAG list, one DAG with its graph, a DAG's runs, and its grid. */
function registerDagReads(app: Hono, deps: DevApiDeps, dagOf: Lookup): void {
  app.get('/api/dags', async (c) => {
    const now = deps.now();
    const dags = await Promise.all(
      deps.dags().map(async (ir): Promise<DagListing> => {
        const [paused, runs] = await Promise.all([
          deps.store.pausedAt(ir.id),
          deps.store.listRuns({ dagId: ir.id, limit: RECENT_RUNS }),
        ]);
        return {
          ...listing(ir, now),
          ...(ir.description && { description: ir.description }),
          ...(ir.owner && { owner: ir.owner }),
          paused: paused !== undefined,
          ...(ir.schedule.kind === 'datasets' && { waitsFor: ir.schedule.datasets }),
          recentRuns: runs.map(runSummary),
        };
      }),
    );
    return c.json(dags);
  });

  app.get('/api/dags/:dagId', async (c) => {
    const ir = dagOf(c.req.param('dagId'));
    if (!ir) return notFound(c, `DAG "${c.req.param('dagId')}"`);
    const detail: DagDetail = {
      ...listing(ir, deps.now()),
      ...(ir.description && { description: ir.description }),
      ...(ir.owner && { owner: ir.owner }),
      paused: (await deps.store.pausedAt(ir.id)) !== undefined,
      params: ir.params,
      groups: ir.groups.map((g) => g.id),
      graph: graphOf(ir),
    };
    return c.json(detail);
  });

  app.get('/api/dags/:dagId/runs', async (c) => {
    const dagId = c.req.param('dagId');
    if (!dagOf(dagId)) return notFound(c, `DAG "${dagId}"`);
    const limit = limitOf(c, 50);
    if (limit instanceof Response) return limit;
    return c.json(await deps.store.listRuns({ dagId, limit }));
  });

  // The grid: runs (newest first) × tasks, a cell per task record.
  app.get('/api/dags/:dagId/grid', async (c) => {
    const ir = dagOf(c.req.param('dagId'));
    if (!ir) return notFound(c, `DAG "${c.req.param('dagId')}"`);
    const limit = limitOf(c, 25);
    if (limit instanceof Response) return limit;
    const runs = await deps.store.listRuns({ dagId: ir.id, limit });
    // An ended run carries its tasks' states (RunRecord.taskStates): one read for the whole grid;
    // a run still going is read task by task. Each run's states travel as one character per task.
    const tasks = ir.tasks.map((t) => t.id);
    const rows = await Promise.all(
      runs.map(async (run) => {
        const states = run.taskStates ??
          taskStatesOf(await deps.store.listTasks(run.runId)) ?? { s: {} };
        return {
          ...runSummary(run),
          states: tasks.map((id) => states.s[id] ?? STATE_CODES.none).join(''),
          ...(states.n && { tries: states.n }),
          ...(states.m && { mapped: states.m }),
        };
      }),
    );
    const grid: Grid = { tasks, codes: STATE_CODES, runs: rows };
    return c.json(grid);
  });
}

/** A run with its records, and its log lines. */
function registerRunReads(app: Hono, deps: DevApiDeps): void {
  app.get('/api/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = await deps.store.getRun(runId);
    if (!run) return notFound(c, `run "${runId}"`);
    const [tasks, tries, lineage, notifications] = await Promise.all([
      deps.store.listTasks(runId),
      deps.store.listTries(runId),
      deps.store.listLineage(runId),
      deps.store.listNotifications(runId),
    ]);
    const ir = deps.dags().find((d) => d.id === run.dagId);
    const cost = ir && runCost(costedDag(ir), run, tasks, tries, deps.region);
    const eta = ir && run.status === 'running' && (await etaOf(deps, ir, run, tasks));
    const detail: RunDetail = {
      run,
      tasks,
      tries,
      lineage,
      notifications,
      ...(cost && { cost }),
      ...(eta && { eta }),
    };
    return c.json(detail);
  });

  // A task's output, an offloaded one read from where it was put (outputs are stored masked).
  app.get('/api/runs/:runId/tasks/:taskId/output', async (c) => {
    const { runId, taskId } = c.req.param();
    const task = (await deps.store.listTasks(runId)).find((t) => t.taskId === taskId);
    if (!task) return notFound(c, `task "${taskId}" of run "${runId}"`);
    if (!isObjectRef(task.output)) return c.json({ output: task.output ?? null });
    if (!deps.objects)
      throw new ConfigError(
        `the output of ${taskId} is offloaded (${task.output.$ref}); this server cannot read it`,
      );
    return c.json({ output: JSON.parse(await deps.objects.get(task.output.$ref)) as unknown });
  });

  // What a task was given: its arguments, upstream outputs read from their records (masked).
  app.get('/api/runs/:runId/tasks/:taskId/inputs', async (c) => {
    const { runId, taskId } = c.req.param();
    const run = await deps.store.getRun(runId);
    if (!run) return notFound(c, `run "${runId}"`);
    const ir = deps.dags().find((d) => d.id === run.dagId);
    const inputs = ir && taskInputs(ir, taskId, await deps.store.listTasks(runId));
    if (!inputs) return notFound(c, `task "${taskId}" of DAG "${run.dagId}"`);
    const answer: TaskInputs = { inputs };
    return c.json(answer);
  });

  app.get('/api/runs/:runId/logs', async (c) => {
    const runId = c.req.param('runId');
    const run = await deps.store.getRun(runId);
    if (!run) return notFound(c, `run "${runId}"`);
    const task = c.req.query('task');
    if (deps.logs) return c.json(await deps.logs(run, task));
    return c.json(deps.logsDir ? readRunLogs(deps.logsDir, runId, task) : []);
  });
}

/** Successful runs an ETA learns its task durations from. */
const ETA_HISTORY = 10;

async function etaOf(deps: DevApiDeps, ir: DagIR, run: RunRecord, tasks: readonly TaskRecord[]) {
  const recent = await deps.store.listRuns({ dagId: ir.id, limit: 5 * ETA_HISTORY });
  const good = recent.filter((r) => r.status === 'success').slice(0, ETA_HISTORY);
  const history = await Promise.all(good.map((r) => deps.store.listTasks(r.runId)));
  return runEta(ir, run, tasks, history, deps.now());
}

function runSummary(r: RunRecord): RunSummary {
  return {
    runId: r.runId,
    status: r.status,
    logicalDate: r.logicalDate,
    triggeredBy: r.triggeredBy,
    ...(r.startedAt && { startedAt: r.startedAt }),
    ...(r.endedAt && { endedAt: r.endedAt }),
  };
}

/** An action's body: a JSON object (what a cross-site form cannot send). */
async function body(c: Context): Promise<Json> {
  if (!(c.req.header('content-type') ?? '').startsWith('application/json'))
    throw new ConfigError('send the action as JSON (Content-Type: application/json)');
  const parsed = (await c.req.json().catch(() => undefined)) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError('the body must be a JSON object');
  return parsed as Json;
}

/** Pause, unpause and trigger: the CLI commands' work and checks. */
function registerDagActions(app: Hono, deps: DevApiDeps, dagOf: Lookup): void {
  for (const [action, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    app.post(`/api/dags/:dagId/${action}`, async (c) => {
      const dagId = c.req.param('dagId');
      if (!dagOf(dagId)) return c.json({ error: `DAG "${dagId}" not found` }, 404);
      await body(c);
      await deps.store.setPaused(dagId, paused ? deps.now().toISOString() : undefined);
      return c.json({ dagId, paused });
    });
  }

  // Queued with its conf, as `updraft trigger` does: the dev loop starts it (maxActiveRuns holds).
  app.post('/api/dags/:dagId/trigger', async (c) => {
    const ir = dagOf(c.req.param('dagId'));
    if (!ir) return c.json({ error: `DAG "${c.req.param('dagId')}" not found` }, 404);
    const { conf = {}, date } = await body(c);
    if (!deps.engine && !deps.cloud)
      throw new ConfigError(deps.noRuns ?? 'this server starts no runs');
    if (typeof conf !== 'object' || conf === null || Array.isArray(conf))
      throw new ConfigError("conf must be a JSON object of the DAG's params");
    if (date !== undefined && typeof date !== 'string')
      throw new ConfigError('date must be a logical date such as 2026-11-20');
    resolveParams(ir, conf as Json); // the CLI's checks and messages
    if (deps.cloud) {
      const started = await deps.cloud.trigger(ir, conf as Json, date);
      return c.json(started, started.created ? 202 : 200);
    }
    const now = deps.now();
    const run = await queue(
      deps.store,
      ir,
      intervalFor(ir, date, now),
      'manual',
      conf as Json,
      now,
    );
    return c.json(
      { runId: run.run.runId, created: run.created, status: run.run.status },
      run.created ? 202 : 200,
    );
  });

  // A backfill, as `updraft backfill` plans it: a queued run per interval of [from, to] that has
  // none yet; the dev loop starts them oldest first, its maxActiveRuns at a time.
  app.post('/api/dags/:dagId/backfill', async (c) => {
    const ir = dagOf(c.req.param('dagId'));
    if (!ir) return c.json({ error: `DAG "${c.req.param('dagId')}" not found` }, 404);
    const { from, to } = await body(c);
    if (!deps.engine) throw new ConfigError(deps.noRuns ?? 'this server starts no runs');
    if (typeof from !== 'string' || typeof to !== 'string')
      throw new ConfigError('from and to must be logical dates such as 2026-11-01');
    const now = deps.now();
    const runs = [];
    for (const interval of backfillIntervals(ir, from, to))
      runs.push(await queue(deps.store, ir, interval, 'backfill', {}, now));
    return c.json(
      {
        dagId: ir.id,
        intervals: runs.map(({ run, created }) => ({
          runId: run.runId,
          status: run.status,
          action: created ? 'queued' : 'existing',
        })),
      },
      202,
    );
  });
}

/** A queued run of the interval (the existing one when the interval has a run: ids are deterministic). */
function queue(
  store: Store,
  ir: DagIR,
  interval: Parameters<typeof queuedIntervalRun>[1],
  triggeredBy: 'manual' | 'backfill',
  conf: Json,
  now: Date,
) {
  return store.createRun(queuedIntervalRun(ir, interval, triggeredBy, conf, now));
}

/** Retry and clear: answered at once (202) while the run goes on; the engine's refusals at once (400). */
function registerRunActions(app: Hono, deps: DevApiDeps): void {
  const background = (runId: string, work: Promise<{ run: RunRecord }>) => {
    work.then(
      ({ run }) =>
        deps.onAction?.(`${run.status === 'success' ? '✔' : '✖'} ${run.status} ${run.runId}`),
      (error: Error) => deps.onAction?.(`✖ ${runId}: ${error.message}`),
    );
  };

  app.post('/api/runs/:runId/retry', async (c) => {
    const runId = c.req.param('runId');
    await body(c);
    if (!deps.engine && !deps.cloud)
      throw new ConfigError(deps.noRuns ?? 'this server starts no runs');
    const run = await deps.store.getRun(runId);
    if (!run) return c.json({ error: `run "${runId}" not found` }, 404);
    if (deps.cloud) return c.json(await deps.cloud.resume(run, { kind: 'retry' }), 202);
    const work = deps.engine!.retry(runId);
    // The engine's own checks (a run that is not failed …) answer at once, as the CLI's would.
    const first = await Promise.race([work.then(() => undefined), settleSoon()]).catch(
      (e: Error) => e,
    );
    if (first instanceof Error) throw first;
    background(runId, work);
    return c.json({ runId, status: 'queued' }, 202);
  });

  app.post('/api/runs/:runId/clear', async (c) => {
    const runId = c.req.param('runId');
    const { tasks, downstream } = await body(c);
    if (!Array.isArray(tasks) || tasks.length === 0 || tasks.some((t) => typeof t !== 'string'))
      throw new ConfigError('tasks must be a list of task ids, e.g. ["load"]');
    if (!deps.engine && !deps.cloud)
      throw new ConfigError(deps.noRuns ?? 'this server starts no runs');
    const run = await deps.store.getRun(runId);
    if (!run) return c.json({ error: `run "${runId}" not found` }, 404);
    if (deps.cloud) {
      const resume = { kind: 'clear', tasks: tasks as string[], downstream: downstream === true };
      return c.json(await deps.cloud.resume(run, resume as Resume), 202);
    }
    const work = deps.engine!.clear(runId, tasks as string[], {
      downstream: downstream === true,
    });
    const first = await Promise.race([work.then(() => undefined), settleSoon()]).catch(
      (e: Error) => e,
    );
    if (first instanceof Error) throw first;
    background(runId, work);
    return c.json({ runId, status: 'queued' }, 202);
  });
}

/** Long enough for the engine's synchronous checks to refuse; a run itself takes longer. */
function settleSoon(): Promise<'pending'> {
  return new Promise((resolve) => setTimeout(() => resolve('pending'), 50));
}

const TOKEN_COOKIE = 'updraft_token';

/** Every request carries the token (header or cookie); `?token=` sets the cookie and drops itself from the address. */
function tokenGate(token: string): MiddlewareHandler {
  const same = (given: string | undefined) =>
    given !== undefined &&
    given.length === token.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(token));
  return async (c, next) => {
    const query = c.req.query('token');
    if (same(query)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect(c.req.path);
    }
    const bearer = c.req.header('authorization')?.replace(/^Bearer /, '');
    if (same(bearer) || same(getCookie(c, TOKEN_COOKIE))) return next();
    return c.json(
      { error: 'a token is required: open the address with ?token=<UPDRAFT_UI_TOKEN>' },
      401,
    );
  };
}

/** Loopback addresses, where no token is needed. */
export const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serves the API and UI (`port` 0: any free port) on loopback, or on `host` with `deps.token`
 * required; resolves with its URL once listening.
 */
export async function serveDevApi(
  deps: DevApiDeps,
  port: number,
  host = '127.0.0.1',
): Promise<{ readonly url: string; close(): Promise<void> }> {
  if (!LOOPBACK.has(host) && !deps.token)
    throw new ConfigError(
      `serving on ${host} needs a token: set UPDRAFT_UI_TOKEN (16 characters or more)`,
    );
  const app = devApi(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) =>
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      }),
    );
    server.once('error', reject);
  });
}

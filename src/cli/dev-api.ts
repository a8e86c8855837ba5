/**
 * @module cli/dev-api
 * The HTTP JSON API `updraft dev` serves on loopback (Hono on Node's HTTP server), for scripts and
 * the UI: DAGs with their schedule, pause and recent runs; a DAG's runs; a run with its tasks,
 * tries, lineage and notifications; datasets. It reads the run store only (as the UI will over a
 * deployment's table), and changes nothing but a DAG's pause. docs/local-runs.md lists it.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { DagIR } from '../ir/types.ts';
import { datasetOverview } from '../runtime/dataset-overview.ts';
import type { Store } from '../store/types.ts';
import { listing } from './commands/list.ts';

export interface DevApiDeps {
  readonly store: Store;
  /** The DAGs as the dev loop has them now (a reload changes them). */
  readonly dags: () => readonly DagIR[];
  readonly now: () => Date;
}

/** Runs shown per DAG in `/api/dags` (the DAG list's coloured squares). */
const RECENT_RUNS = 10;
const MAX_LIMIT = 500;

export function devApi(deps: DevApiDeps): Hono {
  const app = new Hono();
  const dagOf = (id: string) => deps.dags().find((d) => d.id === id);
  const notFound = (what: string) => ({ error: `${what} not found` });

  app.get('/api/health', (c) => c.json({ ok: true }));

  app.get('/api/dags', async (c) => {
    const now = deps.now();
    const dags = await Promise.all(
      deps.dags().map(async (ir) => {
        const [paused, runs] = await Promise.all([
          deps.store.pausedAt(ir.id),
          deps.store.listRuns({ dagId: ir.id, limit: RECENT_RUNS }),
        ]);
        return {
          ...listing(ir, now),
          ...(ir.description && { description: ir.description }),
          ...(ir.owner && { owner: ir.owner }),
          paused: paused !== undefined,
          recentRuns: runs.map((r) => ({
            runId: r.runId,
            status: r.status,
            logicalDate: r.logicalDate,
            triggeredBy: r.triggeredBy,
          })),
        };
      }),
    );
    return c.json(dags);
  });

  app.get('/api/dags/:dagId/runs', async (c) => {
    const dagId = c.req.param('dagId');
    if (!dagOf(dagId)) return c.json(notFound(`DAG "${dagId}"`), 404);
    const limit = Number(c.req.query('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return c.json({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }, 400);
    return c.json(await deps.store.listRuns({ dagId, limit }));
  });

  app.get('/api/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = await deps.store.getRun(runId);
    if (!run) return c.json(notFound(`run "${runId}"`), 404);
    const [tasks, tries, lineage, notifications] = await Promise.all([
      deps.store.listTasks(runId),
      deps.store.listTries(runId),
      deps.store.listLineage(runId),
      deps.store.listNotifications(runId),
    ]);
    return c.json({ run, tasks, tries, lineage, notifications });
  });

  app.get('/api/datasets', async (c) => c.json(await datasetOverview(deps.store, deps.dags())));

  for (const [action, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    app.post(`/api/dags/:dagId/${action}`, async (c) => {
      const dagId = c.req.param('dagId');
      if (!dagOf(dagId)) return c.json(notFound(`DAG "${dagId}"`), 404);
      await deps.store.setPaused(dagId, paused ? deps.now().toISOString() : undefined);
      return c.json({ dagId, paused });
    });
  }

  app.notFound((c) => c.json(notFound(`${c.req.method} ${c.req.path}`), 404));
  return app;
}

/** Serves the API on 127.0.0.1 (`port` 0: any free port); resolves with its URL once listening. */
export async function serveDevApi(
  deps: DevApiDeps,
  port: number,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const app = devApi(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
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

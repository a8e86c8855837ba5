/**
 * The example project under the local scheduler, on a clock the test moves — issue 13's "done
 * when": daily_orders, Berlin's 02:00 DAG, fires at 03:00 on the spring-forward day; without its
 * warehouse connection it fails and Slack (a real HTTP server here) is told, once; resumed with
 * the connection set it succeeds, and its clean orders start orders_mart (with the rows the
 * producer attached); a backfill of its pooled tasks ends with every run done and the pool empty.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevLoop, type DevEvent } from '../../src/engine/dev-loop.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { loadProject } from '../../src/loader/load-project.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/http-receiver.ts';

let http: HttpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(() => http.close());

describe('the examples under updraft dev', () => {
  it('DST tick, a Slack-notified failure, a resumed producer starting its consumer, a pooled backfill', async () => {
    const root = path.resolve(import.meta.dirname, '../fixtures/examples');
    const project = await loadProject('dags', { root });
    expect(project.problems.filter((p) => p.severity === 'error')).toEqual([]);
    let now = Date.parse('2026-03-28T12:00:00Z');
    const env: Record<string, string> = {
      UPDRAFT_CONN_SLACK_ALERTS: `${http.base}/slack/T0/B0/secret`,
    };
    const store = new SqliteStore({ file: ':memory:' });
    const engine = new LocalEngine({
      store,
      objects: new MemoryObjectStore(),
      dags: project.dags.map((d) => ({ dag: d.dag, ir: d.ir })),
      env,
      projectDir: '/nonexistent',
      wall: () => now,
      workers: false,
      notify: { retry: { retries: 1, minTimeoutMs: 5 } },
    });
    const events: string[] = [];
    const loop = new DevLoop(engine, {
      now: () => now,
      onEvent: (e: DevEvent) =>
        e.kind === 'ended'
          ? events.push(`ended ${e.outcome.run.runId} ${e.outcome.run.status}`)
          : e.kind === 'error'
            ? events.push(`error ${e.runId}`)
            : e.run.dagId === 'daily_orders' || e.run.dagId === 'orders_mart'
              ? events.push(`${e.kind} ${e.run.runId}`)
              : undefined,
    });
    const at = async (iso: string) => {
      now = Date.parse(iso);
      await loop.step();
      await loop.settled();
    };

    // 2026-03-29 is Berlin's spring-forward day: 02:00 does not exist, the tick comes at 03:00.
    await at('2026-03-29T00:59:00Z');
    expect(events.filter((e) => e.includes('daily_orders'))).toEqual([]);
    await at('2026-03-29T01:00:30Z');
    const runId = 'daily_orders-2026-03-28T01-00-00Z';
    expect(events.filter((e) => e.includes('daily_orders'))).toEqual([
      `queued ${runId}`,
      `started ${runId}`,
      `ended ${runId} failed`, // no warehouse connection here
    ]);
    expect(http.received.map((r) => r.body.text)).toEqual([
      `🔴 DAG daily_orders run ${runId} failed`,
    ]);
    expect(
      (await store.listNotifications(runId)).map((n) => [n.event, n.channel, n.state]),
    ).toEqual([['failure', 'slack:slack_alerts', 'sent']]);

    env.UPDRAFT_CONN_WAREHOUSE = 'postgres://etl:pw@warehouse.example.com:5432/dw';
    const resumed = await engine.retry(runId);
    expect(resumed.run.status).toBe('success');
    expect(resumed.datasetRuns?.map((r) => r.dagId)).toEqual(['orders_mart']);
    await at('2026-03-29T01:05:00Z');
    const mart = (await store.listRuns({ dagId: 'orders_mart' }))[0]!;
    expect(mart).toMatchObject({ status: 'success', triggeredBy: 'dataset' });
    expect(mart.triggeringEvents?.map((e) => [e.dagId, e.taskId, e.extra])).toEqual([
      ['daily_orders', 'load', { rows: 1187 }],
    ]);
    expect((await store.listTasks(mart.runId))[0]?.output).toEqual({ rows: 1187 });
    expect(http.received).toHaveLength(1); // the retry succeeded: no second message

    const backfill = await engine.backfill('daily_orders', '2026-03-01', '2026-03-08', {
      maxConcurrency: 8,
    });
    expect(backfill.map((b) => b.status)).toEqual(Array(7).fill('success'));
    expect(await store.poolHolders('warehouse')).toEqual([]);
    await store.close();
  });
});

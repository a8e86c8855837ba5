/**
 * Notifications on the engine, received by a real HTTP server on localhost: Slack's and the
 * webhook's shapes, retry/failure/success/sensor_timeout/deadline_missed, masking, a failing
 * endpoint retried with backoff (never failing the run), a refused one not retried, no double send,
 * and the outbox when the connection is not set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../src/engine/engine.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, notify, PermanentError, task, type Dag } from '../../src/sdk/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { sendNotifications } from '../../src/runtime/notify-send.ts';
import { notifySpecOf, runEndDue } from '../../src/runtime/notify-due.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/http-receiver.ts';

let http: HttpReceiver;
let base: string;
let received: HttpReceiver['received'];
beforeAll(async () => {
  http = await startHttpReceiver();
  base = http.base;
  received = http.received;
});
afterAll(() => http.close());
beforeEach(() => http.reset());

const SLACK_TOKEN = 'T0SECRET/B0SECRET/xoxTokenValue42';
const DB_PASSWORD = 'pw-n0t-for-alerts';

const failing = dag(
  'nightly_sales',
  {
    schedule: '@daily',
    startDate: '2026-11-01',
    notify: [
      notify.slack('alerts', { on: ['failure'] }),
      notify.webhook('hook', { on: ['failure', 'retry', 'success'] }),
    ],
  },
  () => {
    task('load', { retry: { attempts: 2, delay: '1s' }, connections: ['db'] }, async (ctx) => {
      const db = await ctx.connection('db');
      throw new Error(`cannot log in with ${db.password}`);
    })();
  },
);

const fine = dag(
  'hourly_ok',
  {
    schedule: '@hourly',
    startDate: '2026-11-01',
    deadline: '30m',
    notify: [notify.webhook('hook', { on: ['success', 'deadline_missed'] }), notify.sns()],
  },
  () => {
    task('work', { notify: [notify.webhook('hook', { on: ['success'] })] }, async () => 1)();
  },
);

const refused = dag('refused', { notify: [notify.webhook('gone', { on: ['failure'] })] }, () => {
  task('boom', async () => {
    throw new PermanentError('no');
  })();
});

function engine(store: SqliteStore, env: Record<string, string>, wall: number) {
  const dags = [failing, fine, refused].map((d: Dag) => ({
    dag: d,
    ir: buildDagIR(d, 'dags/n.ts').ir,
  }));
  return new LocalEngine({
    store,
    objects: new MemoryObjectStore(),
    dags,
    env,
    projectDir: '/nonexistent-project',
    wall: () => wall,
    workers: false,
    notify: { retry: { retries: 3, minTimeoutMs: 5 } },
  });
}

const WALL = Date.parse('2026-11-21T06:00:00Z');

describe('notifications on the engine', () => {
  it('sends retry and failure to a webhook and Slack, masked, each recorded on the run', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const env = {
      UPDRAFT_CONN_ALERTS: `${base}/slack/${SLACK_TOKEN}`,
      UPDRAFT_CONN_HOOK: `${base}/hook`,
      UPDRAFT_CONN_DB: `postgres://etl:${DB_PASSWORD}@db.internal:5432/sales`,
    };
    const outcome = await engine(store, env, WALL).trigger('nightly_sales', { date: '2026-11-20' });
    expect(outcome.run.status).toBe('failed');
    const runId = 'nightly_sales-2026-11-20T00-00-00Z';
    expect(
      received.map((r) => [r.path.replace(SLACK_TOKEN, '<token>'), r.body.event ?? 'slack']),
    ).toEqual([
      ['/hook', 'retry'],
      ['/slack/<token>', 'slack'],
      ['/hook', 'failure'],
    ]);
    const [retry, slack, failure] = received;
    expect(retry!.body).toMatchObject({
      version: 1,
      event: 'retry',
      environment: 'local',
      title: `DAG nightly_sales task load (try 1) of run ${runId} failed and will be retried`,
      dagId: 'nightly_sales',
      runId,
      taskId: 'load',
      try: 1,
      attempt: 1,
      triggeredBy: 'manual',
      error: { error: 'Updraft.TaskFailed', cause: 'cannot log in with ***' },
    });
    expect(failure!.body).toMatchObject({
      event: 'failure',
      title: `DAG nightly_sales run ${runId} failed`,
      status: 'failed',
      logicalDate: '2026-11-20T00:00:00.000Z',
      dataIntervalEnd: '2026-11-21T00:00:00.000Z',
    });
    expect(slack!.body.text).toBe(`🔴 DAG nightly_sales run ${runId} failed`);
    expect(slack!.body.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `🔴 *DAG nightly_sales run ${runId} failed*` },
    });
    const everything = JSON.stringify([received, await store.listNotifications(runId)]);
    expect(everything).not.toContain(DB_PASSWORD);
    expect(everything.replace(`/slack/${SLACK_TOKEN}`, '')).not.toContain(SLACK_TOKEN);

    const records = await store.listNotifications(runId);
    // Claimed at one instant (the engine's wall clock is fixed here): listed by key.
    expect(records.map((r) => [r.event, r.channel, r.state, r.attempts, r.taskId])).toEqual([
      ['failure', 'slack:alerts', 'sent', 1, undefined],
      ['failure', 'webhook:hook', 'sent', 1, undefined],
      ['retry', 'webhook:hook', 'sent', 1, 'load'],
    ]);
    // The outcome lists them in the order they were made.
    expect(outcome.notifications?.map((n) => n.key)).toEqual([
      'retry#1#load#-1#1#webhook:hook',
      'failure#1#-#-1#0#slack:alerts',
      'failure#1#-#-1#0#webhook:hook',
    ]);
    await store.close();
  });

  it('retries a failing endpoint with backoff; a refusing one fails once; neither fails the run', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    http.answer('/flaky', [500, 503]);
    http.answer('/gone', [404]);
    const env = { UPDRAFT_CONN_HOOK: `${base}/flaky`, UPDRAFT_CONN_GONE: `${base}/gone` };
    const e = engine(store, env, WALL);
    const ok = await e.trigger('hourly_ok', {
      date: '2026-11-21T04:00:00Z',
      triggeredBy: 'schedule',
    });
    expect(ok.run.status).toBe('success');
    // The interval 04:00–05:00 had until 05:30; the run ended at 06:00.
    expect(
      received.filter((r) => r.path === '/flaky').map((r) => [r.body.event, r.body.taskId]),
    ).toEqual([
      ['success', undefined],
      ['success', undefined],
      ['success', undefined],
      ['success', 'work'],
      ['deadline_missed', undefined],
    ]);
    expect(received.at(-1)!.body.deadline).toBe('2026-11-21T05:30:00.000Z');
    const okRecords = await store.listNotifications(ok.run.runId);
    expect(okRecords.map((r) => [r.event, r.taskId, r.state, r.attempts])).toEqual([
      ['deadline_missed', undefined, 'sent', 1],
      ['success', undefined, 'sent', 3],
      ['success', 'work', 'sent', 1],
    ]);
    // Started by hand, an interval that ended long ago has no deadline (Airflow's SLAs: scheduled runs only).
    const manual = await e.trigger('hourly_ok', { date: '2026-11-20T04:00:00Z' });
    expect((await store.listNotifications(manual.run.runId)).map((n) => n.event).sort()).toEqual([
      'success',
      'success',
    ]);
    const bad = await e.trigger('refused', { date: '2026-11-20' });
    expect(bad.run.status).toBe('failed');
    expect(await store.listNotifications(bad.run.runId)).toMatchObject([
      {
        event: 'failure',
        channel: 'webhook:gone',
        state: 'failed',
        attempts: 1,
        error: 'the webhook:gone endpoint answered HTTP 404',
      },
    ]);
    await store.close();
  });

  it('a run that ends before its deadline sends no deadline_missed; SNS and unset connections go to the outbox', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    // The interval 05:00–06:00 ends at 06:00; the run ends at 06:10, before 06:30.
    const e = engine(store, {}, Date.parse('2026-11-21T06:10:00Z'));
    const { run } = await e.trigger('hourly_ok', {
      date: '2026-11-21T05:00:00Z',
      triggeredBy: 'schedule',
    });
    expect(run.status).toBe('success');
    expect(received).toEqual([]);
    const records = await store.listNotifications(run.runId);
    expect(records.map((r) => [r.event, r.taskId, r.channel, r.state])).toEqual([
      ['success', undefined, 'webhook:hook', 'outbox'],
      ['success', 'work', 'webhook:hook', 'outbox'],
    ]);
    expect(records[0]!.error).toBe(
      'went to the outbox: connection "hook" is not set (set UPDRAFT_CONN_HOOK to the webhook URL to send it)',
    );
    const outbox = await store.listOutbox(run.runId);
    expect(
      outbox
        .map((m) => [m.service, m.target, m.taskId, (m.message as { event: string }).event])
        .sort(),
    ).toEqual([
      ['webhook', 'hook', '', 'success'],
      ['webhook', 'hook', 'work', 'success'],
    ]);
    await store.close();
  });

  it('a redelivered run end sends each notification once, even from two senders at once; SNS goes to the outbox locally', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const { run: created } = await store.createRun({
      runId: 'refused-2026-11-20T00-00-00Z',
      dagId: 'refused',
      key: '2026-11-20T00-00-00Z',
      status: 'failed',
      attempt: 1,
      logicalDate: '2026-11-20T00:00:00.000Z',
      dataIntervalStart: '2026-11-20T00:00:00.000Z',
      dataIntervalEnd: '2026-11-21T00:00:00.000Z',
      triggeredBy: 'schedule',
      conf: {},
      queuedAt: '2026-11-21T00:00:00.000Z',
      endedAt: '2026-11-21T00:01:00.000Z',
    });
    const ir = buildDagIR(fine, 'dags/n.ts').ir;
    const due = runEndDue(
      notifySpecOf({
        ...ir,
        notifications: [...ir.notifications, ...buildDagIR(refused, 'dags/n.ts').ir.notifications],
      }),
      created,
      [],
    );
    expect(due.map((d) => d.key)).toEqual([
      'failure#1#-#-1#0#sns:alerts',
      'failure#1#-#-1#0#webhook:gone',
    ]);
    const deps = {
      store,
      environment: 'local',
      connection: async (id: string) => ({ id, uri: `${base}/${id}`, extra: {} }),
      now: () => WALL,
      log: { info: () => undefined, warn: () => undefined },
    };
    const [a, b] = await Promise.all([sendNotifications(due, deps), sendNotifications(due, deps)]);
    expect([...a!, ...b!].map((r) => [r.key, r.state]).sort()).toEqual([
      ['failure#1#-#-1#0#sns:alerts', 'outbox'],
      ['failure#1#-#-1#0#webhook:gone', 'sent'],
    ]);
    expect(await sendNotifications(due, deps)).toEqual([]);
    expect(received.map((r) => [r.path, r.body.event])).toEqual([['/gone', 'failure']]);
    await store.close();
  });
});

/**
 * The local scheduler (engine/dev-loop) on a clock the test moves: ticks fire as EventBridge
 * Scheduler's (DST included), the launcher's runs are queued and started, a DAG's maxActiveRuns
 * holds with queued runs starting in logical-date order as slots free, and a producer's run
 * starts its consumer's at the next pass.
 */
import { describe, expect, it } from 'vitest';
import { DevLoop, type DevEvent } from '../../src/engine/dev-loop.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { cron, dag, dataset, notify, onDatasets, task, type Dag } from '../../src/sdk/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const orders = dataset('s3://lake/orders');
let release: () => void = () => undefined;
let gate = Promise.resolve();

const nightly = dag(
  'nightly',
  { schedule: '0 2 * * *', timezone: 'Europe/Berlin', startDate: '2026-03-20' },
  () => {
    task('write', { outlets: [orders] }, async () => 1)();
  },
);
const hourly = dag(
  'hourly',
  { schedule: '@hourly', startDate: '2026-03-01', catchup: true, maxActiveRuns: 2 },
  () => {
    task('slow', async () => {
      await gate;
      return 1;
    })();
  },
);
let releaseLate: () => void = () => undefined;
let lateGate = Promise.resolve();
const withDeadline = dag(
  'with_deadline',
  {
    schedule: '@hourly',
    startDate: '2026-03-01',
    deadline: '30m',
    notify: [notify.webhook('ops', { on: ['deadline_missed'] })],
  },
  () => {
    task('slow', async () => {
      await lateGate;
      return 1;
    })();
  },
);
const martOrMorning = dag(
  'mart_or_morning',
  { schedule: onDatasets([orders], { or: cron('0 6 * * *', { timezone: 'Europe/Berlin' }) }) },
  () => {
    task('build', async (ctx) => ctx.triggeredBy)();
  },
);
const mart = dag('mart', { schedule: [orders] }, () => {
  task('build', async () => 1)();
});

function setup(start: string, dags: Dag[]) {
  let now = Date.parse(start);
  const store = new SqliteStore({ file: ':memory:' });
  const engine = new LocalEngine({
    store,
    objects: new MemoryObjectStore(),
    dags: dags.map((d) => ({ dag: d, ir: buildDagIR(d, 'dags/x.ts').ir })),
    wall: () => now,
    workers: false,
  });
  const events: string[] = [];
  const loop = new DevLoop(engine, {
    now: () => now,
    onEvent: (e: DevEvent) =>
      events.push(
        e.kind === 'ended'
          ? `ended ${e.outcome.run.runId} ${e.outcome.run.status}`
          : e.kind === 'error'
            ? `error ${e.runId} ${e.error.message}`
            : `${e.kind} ${e.run.runId}`,
      ),
  });
  return {
    store,
    events,
    loop,
    /** The clock to `iso`, one pass, and every run it started to its end. */
    at: async (iso: string) => {
      now = Date.parse(iso);
      await loop.step();
      await loop.settled();
    },
    /** The clock to `iso` and one pass, leaving its runs running. */
    passAt: async (iso: string) => {
      now = Date.parse(iso);
      await loop.step();
    },
  };
}

describe('the local scheduler', () => {
  it('fires Berlin’s 02:00 at 03:00 on the spring-forward day; the producer’s run starts the consumer’s', async () => {
    const { events, at, store } = setup('2026-03-28T12:00:00Z', [nightly, mart]);
    await at('2026-03-29T00:30:00Z'); // 01:30 in Berlin: nothing due
    expect(events).toEqual([]);
    await at('2026-03-29T01:00:30Z'); // 03:00 in Berlin: 02:00 did not exist, the run starts now
    expect(events).toEqual([
      'queued nightly-2026-03-28T01-00-00Z',
      'started nightly-2026-03-28T01-00-00Z',
      'ended nightly-2026-03-28T01-00-00Z success',
    ]);
    await at('2026-03-29T01:00:40Z'); // the next pass starts what the producer's updates queued
    expect(events.slice(3)).toEqual([
      'started mart-2026-03-29T01-00-30Z-d1',
      'ended mart-2026-03-29T01-00-30Z-d1 success',
    ]);
    expect((await store.getRun('mart-2026-03-29T01-00-30Z-d1'))?.triggeredBy).toBe('dataset');
    await store.close();
  });

  it('a paused DAG: its ticks and its queued runs start nothing until it is unpaused', async () => {
    const { events, at, store } = setup('2026-03-28T12:00:00Z', [nightly, mart]);
    await store.setPaused('nightly', '2026-03-28T12:00:00.000Z');
    await at('2026-03-29T01:00:30Z');
    expect(events).toEqual([]);
    await store.setPaused('nightly', undefined);
    await at('2026-03-30T00:00:30Z'); // without catchup, the next tick starts only its own interval
    expect(events.slice(0, 1)).toEqual(['queued nightly-2026-03-29T01-00-00Z']);
    // mart paused: the run nightly's update queued waits.
    await store.setPaused('mart', '2026-03-30T00:00:31.000Z');
    await at('2026-03-30T00:00:40Z');
    expect(events.filter((e) => e.includes('mart'))).toEqual([]);
    await store.setPaused('mart', undefined);
    await at('2026-03-30T00:00:50Z');
    expect(events.filter((e) => e.startsWith('started mart'))).toHaveLength(1);
    await store.close();
  });

  it('maxActiveRuns 2: catchup queues three runs, two run, the third starts when a slot frees', async () => {
    gate = new Promise((r) => (release = r));
    const { events, loop, passAt, store } = setup('2026-03-01T02:30:00Z', [hourly]);
    // The 03:00 tick catches up from the start date: the intervals of 00:00, 01:00 and 02:00.
    await passAt('2026-03-01T03:00:00Z');
    expect(events.filter((e) => e.startsWith('queued'))).toEqual([
      'queued hourly-2026-03-01T00-00-00Z',
      'queued hourly-2026-03-01T01-00-00Z',
      'queued hourly-2026-03-01T02-00-00Z',
    ]);
    expect(events.filter((e) => e.startsWith('started'))).toEqual([
      'started hourly-2026-03-01T00-00-00Z',
      'started hourly-2026-03-01T01-00-00Z',
    ]);
    expect(loop.running).toBe(2);
    // A pass while both still run starts nothing.
    await passAt('2026-03-01T03:00:10Z');
    expect(events.filter((e) => e.startsWith('started'))).toHaveLength(2);
    release();
    await loop.settled();
    await passAt('2026-03-01T03:00:20Z');
    await loop.settled();
    expect(events.filter((e) => e.startsWith('started'))).toEqual([
      'started hourly-2026-03-01T00-00-00Z',
      'started hourly-2026-03-01T01-00-00Z',
      'started hourly-2026-03-01T02-00-00Z',
    ]);
    expect((await store.listRuns({ dagId: 'hourly' })).map((r) => r.status)).toEqual([
      'success',
      'success',
      'success',
    ]);
    await store.close();
  });

  it('deadlines on its clock: a run still going 30 minutes after its interval ended notifies deadline_missed once; a run that ends in time sends nothing', async () => {
    lateGate = new Promise((r) => (releaseLate = r));
    const { events, loop, passAt, store } = setup('2026-03-01T02:30:00Z', [withDeadline]);
    await passAt('2026-03-01T03:00:00Z'); // the 02:00–03:00 interval's run starts, and waits
    await passAt('2026-03-01T03:29:59Z');
    expect(events.filter((e) => e.startsWith('deadline'))).toEqual([]);
    await passAt('2026-03-01T03:30:01Z');
    await passAt('2026-03-01T03:31:00Z');
    expect(events.filter((e) => e.startsWith('deadline'))).toEqual([
      'deadline with_deadline-2026-03-01T02-00-00Z',
    ]);
    releaseLate();
    await loop.settled();
    const late = await store.listNotifications('with_deadline-2026-03-01T02-00-00Z');
    // No connection "ops" here: the outbox, with the line saying so.
    expect(late.map((n) => [n.event, n.channel, n.state])).toEqual([
      ['deadline_missed', 'webhook:ops', 'outbox'],
    ]);
    await passAt('2026-03-01T04:00:00Z'); // the next interval's run ends at once: in time
    await loop.settled();
    await passAt('2026-03-01T04:45:00Z');
    expect(await store.listNotifications('with_deadline-2026-03-01T03-00-00Z')).toEqual([]);
    await store.close();
  });

  it('on datasets or a time schedule (AssetOrTimeSchedule): the 06:00 tick starts a scheduled run, the producer a dataset-triggered one', async () => {
    const { events, at, store } = setup('2026-03-28T12:00:00Z', [nightly, martOrMorning]);
    await at('2026-03-29T01:00:30Z'); // 03:00 Berlin: nightly runs and updates orders
    await at('2026-03-29T01:00:40Z');
    await at('2026-03-29T04:00:10Z'); // 06:00 Berlin (summer time): the morning tick
    expect(events.filter((e) => e.includes('mart_or_morning'))).toEqual([
      'started mart_or_morning-2026-03-29T01-00-30Z-d1',
      'ended mart_or_morning-2026-03-29T01-00-30Z-d1 success',
      'queued mart_or_morning-2026-03-28T05-00-00Z',
      'started mart_or_morning-2026-03-28T05-00-00Z',
      'ended mart_or_morning-2026-03-28T05-00-00Z success',
    ]);
    const runs = await store.listRuns({ dagId: 'mart_or_morning' });
    expect(runs.map((r) => [r.triggeredBy, r.dataIntervalStart, r.dataIntervalEnd])).toEqual([
      ['dataset', '2026-03-29T01:00:30.000Z', '2026-03-29T01:00:30.000Z'],
      ['schedule', '2026-03-28T05:00:00.000Z', '2026-03-29T04:00:00.000Z'],
    ]);
    await store.close();
  });
});

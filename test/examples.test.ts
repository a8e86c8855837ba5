/**
 * The example DAGs in dags/ load cleanly and have the shapes they are there to show: a group
 * with data passing, mapping, branch + short-circuit + join, sensors, generated DAGs and a
 * non-fork-join shape with setup/teardown.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadResult } from '../src/loader/load-project.ts';
import type { DagIR } from '../src/ir/types.ts';
import { runDag } from 'updraft/testing';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let project: LoadResult;
const dag = (id: string): DagIR => project.dags.find((d) => d.ir.id === id)!.ir;
const edges = (d: DagIR) => d.edges.map((e) => `${e.from}->${e.to}`).sort();

beforeAll(async () => {
  project = await loadProject('dags', { root: path.join(repo, 'test/fixtures/examples') });
});

describe('example DAGs', () => {
  it('load without problems, one DAG per id', () => {
    expect(project.problems).toEqual([]);
    expect(project.files).toEqual([
      'dags/daily_orders.ts',
      'dags/ingest_sources.ts',
      'dags/orders_mart.ts',
      'dags/process_files.ts',
      'dags/wait_for_export.ts',
      'dags/warehouse_refresh.ts',
      'dags/weekday_report.ts',
    ]);
  });

  it('orders_mart: on the clean orders daily_orders publishes, or at 07:00 in Berlin; a deadline from its start', () => {
    const d = dag('orders_mart');
    expect(d.schedule).toEqual({
      kind: 'datasets',
      condition: { kind: 'all', of: [{ kind: 'dataset', uri: 's3://acme-lake/clean/orders' }] },
      datasets: ['s3://acme-lake/clean/orders'],
      time: { kind: 'cron', expression: '0 7 * * *', timezone: 'Europe/Berlin' },
    });
    expect(dag('daily_orders').tasks.find((t) => t.id === 'load')!.outlets).toEqual([
      's3://acme-lake/clean/orders',
    ]);
    expect(d).toMatchObject({ deadlineSeconds: 1800, deadlineFrom: 'run_start' });
    expect(d.notifications).toEqual([
      { on: ['failure', 'deadline_missed'], channel: { kind: 'webhook', connection: 'ops_hook' } },
    ]);
  });

  it('daily_orders: typed chain through a group, connections, datasets, pool', () => {
    const d = dag('daily_orders');
    expect(edges(d)).toEqual([
      'check->transform.clean',
      'extract->check',
      'transform.clean->transform.dedupe',
      'transform.dedupe->load',
    ]);
    expect(d.edges.every((e) => e.kind === 'data')).toBe(true);
    const extract = d.tasks.find((t) => t.id === 'extract')!;
    expect(extract).toMatchObject({
      connections: ['warehouse'],
      outlets: ['s3://acme-lake/raw/orders'],
      pool: { name: 'warehouse', slots: 4 },
      timeoutSeconds: 600,
    });
    expect(extract.retry).toEqual({
      attempts: 3,
      delaySeconds: 60,
      backoffRate: 2,
      maxDelaySeconds: 1800,
      jitter: 'full',
    });
    expect(d.tasks.find((t) => t.id === 'transform.clean')!.timeoutSeconds).toBe(900);
  });

  it('process_files: maps process over the listed files, 8 at a time, and summarizes the list', () => {
    const d = dag('process_files');
    const process = d.tasks.find((t) => t.id === 'process')!;
    expect(process.mapping).toEqual({
      over: { kind: 'output', task: 'list_files', path: [] },
      argIndex: 0,
      maxConcurrency: 8,
    });
    expect(process.args[1]).toEqual({ kind: 'literal', value: ';' });
    expect(edges(d)).toEqual(['list_files->process', 'process->summarize']);
  });

  it('weekday_report: short-circuit, then a branch between two reports joined by none_failed_min_one_success', () => {
    const d = dag('weekday_report');
    expect(edges(d)).toEqual([
      'full_report->publish',
      'light_report->publish',
      'not_holiday->pick_report',
      'pick_report->full_report',
      'pick_report->light_report',
    ]);
    expect(d.tasks.find((t) => t.id === 'pick_report')!.body).toEqual({
      kind: 'branch',
      choices: ['full_report', 'light_report'],
    });
    expect(d.tasks.find((t) => t.id === 'publish')!.triggerRule).toBe(
      'none_failed_min_one_success',
    );
    expect(d.params.recipients).toEqual({
      type: 'array',
      default: ['bi@acme.example'],
      description: 'Who gets the report',
      required: false,
    });
  });

  it('wait_for_export: an S3 key sensor with a growing interval and soft fail, and a cross-DAG sensor', () => {
    const d = dag('wait_for_export');
    expect(d.tasks.find((t) => t.id === 'export_landed')!.body).toEqual({
      kind: 'sensor',
      sensor: {
        check: {
          kind: 's3_key',
          bucket: { kind: 'literal', value: 'acme-partner-drop' },
          key: {
            kind: 'format',
            template: 'exports/{}/orders.csv',
            args: [{ kind: 'context', name: 'ds' }],
          },
        },
        pokeIntervalSeconds: 300,
        pokeBackoffRate: 2,
        maxPokeIntervalSeconds: 1800,
        timeoutSeconds: 21600,
        softFail: true,
      },
    });
    expect(d.tasks.find((t) => t.id === 'orders_done')!.body).toMatchObject({
      sensor: { check: { kind: 'external_dag', dagId: 'daily_orders', offsetSeconds: 14400 } },
    });
  });

  it('ingest_sources: one DAG per configured source, with its own schedule and connection', () => {
    const generated = project.dags
      .filter((d) => d.file === 'dags/ingest_sources.ts')
      .map((d) => d.ir);
    expect(
      generated.map((d) => [
        d.id,
        (d.schedule as { expression: string }).expression,
        d.tasks[0]!.connections[0],
      ]),
    ).toEqual([
      ['ingest_crm', '0 3 * * *', 'crm_db'],
      ['ingest_billing', '30 3 * * *', 'billing_db'],
      ['ingest_support', '0 */6 * * *', 'support_api'],
    ]);
  });

  it('warehouse_refresh: not series-parallel (build_dims needs customers only, build_facts both), with setup/teardown', () => {
    const d = dag('warehouse_refresh');
    expect(edges(d)).toEqual([
      'build_dims->drop_scratch',
      'build_facts->refresh_stats',
      'create_scratch->drop_scratch',
      'create_scratch->stage_customers',
      'create_scratch->stage_orders',
      'refresh_stats->drop_scratch',
      'stage_customers->build_dims',
      'stage_customers->build_facts',
      'stage_orders->build_facts',
    ]);
    expect(d.tasks.find((t) => t.id === 'drop_scratch')!.role).toEqual({
      kind: 'teardown',
      setups: ['create_scratch'],
      onFailureFailDagrun: false,
    });
    expect(d.tasks.find((t) => t.id === 'refresh_stats')!.body).toMatchObject({
      kind: 'operator',
      operator: { kind: 'athena_query', database: 'analytics' },
    });
    expect(d.tasks.map((t) => t.expectedDurationSeconds ?? null)).toEqual([
      null,
      240,
      540,
      180,
      360,
      null,
      null,
    ]);
  });

  describe('run on the embedded engine', () => {
    const env = {
      UPDRAFT_CONN_WAREHOUSE: 'postgres://etl:pw@warehouse:5432/dw',
      UPDRAFT_CONN_CRM_DB: 'postgres://crm@crm/crm',
      UPDRAFT_CONN_BILLING_DB: 'postgres://b@billing/b',
      UPDRAFT_CONN_SUPPORT_API: 'https://token@support.example.com',
      UPDRAFT_CONN_PARTNER_SFTP: 'sftp://p:pw@sftp.partner',
    };
    // The fixture folder as the project: a user's own updraft.connections.json must not change these runs.
    const run = (id: string, options: Parameters<typeof runDag>[1] = {}) =>
      runDag(project.dags.find((d) => d.ir.id === id)!.dag, {
        date: '2026-11-20',
        env,
        projectDir: path.join(repo, 'test/fixtures/examples'),
        ...options,
      });

    it('daily_orders: every task succeeds, outputs flow through the group, lineage recorded', async () => {
      const r = await run('daily_orders');
      expect(r.status).toBe('success');
      expect(r.states).toEqual({
        extract: 'success',
        check: 'success',
        'transform.clean': 'success',
        'transform.dedupe': 'success',
        load: 'success',
      });
      expect(r.outputs.load).toEqual({ loaded: 1187 });
      expect(r.runId).toBe('daily_orders-2026-11-20T01-00-00Z');
      expect(r.logs.find((l) => l.task === 'extract')).toMatchObject({
        message: 'extracting',
        host: 'warehouse',
        ds: '2026-11-20',
      });
    });

    it('process_files: three mapped instances, summarized', async () => {
      const r = await run('process_files', { date: '2026-11-20T05:00Z' });
      expect(r.states).toEqual({ list_files: 'success', process: 'success', summarize: 'success' });
      expect(r.tasks.process!.mapped).toEqual({ count: 3, failed: 0 });
      expect(r.outputs.summarize).toEqual({ files: 3, records: 750 });
    });

    it('weekday_report: the branch picks the full report on a Friday, skips the light one', async () => {
      const r = await run('weekday_report');
      expect(r.states).toEqual({
        not_holiday: 'success',
        pick_report: 'success',
        full_report: 'success',
        light_report: 'skipped',
        publish: 'success',
      });
    });

    it('warehouse_refresh: the Athena stand-in from the DAG runs; teardown after everything', async () => {
      const r = await run('warehouse_refresh');
      expect(r.status).toBe('success');
      expect(Object.values(r.states).every((s) => s === 'success')).toBe(true);
      const drop = r.tries.find((t) => t.taskId === 'drop_scratch')!;
      const lastOther = Math.max(
        ...r.tries.filter((t) => t.taskId !== 'drop_scratch').map((t) => Date.parse(t.endedAt!)),
      );
      expect(Date.parse(drop.startedAt)).toBeGreaterThanOrEqual(lastOther);
      expect(r.outputs.refresh_stats).toEqual({ queryExecutionId: 'local-33' });
    });

    it('ingest_*: each generated DAG reads its own connection', async () => {
      for (const id of ['ingest_crm', 'ingest_billing', 'ingest_support']) {
        const r = await run(id);
        expect(r.states).toEqual({ extract: 'success', store: 'success' });
      }
      const noConnection = await run('ingest_crm', { env: {} });
      expect(noConnection.states).toEqual({ extract: 'failed', store: 'upstream_failed' });
      expect(noConnection.tasks.extract!.attempts).toBe(1);
    });

    it('wait_for_export: sensors with stand-ins, then the import', async () => {
      const r = await run('wait_for_export', {
        overrides: { export_landed: () => true, orders_done: () => true },
      });
      expect(r.states).toEqual({
        export_landed: 'success',
        orders_done: 'success',
        import_export: 'success',
      });
      // Without the file the soft-fail sensor is skipped after its timeout; so is the import.
      const none = await run('wait_for_export', {
        overrides: { export_landed: () => false, orders_done: () => true },
      });
      expect(none.states).toEqual({
        export_landed: 'skipped',
        orders_done: 'success',
        import_export: 'skipped',
      });
      expect(none.status).toBe('success');
    });
  });
});

/**
 * The CLI end to end, in-process (captured output, a fixed clock) and once as a real process:
 * list (table and --json), graph, help, and the exit codes of user errors.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';
import { handleError } from '../../src/cli/errors.ts';
import { ConfigError, DagDefinitionError, InternalError } from '../../src/errors.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shipped examples (a copy): the user's own dags/ never changes what these tests see. */
const examples = path.join(repo, 'test/fixtures/examples');

async function run(
  argv: string[],
  now = '2026-03-28T12:00:00Z',
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    color: false,
    cwd: examples,
    now: () => new Date(now),
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('updraft list', () => {
  it('--json gives every DAG with its next three runs, DST-correct', async () => {
    const { code, out } = await run(['list', '--json']);
    expect(code).toBe(0);
    const dags = JSON.parse(out) as {
      id: string;
      schedule: string;
      timezone: string;
      tasks: number;
      nextRuns: Record<string, string>[];
    }[];
    expect(dags.map((d) => d.id)).toEqual([
      'daily_orders',
      'ingest_crm',
      'ingest_billing',
      'ingest_support',
      'orders_mart',
      'process_files',
      'wait_for_export',
      'warehouse_refresh',
      'weekday_report',
    ]);
    const daily = dags[0]!;
    expect(daily).toMatchObject({
      schedule: 'At 02:00 every day (Europe/Berlin)',
      timezone: 'Europe/Berlin',
      tasks: 5,
    });
    // Berlin springs forward at 02:00 on 2026-03-29: 02:00 does not exist that night, so that
    // day's run is at 03:00 CEST (01:00Z), and the next interval is 23h long.
    expect(daily.nextRuns).toEqual([
      {
        logicalDate: '2026-03-28T01:00:00.000Z',
        dataIntervalStart: '2026-03-28T01:00:00.000Z',
        dataIntervalEnd: '2026-03-29T01:00:00.000Z',
        runAfter: '2026-03-29T01:00:00.000Z',
      },
      {
        logicalDate: '2026-03-29T01:00:00.000Z',
        dataIntervalStart: '2026-03-29T01:00:00.000Z',
        dataIntervalEnd: '2026-03-30T00:00:00.000Z',
        runAfter: '2026-03-30T00:00:00.000Z',
      },
      {
        logicalDate: '2026-03-30T00:00:00.000Z',
        dataIntervalStart: '2026-03-30T00:00:00.000Z',
        dataIntervalEnd: '2026-03-31T00:00:00.000Z',
        runAfter: '2026-03-31T00:00:00.000Z',
      },
    ]);
    // Before its startDate (2026-09-01) a DAG's first run is the one starting then.
    const weekdays = dags.find((d) => d.id === 'warehouse_refresh')!;
    expect(weekdays.nextRuns[0]!.logicalDate).toBe('2026-09-01T08:00:00.000Z');
    // On Saturday 2026-11-21, Friday's interval runs until Monday 04:00 New York time (Airflow's data interval).
    const later = JSON.parse(
      (await run(['list', '--json'], '2026-11-21T12:00:00Z')).out,
    ) as typeof dags;
    expect(later.find((d) => d.id === 'warehouse_refresh')!.nextRuns[0]).toEqual({
      logicalDate: '2026-11-20T09:00:00.000Z',
      dataIntervalStart: '2026-11-20T09:00:00.000Z',
      dataIntervalEnd: '2026-11-23T09:00:00.000Z',
      runAfter: '2026-11-23T09:00:00.000Z',
    });
  });

  it('prints a table with schedules in words and local run times', async () => {
    const { code, out } = await run(['list']);
    expect(code).toBe(0);
    expect(out).toContain('│ daily_orders      │ At 02:00 every day (Europe/Berlin)');
    expect(out).toContain('2026-03-28 02:00 → 2026-03-29 03:00'); // no 02:00 that night: the run moves to 03:00
    expect(out).toContain('2026-03-29 03:00 → 2026-03-30 02:00');
  });
});

describe('updraft graph', () => {
  it('draws groups in mermaid and dot', async () => {
    const mermaid = await run(['graph', 'daily_orders', '--format', 'mermaid']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.out).toMatch(/^flowchart /);
    expect(mermaid.out).toContain('subgraph');
    const dot = await run(['graph', 'daily_orders', '--format', 'dot']);
    expect(dot.out).toMatch(/^digraph /);
    expect(dot.out).toContain('subgraph "cluster_transform"');
  });

  it('draws text with every task', async () => {
    const { code, out } = await run(['graph', 'warehouse_refresh']);
    expect(code).toBe(0);
    for (const id of [
      'create_scratch',
      'stage_customers',
      'stage_orders',
      'build_dims',
      'build_facts',
      'refresh_stats',
      'drop_scratch',
    ])
      expect(out).toContain(id);
  });

  it('an unknown DAG is a user error with a suggestion', async () => {
    const { code, err } = await run(['graph', 'daily_order']);
    expect(code).toBe(1);
    expect(err).toBe(
      '✖ DAG "daily_order" not found in dags/ (did you mean "daily_orders"?)\n    ↳ known DAGs: daily_orders, ingest_crm, ingest_billing, ingest_support, orders_mart, process_files, wait_for_export, warehouse_refresh, weekday_report (updraft list shows them all)',
    );
  });

  it('a bad --format is a user error', async () => {
    const { code, err } = await run(['graph', 'daily_orders', '--format', 'png']);
    expect(code).toBe(1);
    expect(err).toContain(
      "error: option '-f, --format <format>' argument 'png' is invalid. Allowed choices are text, mermaid, dot.",
    );
  });
});

describe('updraft compile and explain', () => {
  it('compile prints the ASL (valid JSON, placeholders for ARNs) and --manifest the manifest', async () => {
    const { code, out } = await run(['compile', 'daily_orders']);
    expect(code).toBe(0);
    const asl = JSON.parse(out) as { StartAt: string; States: Record<string, { Type: string }> };
    // extract first takes a slot of the warehouse pool (compiler/states/pool).
    expect(asl.StartAt).toBe('extract pool slot');
    expect(asl.States[asl.StartAt]!.Type).toBe('Task');
    expect(out).toContain('"Resource": "${TaskRunnerFunctionArn}"');
    expect(out).toContain('"TableName": "${RunTable}"');
    const manifest = JSON.parse((await run(['compile', 'daily_orders', '--manifest'])).out) as {
      dagId: string;
      substitutions: string[];
    };
    expect(manifest).toMatchObject({
      dagId: 'daily_orders',
      substitutions: ['RunTable', 'TaskRunnerFunctionArn'],
    });
  });

  it('explain shows the structure, the added waits, transitions, price and limits', async () => {
    // A Saturday after the DAG's startDate (2026-09-01), for the month's estimate.
    const { code, out } = await run(['explain', 'warehouse_refresh'], '2026-11-28T12:00:00Z');
    expect(code).toBe(0);
    expect(out).toContain(
      'create_scratch → [ stage_customers | stage_orders ] → [ build_dims | build_facts → refresh_stats ] → drop_scratch',
    );
    expect(out).toContain('    build_dims also waits for stage_orders');
    expect(out).toMatch(/makespan 18m vs critical path 18m \(×1\.00\)/);
    expect(out).toMatch(/state transitions {2}\d+ \(\d\.\d\d per task\)/);
    expect(out).toMatch(/history events, worst case {2}[\d,]+ of 25,000/);
    // Lambda: six tasks run code (the Athena query is an operator); two declare no expectedDuration.
    expect(out).toContain(
      '  Lambda             6 invocations per run at 1024 MiB: $0.000001 in requests per run, plus their duration (declare expectedDuration on the tasks to count it)',
    );
    // Weekdays at 04:00 New York from Saturday 2026-11-28: 21 runs in the next 30 days.
    const perRun = 13 * 0.000025 + 6 * 0.0000002;
    expect(out).toContain(
      `  per month          21 runs in the next 30 days by its schedule: $${(21 * perRun).toFixed(4)} (transitions and Lambda)`,
    );
    const json = JSON.parse(
      (await run(['explain', 'warehouse_refresh', '--json'], '2026-11-28T12:00:00Z')).out,
    ) as {
      structure: { addedWaits: unknown[]; makespanRatio: number };
      transitions: { allSuccess: number };
    };
    expect(json.structure.addedWaits).toEqual([{ before: 'stage_orders', after: 'build_dims' }]);
    expect(json.structure.makespanRatio).toBe(1);
    expect(json.transitions.allSuccess).toBeGreaterThan(7);
    expect((json as unknown as { estimate: unknown }).estimate).toEqual({
      region: 'us-east-1',
      lambda: {
        invocationsPerRun: 6,
        memoryMiB: 1024,
        perRunUsd: 6 * 0.0000002,
        durationCounted: false,
      },
      perRunUsd: perRun,
      runsPerMonth: 21,
      perMonthUsd: 21 * perRun,
    });
  });
});

describe('errors and help', () => {
  it('--help works on every command and exits 0', async () => {
    for (const argv of [
      ['--help'],
      ['list', '--help'],
      ['validate', '--help'],
      ['graph', '--help'],
      ['compile', '--help'],
      ['explain', '--help'],
    ]) {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      expect(out).toContain('Usage: updraft');
    }
  });

  it('an unknown command or option exits 1 with a suggestion', async () => {
    const cmd = await run(['lst']);
    expect(cmd.code).toBe(1);
    expect(cmd.err).toContain("error: unknown command 'lst'");
    expect(cmd.err).toContain('(Did you mean list?)');
    const opt = await run(['list', '--jsn']);
    expect(opt.code).toBe(1);
    expect(opt.err).toContain("error: unknown option '--jsn'");
  });

  it('a missing DAG folder exits 1 without a stack trace', async () => {
    const { code, err } = await run(['list', '--dags', 'no/such/dir']);
    expect(code).toBe(1);
    expect(err).toBe(
      `✖ DAG folder "no/such/dir" does not exist (looked in ${path.join(examples, 'no/such/dir')}). Create it, or point to yours with --dags DIR.`,
    );
  });

  it('maps user errors to exit 1 and our bugs to exit 2 with the stack', () => {
    const lines: string[] = [];
    expect(handleError(new ConfigError('connection "x" is not set'), (t) => lines.push(t))).toBe(1);
    expect(handleError(new DagDefinitionError('bad dag'), (t) => lines.push(t))).toBe(1);
    expect(lines).toEqual(['✖ connection "x" is not set', '✖ bad dag']);
    const bug: string[] = [];
    expect(handleError(new TypeError('undefined is not a function'), (t) => bug.push(t))).toBe(2);
    expect(handleError(new InternalError('state missing'), (t) => bug.push(t))).toBe(2);
    expect(bug[0]).toMatch(
      /^✖ Internal error in Updraft \(a bug, not your DAG\): undefined is not a function\nTypeError: undefined is not a function\n {4}at /,
    );
  });

  it('prints help and exits 0 without arguments', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toContain('Commands:');
    expect(out).toMatch(/list \[options\]\s+list the DAGs/);
  });

  it('runs as a real process on Node 24', () => {
    const result = spawnSync(
      process.execPath,
      [path.join(repo, 'bin/updraft.js'), 'list', '--json'],
      { cwd: examples, encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBe(9);
    const bad = spawnSync(process.execPath, [path.join(repo, 'bin/updraft.js'), 'graph', 'nope'], {
      cwd: examples,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).not.toContain('    at ');
  });
});

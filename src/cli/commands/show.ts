/**
 * @module cli/commands/show
 * `updraft show <runId> [--outputs] [--json]`: everything recorded about one run — headline,
 * data interval, conf, error, the task grid, a preview of each task's output (offloaded ones
 * as a reference, `--outputs` resolves and prints them in full), each failed task's error and
 * its tries, the datasets it read and wrote and the messages it left in the outbox. The task
 * grid lists every task of the DAG in graph order, those not started too (the project's DAGs
 * are loaded for that; a DAG no longer there leaves the recorded tasks in start order). Outputs
 * and conf are shown with the project's connection secrets masked. With
 * `--target aws|localstack`, the records of the environment's table plus the Step Functions
 * execution's own status (DescribeExecution).
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { join } from 'node:path';
import { suggest } from '../../ir/problems.ts';
import { isObjectRef, LocalObjectStore, resolveRefs } from '../../runtime/objects.ts';
import type { TriggerKind } from '../../sdk/context.ts';
import { formatDuration } from '../../sdk/duration.ts';
import type {
  LineageRecord,
  NotificationRecord,
  OutboxMessage,
  RunRecord,
  Store,
  TaskRecord,
  TryRecord,
} from '../../store/types.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { envOf, type Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import {
  durationOf,
  paint,
  runHeadline,
  runJson,
  stateLabel,
  taskRows,
  taskTable,
  type TaskRow,
} from '../render-run.ts';
import { graphOrder } from '../render-graph-text.ts';
import { load } from '../project.ts';
import { costedDag, runCost, type CostedDag, type RunCost } from '../ui-run-cost.ts';
import { costLine, taskCostLine } from '../cost-lines.ts';
import { localMasker } from '../masked-io.ts';
import { withSession } from '../session.ts';
import { addTargetOptions, flagsOf, onCloud, targetOf, type Target } from '../target.ts';
import type { Cloud } from '../../cloud/context.ts';
import type { ExecutionInfo } from '../../cloud/executions.ts';

/** Output previews are cut here so one task's output stays on one line. */
const PREVIEW_CHARS = 120;
/** A mapped task can have thousands of tries: past this many, `--json` has the rest. */
const TRIES_SHOWN = 20;
/** Run ids searched for a did-you-mean when a run is not found. */
const RECENT_RUNS = 200;

/**
 * The run, or a usage error naming the nearest recent run id and how to list runs (`target`
 * puts its flags in the hints).
 */
export async function requireRun(
  store: Store,
  runId: string,
  target: Target = { kind: 'local' },
): Promise<RunRecord> {
  const run = await store.getRun(runId);
  if (run) return run;
  const recent = await store.listRuns({ limit: RECENT_RUNS });
  const near = suggest(
    runId,
    recent.map((r) => r.runId),
  );
  const nearRun = recent.find((r) => r.runId === near);
  const flags = flagsOf(target);
  const hint =
    recent.length === 0
      ? `there are no runs yet; start one with: ${target.kind === 'local' ? 'updraft run' : 'updraft trigger'} <dag>${flags}`
      : `list the runs of a DAG with: updraft runs ${nearRun?.dagId ?? '<dag>'}${flags} (or every DAG's with: updraft runs${flags})`;
  throw new UsageError(`run "${runId}" not found${near ? ` (did you mean "${near}"?)` : ''}`, {
    hint: hint,
  });
}

/** `2026-03-01 00:00:00Z`: an ISO instant, shorter. */
export function shortTime(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '';
}

/** Tasks in the order they started; those that never started last, by id. */
export function byStart(tasks: readonly TaskRecord[]): TaskRecord[] {
  return [...tasks].sort((a, b) => {
    if (a.startedAt && b.startedAt)
      return a.startedAt.localeCompare(b.startedAt) || a.taskId.localeCompare(b.taskId);
    if (a.startedAt || b.startedAt) return a.startedAt ? -1 : 1;
    return a.taskId.localeCompare(b.taskId);
  });
}

/** One line per notification: event, task, channel and how it went (`updraft run` and `show`). */
export function notificationLines(records: readonly NotificationRecord[]): string[] {
  return records.map((n) => {
    const what = `${n.event}${n.taskId ? ` (${n.taskId})` : ''} → ${n.channel}`;
    switch (n.state) {
      case 'sent':
        return `✉ ${what}: sent${n.attempts > 1 ? ` after ${n.attempts} attempts` : ''}`;
      case 'failed':
        return `✉ ${what}: not sent, ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}: ${n.error ?? 'unknown error'}`;
      case 'outbox':
        return `✉ ${what}: ${n.error ?? 'went to the outbox'}`;
      default:
        return `✉ ${what}: being sent`;
    }
  });
}

/** One outbox message: a header line and the message as compact JSON below it. */
export function messageLines(m: OutboxMessage, withRun: boolean): string[] {
  // A notification of the run itself has no task.
  const task = m.taskId ? `task ${m.taskId}` : 'notification';
  const where = withRun ? `${task}, run ${m.runId}` : task;
  return [`${m.at}  ${m.service} → ${m.target}  (${where})`, `  ${JSON.stringify(m.message)}`];
}

const TRIGGERED: Record<TriggerKind, string> = {
  manual: 'triggered manually',
  schedule: 'triggered by its schedule',
  backfill: 'triggered by a backfill',
  dataset: 'triggered by a dataset update',
  dag: 'triggered by another DAG',
};

/** `{"rows":3}`, cut at 120 characters; an offloaded output as its reference. */
export function preview(output: unknown): string {
  if (isObjectRef(output)) return `→ stored object (${kib(output.bytes)}) ${output.$ref}`;
  const text = JSON.stringify(output) ?? String(output);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

function kib(bytes: number): string {
  const k = bytes / 1024;
  return `${k < 10 ? k.toFixed(1) : Math.round(k)} KiB`;
}

function ms(durationMs: number | undefined): string {
  if (durationMs === undefined) return '';
  return durationMs < 1000 ? `${durationMs} ms` : formatDuration(Math.round(durationMs / 1000));
}

function tryLine(t: TryRecord, executions: boolean, color: boolean): string {
  const which = `${t.mapIndex >= 0 ? `[${t.mapIndex}] ` : ''}try ${t.tryNumber}${executions ? ` (execution ${t.runAttempt})` : ''}`;
  const took = t.durationMs !== undefined ? ms(t.durationMs) : durationOf(t.startedAt, t.endedAt);
  const when = `started ${shortTime(t.startedAt)}${took ? `, took ${took}` : ''}`;
  return [
    which,
    stateLabel(t.state, color),
    when,
    t.error ? `${t.error.error}: ${t.error.cause}` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

interface Details {
  readonly run: RunRecord;
  readonly tasks: readonly TaskRow[];
  readonly tries: readonly TryRecord[];
  readonly lineage: readonly LineageRecord[];
  readonly outbox: readonly OutboxMessage[];
  readonly notifications: readonly NotificationRecord[];
  /** Task id → output (references resolved with `--outputs`). */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Cloud targets: the Step Functions execution (null when it no longer exists). */
  readonly execution?: ExecutionInfo | null;
  /** Target flags for the hints (` --target aws`), empty locally. */
  readonly flags: string;
  /** What the run and each task cost (cli/ui-run-cost). */
  readonly cost: RunCost;
}

function executionLine(run: RunRecord, execution: ExecutionInfo | null | undefined): string {
  if (execution === undefined)
    return run.pendingInput
      ? '  execution: not started — queued until another run of this DAG ends (maxActiveRuns)'
      : '  execution: none recorded yet';
  if (execution === null)
    return `  execution: ${run.executionArn} no longer exists (Step Functions keeps executions 90 days)`;
  const when = execution.stopDate
    ? `, stopped ${shortTime(execution.stopDate)}`
    : execution.startDate
      ? `, started ${shortTime(execution.startDate)}`
      : '';
  const redrives = execution.redriveCount > 0 ? `, redriven ${execution.redriveCount}×` : '';
  return `  execution: ${execution.status}${when}${redrives}  ${execution.executionArn}`;
}

/** The run's notifications and the messages its outbox caught. */
function renderMessages(io: Io, d: Details, heading: (text: string) => void): void {
  if (d.notifications.length > 0) {
    heading('Notifications');
    for (const line of notificationLines(d.notifications)) io.out(`  ${line}`);
  }
  if (d.outbox.length > 0) {
    heading('Outbox (captured, not sent)');
    for (const m of d.outbox) for (const line of messageLines(m, false)) io.out(`  ${line}`);
  }
}

/** Each task's cost, the dearest first. */
function renderCost(io: Io, cost: RunCost, heading: (text: string) => void): void {
  const costly = cost.tasks.filter((t) => t.usd > 0);
  if (costly.length === 0) return;
  heading('Cost by task');
  const width = Math.max(...costly.map((t) => t.taskId.length));
  for (const t of costly) io.out(`  ${t.taskId.padEnd(width)}  ${taskCostLine(t)}`);
}

function render(io: Io, d: Details, full: boolean): void {
  const { run, tasks, tries } = d;
  const heading = (text: string) => io.out(io.color ? pc.bold(text) : text);
  io.out(runHeadline(run, io.color));
  const parent = run.parentRunId ? ` (run ${run.parentRunId})` : '';
  io.out(
    `  DAG ${run.dagId} · ${TRIGGERED[run.triggeredBy] ?? `triggered by ${run.triggeredBy}`}${parent} · data interval ${run.dataIntervalStart} → ${run.dataIntervalEnd}`,
  );
  for (const e of run.triggeringEvents ?? [])
    io.out(
      `  ↳ ${e.dataset} updated by ${e.dagId}.${e.taskId} at ${e.at} (run ${e.runId})${e.extra ? ` ${JSON.stringify(e.extra)}` : ''}`,
    );
  if (Object.keys(run.conf).length > 0) io.out(`  conf ${JSON.stringify(run.conf)}`);
  if (d.execution !== undefined || run.executionArn || run.pendingInput)
    io.out(executionLine(run, d.execution));
  if (run.error) io.out(`  ${run.error.error}: ${run.error.cause}`);
  if (d.cost.totalUsd > 0) io.out(`  cost ${costLine(d.cost, run.costUsd !== undefined)}`);
  if (tasks.length > 0) io.out(taskTable(tasks, io.color));
  else
    io.out(
      `  (no task has started yet, and DAG ${run.dagId} is not in the project to list its tasks)`,
    );

  const withOutput = tasks.filter(
    (t) => d.outputs[t.taskId] !== undefined && d.outputs[t.taskId] !== null,
  );
  if (withOutput.length > 0) {
    heading('Outputs');
    const width = Math.max(...withOutput.map((t) => t.taskId.length));
    for (const t of withOutput) {
      const output = d.outputs[t.taskId];
      if (full) {
        io.out(`  ${t.taskId}`);
        io.out(JSON.stringify(output, null, 2).replace(/^/gm, '    '));
      } else {
        io.out(`  ${t.taskId.padEnd(width)}  ${preview(output)}`);
      }
    }
  }

  const failed = tasks.filter((t) => t.state === 'failed');
  if (failed.length > 0) {
    heading('Failed tasks');
    const executions = tries.some((t) => t.runAttempt > 1);
    for (const t of failed) {
      io.out(
        `  ${paint('failed', '✖', io.color)} ${t.taskId}${t.error ? `  ${t.error.error}: ${t.error.cause}` : ''}`,
      );
      const own = tries.filter((x) => x.taskId === t.taskId);
      for (const x of own.slice(0, TRIES_SHOWN))
        io.out(`      ${tryLine(x, executions, io.color)}`);
      if (own.length > TRIES_SHOWN)
        io.out(
          `      … and ${own.length - TRIES_SHOWN} more tries (updraft show ${run.runId}${d.flags} --json lists them all)`,
        );
      // The task code's stack trace of its latest failed try (masked, paths relative to the project).
      const stack = own.findLast((x) => x.error?.stack)?.error?.stack;
      if (stack)
        io.out(
          stack
            .split('\n')
            .map((line) => `        ${line.trimStart().replace(/^at /, '  at ')}`)
            .join('\n'),
        );
    }
  }

  if (d.lineage.length > 0) {
    heading('Lineage');
    const order = new Map(tasks.map((t, i) => [t.taskId, i]));
    const rows = [...d.lineage].sort(
      (a, b) =>
        (order.get(a.taskId) ?? 1e9) - (order.get(b.taskId) ?? 1e9) ||
        a.direction.localeCompare(b.direction) ||
        a.dataset.localeCompare(b.dataset),
    );
    const width = Math.max(...rows.map((l) => l.taskId.length));
    for (const l of rows)
      io.out(
        `  ${l.taskId.padEnd(width)}  ${l.direction === 'in' ? 'read ' : 'wrote'}  ${l.dataset}`,
      );
  }

  renderCost(io, d.cost, heading);
  renderMessages(io, d, heading);

  if (run.status === 'failed')
    io.out(
      `  ↳ updraft logs ${run.runId}${d.flags} · fix, then resume: updraft retry ${run.runId}${d.flags}`,
    );
}

/**
 * The task order of the run's DAG as `updraft graph` draws it, read from the project; when the
 * DAG is no longer there (or does not load), the order the recorded tasks started in.
 */
export async function runOrder(
  io: Io,
  options: GlobalOptions,
  dagId: string,
  records: readonly TaskRecord[],
): Promise<string[]> {
  return (await runDag(io, options, dagId, records)).order;
}

/**
 * The run's DAG as the project has it: its task order (runOrder) and its task Lambda's memory
 * and operators (the cost of Lambda time); the defaults when the DAG is gone.
 */
async function runDag(
  io: Io,
  options: GlobalOptions,
  dagId: string,
  records: readonly TaskRecord[],
): Promise<{ order: string[]; costed: CostedDag }> {
  try {
    const dag = (await load(io, options)).dags.find((d) => d.ir.id === dagId);
    if (dag) return { order: graphOrder(dag.ir), costed: costedDag(dag.ir) };
  } catch {
    // No dags/ folder, a cycle …: the records alone.
  }
  return { order: byStart(records).map((t) => t.taskId), costed: costedDag(undefined) };
}

/**
 * Outputs and conf with the project's connection secrets masked before they are cut into
 * previews (a secret cut in two would pass the masker of the printed line).
 */
function masked<T>(io: Io, value: T): T {
  return localMasker(io.cwd, envOf(io)).maskValue(value) as T;
}

/** `--outputs`: an offloaded output read back; a missing object says so instead of failing. */
async function resolveOutput(objects: LocalObjectStore, output: unknown): Promise<unknown> {
  try {
    return await resolveRefs(objects, output);
  } catch (error) {
    const ref = isObjectRef(output) ? output.$ref : 'a stored object';
    return {
      $unavailable: `${ref} could not be read from ${objects.root}: ${(error as Error).message}`,
    };
  }
}

/** A run on a deployed environment: records from its table, status from Step Functions. */
async function showCloud(
  io: Io,
  options: GlobalOptions,
  cloud: Cloud,
  runId: string,
  full: boolean,
  json: boolean,
): Promise<void> {
  const { describeExecution } = await import('../../cloud/executions.ts');
  const run = await requireRun(cloud.store, runId, cloud.target);
  const [tasks, tries, lineage, notifications, execution] = await Promise.all([
    cloud.store.listTasks(runId),
    cloud.store.listTries(runId),
    cloud.store.listLineage(runId),
    cloud.store.listNotifications(runId),
    run.executionArn
      ? describeExecution(cloud, run.executionArn).then((e) => e ?? null)
      : Promise.resolve(undefined),
  ]);
  const dag = await runDag(io, options, run.dagId, tasks);
  const ordered = masked(io, taskRows(run, tasks, tries, dag.order));
  const cost = runCost(dag.costed, run, tasks, tries, cloud.region);
  // Offloaded outputs stay references here: they live in the deployment's payload bucket.
  const outputs = Object.fromEntries(
    ordered.filter((t) => t.output !== undefined).map((t) => [t.taskId, t.output]),
  );
  const conf = masked(io, run.conf);
  if (json) {
    printJson(io, run, ordered, {
      conf,
      outputs,
      tries,
      lineage,
      outbox: [],
      notifications,
      cost,
      execution: execution ?? null,
    });
    return;
  }
  render(
    io,
    {
      run: { ...run, conf },
      tasks: ordered,
      tries,
      lineage,
      outbox: [],
      notifications,
      outputs,
      execution,
      flags: ` ${cloud.target.flags}`,
      cost,
    },
    full,
  );
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('show')
    .description(
      'show a run: its tasks, outputs, errors with every try, lineage, notifications and outbox messages',
    )
    .argument('<runId>', 'run id, e.g. daily_orders-2026-03-01T01-00-00Z (updraft runs lists them)')
    .option(
      '--outputs',
      'print full task outputs, reading offloaded ones from .updraft/objects (on a cloud target they stay payload-bucket references)',
    )
    .option(
      '--json',
      'print { runId, dagId, status, …, tasks, outputs, tries, lineage, outbox, notifications } (cloud targets: also execution)',
    );
  addTargetOptions(command).action(
    async (
      runId: string,
      opts: { outputs?: boolean; json?: boolean; target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const target = targetOf(opts);
      const json = Boolean(opts.json || options.json);
      if (target.kind !== 'local') {
        await onCloud(target, (cloud) =>
          showCloud(io, options, cloud, runId, Boolean(opts.outputs), json),
        );
        setExit(EXIT_OK);
        return;
      }
      await withSession(io, options, { loadDags: false }, async (session) => {
        const run = await requireRun(session.store, runId);
        const [tasks, tries, lineage, outbox, notifications] = await Promise.all([
          session.store.listTasks(runId),
          session.store.listTries(runId),
          session.store.listLineage(runId),
          session.store.listOutbox(runId),
          session.store.listNotifications(runId),
        ]);
        const dag = await runDag(io, options, run.dagId, tasks);
        const ordered = taskRows(run, tasks, tries, dag.order);
        const cost = runCost(dag.costed, run, tasks, tries);
        const objects = new LocalObjectStore(join(session.dir, 'objects'));
        const raw: Record<string, unknown> = {};
        for (const t of ordered) {
          if (t.output !== undefined)
            raw[t.taskId] = opts.outputs ? await resolveOutput(objects, t.output) : t.output;
        }
        const outputs = masked(io, raw);
        const conf = masked(io, run.conf);
        if (json) {
          printJson(io, run, ordered, {
            conf,
            outputs,
            tries,
            lineage,
            outbox,
            notifications,
            cost,
          });
        } else {
          render(
            io,
            {
              run: { ...run, conf },
              tasks: ordered,
              tries,
              lineage,
              outbox,
              notifications,
              outputs,
              flags: '',
              cost,
            },
            Boolean(opts.outputs),
          );
        }
      });
      setExit(EXIT_OK);
    },
  );
}

/** `show --json`, the same shape on both targets: tries without their responses (outputs say those). */
function printJson(
  io: Io,
  run: RunRecord,
  ordered: Parameters<typeof runJson>[1],
  rest: {
    conf: unknown;
    outputs: unknown;
    tries: readonly TryRecord[];
    lineage: unknown;
    outbox: unknown;
    notifications: unknown;
    cost: RunCost;
    execution?: unknown;
  },
): void {
  const { tries, ...others } = rest;
  const triesJson = tries.map(({ response: _response, ...t }) => t);
  const { conf, outputs, lineage, outbox, notifications, cost, ...cloud } = others;
  io.out(
    JSON.stringify(
      {
        ...runJson(run, ordered),
        triggeredBy: run.triggeredBy,
        conf,
        outputs,
        tries: triesJson,
        lineage,
        outbox,
        notifications,
        cost,
        ...cloud,
      },
      null,
      2,
    ),
  );
}

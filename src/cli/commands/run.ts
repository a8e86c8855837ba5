/**
 * @module cli/commands/run
 * `updraft run <dag> [--date D] [--conf JSON] [--json] [--real-time]`: compile the DAG and run
 * it on the embedded engine — the state machine that deploys — with live task states, then a
 * summary and the run id. Exit 0 when the run succeeded, 1 when it failed. Local only: with
 * `--target aws` it says to use `updraft trigger`, which starts a run on a deployment.
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { notificationLines } from './show.ts';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from '../errors.ts';
import { openSession } from '../session.ts';
import { createProgress, type Progress } from '../progress.ts';
import { watchInterrupt } from '../interrupt.ts';
import { runHeadline, runJson, taskRows, taskTable } from '../render-run.ts';
import { costedDag, runCost } from '../ui-run-cost.ts';
import { costLine } from '../cost-lines.ts';
import { graphOrder } from '../render-graph-text.ts';
import type { RunOutcome } from '../../engine/engine.ts';
import { intervalFor } from '../../schedule/index.ts';
import type { LoadedDag } from '../../loader/load-project.ts';
import { resolveParams } from '../../runtime/params.ts';
import type { Session } from '../session.ts';
import { addTargetOptions, requireLocal } from '../target.ts';

export function parseConf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--conf is not valid JSON: ${(error as Error).message}`, {
      hint: `pass an object, e.g. --conf '{"limit": 10}'`,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`--conf must be a JSON object, got ${JSON.stringify(value)}`, {
      hint: `pass an object, e.g. --conf '{"limit": 10}'`,
    });
  }
  return value as Record<string, unknown>;
}

/**
 * `--date ''` (often an unset shell variable) is refused before anything is opened; read as "no
 * date" it would silently run the latest interval instead.
 */
export function parseDateFlag(text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') {
    throw new UsageError('--date is empty', {
      hint: 'give a logical date such as --date 2026-11-20 or --date 2026-11-20T02:00, or leave --date out to run the latest complete interval',
    });
  }
  return text;
}

/** Prints a finished (or already existing) run; returns the exit code. */
export async function report(
  io: Io,
  session: Session,
  outcome: RunOutcome,
  json: boolean,
  order: readonly string[],
): Promise<number> {
  const run = outcome.run;
  const [records, tries] = await Promise.all([
    session.store.listTasks(run.runId),
    session.store.listTries(run.runId),
  ]);
  const tasks = taskRows(run, records, tries, order);
  // What the same run costs on AWS: its transitions as the machine made them, Lambda time as here.
  const ir = session.engine.options.dags.find((d) => d.ir.id === run.dagId)?.ir;
  const cost = runCost(costedDag(ir), run, records, tries);
  if (json) {
    io.out(
      JSON.stringify(
        {
          ...runJson(run, tasks),
          ...(!outcome.created && { existing: true }),
          ...(outcome.attached && { attached: true }),
          ...(outcome.datasetRuns && {
            datasetRuns: outcome.datasetRuns.map((r) => ({
              runId: r.runId,
              dagId: r.dagId,
              datasets: r.triggeringEvents?.map((e) => e.dataset) ?? [],
            })),
          }),
          ...(outcome.notifications && { notifications: outcome.notifications }),
          cost,
        },
        null,
        2,
      ),
    );
  } else {
    if (outcome.attached) {
      io.out(
        `Run ${run.runId} ended ${run.status} (run by another process; this command started nothing).`,
      );
    } else if (!outcome.created) {
      io.out(
        `Run ${run.runId} already exists (${run.status}): nothing new started. Deterministic run ids make a second trigger of the same interval a no-op.`,
      );
      io.out(
        `  ↳ updraft show ${run.runId}${run.status === 'failed' ? `, updraft retry ${run.runId}` : ''}, or updraft clear ${run.runId} --task <task> to run tasks again`,
      );
    }
    if (tasks.length > 0) io.out(taskTable(tasks, io.color));
    io.out(runHeadline(run, io.color));
    if (cost.totalUsd > 0) io.out(`  on AWS: ${costLine(cost, false)}`);
    if (run.error) io.out(`  ${run.error.error}: ${run.error.cause}`);
    if (run.status === 'failed')
      io.out(
        `  ↳ see why: updraft show ${run.runId} · updraft logs ${run.runId} · fix, then resume: updraft retry ${run.runId}`,
      );
    for (const line of notificationLines(outcome.notifications ?? [])) io.out(line);
    for (const queued of outcome.datasetRuns ?? [])
      io.out(
        `⧗ queued ${queued.runId}: ${queued.dagId}'s dataset condition holds (updated: ${(queued.triggeringEvents ?? []).map((e) => e.dataset).join(', ')})`,
      );
  }
  return run.status === 'success' ? EXIT_OK : EXIT_USER_ERROR;
}

/**
 * Opens a session, shows live progress for the DAG `dagOf` names, runs `work`, reports the
 * outcome (run, retry and clear all look the same); returns the exit code.
 */
export async function runWithProgress(
  io: Io,
  options: GlobalOptions,
  flags: {
    readonly realTime?: boolean;
    readonly json: boolean;
    readonly dagId?: string;
    readonly checkDag?: (dag: LoadedDag) => void;
  },
  dagOf: (s: Session) => Promise<string | undefined>,
  intro: string,
  work: (s: Session) => Promise<RunOutcome>,
): Promise<number> {
  let progress: Progress | undefined;
  const tracked = new Set<string>();
  const session = await openSession(io, options, {
    ...(flags.dagId !== undefined && { requireDag: flags.dagId }),
    ...(flags.checkDag && { checkDag: flags.checkDag }),
    realTime: Boolean(flags.realTime),
    onEvent: (runId, e) => {
      tracked.add(runId);
      progress?.onEvent(runId, e);
    },
  });
  const interrupt = watchInterrupt({
    io,
    store: session.store,
    tracked,
    orderOf: (id) => orderOf(session, id),
    beforeReport: () => beforeExit(session, progress),
  });
  try {
    const dagId = await dagOf(session);
    const order = dagId ? orderOf(session, dagId) : [];
    if (dagId)
      progress = await createProgress(io, dagId, order, {
        tty: Boolean(process.stdout.isTTY) && io.color,
        quiet: flags.json,
      });
    if (!flags.json) io.out(intro);
    const outcome = await work(session);
    progress?.done();
    return await report(io, session, outcome, flags.json, order);
  } finally {
    interrupt.dispose();
    progress?.done();
    await session.close();
  }
}

/** A DAG's task ids in graph order (as `updraft graph` draws it); empty when the DAG is not loaded. */
export function orderOf(session: Session, dagId: string): readonly string[] {
  const ir = session.project?.dags.find((d) => d.ir.id === dagId)?.ir;
  return ir ? graphOrder(ir) : [];
}

/** Ctrl-C: the progress display ends and buffered task log lines reach their files first. */
export function beforeExit(session: Session, progress: Progress | undefined): void {
  progress?.done();
  session.engine.logs.flushSync();
}

export interface RunFlags {
  readonly date?: string;
  readonly conf?: string;
  readonly realTime?: boolean;
  readonly json?: boolean;
}

/** `updraft run` (and `updraft trigger` on the local target): runs the DAG and waits; returns the exit code. */
export async function runLocally(
  io: Io,
  options: GlobalOptions,
  dagId: string,
  opts: RunFlags,
): Promise<number> {
  const conf = parseConf(opts.conf);
  const date = parseDateFlag(opts.date);
  const json = Boolean(opts.json || options.json);
  return runWithProgress(
    io,
    options,
    // The conf and date are checked before the run database is opened: bad input writes nothing.
    {
      realTime: Boolean(opts.realTime),
      json,
      dagId,
      checkDag: ({ ir }) => {
        resolveParams(ir, conf);
        intervalFor(ir, date, io.now());
      },
    },
    async () => dagId, // found and valid: the session checked it before opening the database
    `Running ${dagId} on the embedded engine${opts.realTime ? ' (real time)' : ''}…`,
    async (session) => {
      const outcome = await session.engine.trigger(dagId, {
        ...(date !== undefined && { date }),
        conf,
      });
      const { run } = outcome;
      if (outcome.created || (run.status !== 'queued' && run.status !== 'running')) return outcome;
      // Another process runs this interval (same DAG and date): follow it rather than fail.
      if (!json)
        io.out(
          `Run ${run.runId} is already ${run.status}${run.owner ? ` in another process (pid ${run.owner.pid})` : ''}: attached, waiting for it to end…`,
        );
      return { ...outcome, run: await session.engine.follow(run.runId), attached: true };
    },
  );
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('run')
    .description('run a DAG locally on the embedded engine (the state machine that deploys)')
    .argument('<dag>', 'DAG id')
    .option(
      '--date <date>',
      'logical date: a fire time of the schedule, or a day (its first fire time); default: the latest complete interval',
    )
    .option('--conf <json>', 'run params as a JSON object')
    .option(
      '--real-time',
      'honour waits, sensor poke intervals and retry delays instead of skipping them',
    )
    .option('--json', 'print the outcome as JSON');
  addTargetOptions(command, { hidden: true }).action(
    async (
      dagId: string,
      opts: RunFlags & { target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      requireLocal(
        opts,
        'run',
        (flags) =>
          `to start a run on the deployment (without waiting for it): updraft trigger ${dagId} ${flags}`,
      );
      setExit(await runLocally(io, cmd.optsWithGlobals<GlobalOptions>(), dagId, opts));
    },
  );
}

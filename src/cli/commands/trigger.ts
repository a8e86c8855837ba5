/**
 * @module cli/commands/trigger
 * `updraft trigger <dag> [--date D] [--conf JSON] [--target aws|localstack] [--json]`: start a
 * manual run. On a deployment it validates the conf against the DAG's params, writes the queued
 * run record and starts the execution named by the run id, with the input the launcher builds,
 * then returns without waiting (exit 0). Deterministic run ids make a second trigger of the same
 * interval a no-op: it reports the existing run and exits 0, or 1 if that run failed (resume it
 * with `updraft retry`). On the local target the embedded engine runs in this process, so
 * `trigger` is `updraft run`: it waits for the run and exits 1 if it failed.
 */
import type { Command } from 'commander';
import type { TriggerResult } from '../../cloud/trigger.ts';
import type { Io } from '../io.ts';
import { EXIT_OK, EXIT_USER_ERROR } from '../errors.ts';
import { load, requireDag, type GlobalOptions } from '../project.ts';
import { runHeadline } from '../render-run.ts';
import { addTargetOptions, onCloud, targetOf, type CloudTarget } from '../target.ts';
import { parseConf, runLocally, type RunFlags } from './run.ts';

const FAILED_EXECUTION = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** Exit 1 only when the interval's existing run failed: the trigger then changed nothing. */
function exitCode(result: TriggerResult): number {
  if (result.outcome !== 'existing') return EXIT_OK;
  const failed =
    result.run.status === 'failed' || FAILED_EXECUTION.has(result.execution?.status ?? '');
  return failed ? EXIT_USER_ERROR : EXIT_OK;
}

function print(io: Io, result: TriggerResult, where: string, target: CloudTarget): void {
  const { run } = result;
  const flags = target.flags;
  const interval = `  logical date ${run.logicalDate} · data interval ${run.dataIntervalStart} → ${run.dataIntervalEnd}${Object.keys(run.conf).length ? ` · conf ${JSON.stringify(run.conf)}` : ''}`;
  switch (result.outcome) {
    case 'started':
      io.out(`✔ Started ${run.runId} on ${where}`);
      io.out(interval);
      io.out(`  ${result.executionArn}`);
      io.out(
        `  ↳ follow it: updraft show ${run.runId} ${flags} · updraft logs ${run.runId} ${flags}`,
      );
      return;
    case 'queued':
      io.out(
        `⏸ Queued ${run.runId} on ${where}: ${run.dagId} already runs as many as its maxActiveRuns (${result.maxActiveRuns}) allows; it starts when a slot frees (oldest queued first)`,
      );
      io.out(interval);
      io.out(`  ↳ updraft runs ${run.dagId} ${flags} shows the active runs`);
      return;
    case 'existing': {
      const execution = result.execution ? `, execution ${result.execution.status}` : '';
      io.out(
        `Run ${run.runId} already exists on ${where} (${run.status}${execution}): nothing new started. Deterministic run ids make a second trigger of the same interval a no-op.`,
      );
      io.out(runHeadline(run, io.color));
      const failed = exitCode(result) !== EXIT_OK;
      io.out(
        `  ↳ updraft show ${run.runId} ${flags}${failed ? ` · resume it: updraft retry ${run.runId} ${flags}` : ''}`,
      );
      return;
    }
  }
}

function json(result: TriggerResult) {
  const { run } = result;
  return {
    outcome: result.outcome,
    runId: run.runId,
    dagId: run.dagId,
    status: run.status,
    logicalDate: run.logicalDate,
    dataInterval: { start: run.dataIntervalStart, end: run.dataIntervalEnd },
    conf: run.conf,
    executionArn: run.executionArn ?? null,
    ...(result.outcome === 'existing' && { execution: result.execution ?? null }),
  };
}

async function triggerOnCloud(
  io: Io,
  options: GlobalOptions,
  target: CloudTarget,
  dagId: string,
  opts: RunFlags,
): Promise<number> {
  const conf = parseConf(opts.conf);
  const project = await load(io, options);
  const { ir } = requireDag(io, project, dagId, options);
  const [{ compileDag }, { triggerRun }] = await Promise.all([
    import('../../compiler/index.ts'),
    import('../../cloud/trigger.ts'),
  ]);
  const { timers } = compileDag(ir).manifest;
  return onCloud(target, async (cloud) => {
    const result = await triggerRun(cloud, {
      ir,
      timers,
      conf,
      ...(opts.date !== undefined && { date: opts.date }),
      now: io.now(),
    });
    if (opts.json || options.json) io.out(JSON.stringify(json(result), null, 2));
    else print(io, result, cloud.where, target);
    return exitCode(result);
  });
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('trigger')
    .description(
      'start a manual run: on AWS or LocalStack without waiting for it, locally like updraft run',
    )
    .argument('<dag>', 'DAG id')
    .option(
      '--date <date>',
      'logical date: a fire time of the schedule, or a day (its first fire time); default: the latest complete interval',
    )
    .option('--conf <json>', 'run params as a JSON object (checked against the DAG params)')
    .option('--real-time', 'local target: honour waits, sensor poke intervals and retry delays')
    .option(
      '--json',
      'print { outcome: "started" | "queued" | "existing", runId, dagId, status, logicalDate, dataInterval, conf, executionArn, execution? }',
    );
  addTargetOptions(command).action(
    async (
      dagId: string,
      opts: RunFlags & { target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const target = targetOf(opts);
      setExit(
        target.kind === 'local'
          ? await runLocally(io, options, dagId, opts)
          : await triggerOnCloud(io, options, target, dagId, opts),
      );
    },
  );
}

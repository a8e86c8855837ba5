/**
 * @module cli/commands/retry
 * `updraft retry <runId>`: resume a failed run from the point of failure (Step Functions
 * redrive on AWS). Failed tasks and what depends on them run again; tasks that succeeded are
 * not re-executed, their outputs are handed back. Locally it waits: exit 0 when the run now
 * succeeds. With `--target aws|localstack` it redrives the run's execution and returns at once
 * (exit 0 once redriven), or says why Step Functions cannot (still running, succeeded, stopped
 * more than 14 days ago, gone after 90 days).
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { EXIT_OK } from '../errors.ts';
import { addTargetOptions, onCloud, targetOf, type CloudTarget } from '../target.ts';
import { requireRun } from './show.ts';
import { runWithProgress } from './run.ts';

async function redrive(io: Io, target: CloudTarget, runId: string, json: boolean): Promise<void> {
  const { redriveRun } = await import('../../cloud/executions.ts');
  await onCloud(target, async (cloud) => {
    const run = await requireRun(cloud.store, runId, target);
    const r = await redriveRun(cloud, run, io.now());
    if (json) {
      io.out(JSON.stringify({ runId, dagId: run.dagId, executionArn: r.executionArn, redrivenFrom: r.from, redriveDate: r.redriveDate, execution: r.attempt }, null, 2));
      return;
    }
    io.out(`✔ Resuming ${runId} on ${cloud.where}: its execution (${r.from}) is redriven from where it stopped — failed tasks and their downstream run again, succeeded tasks are not re-run (execution ${r.attempt}).`);
    io.out(`  ${r.executionArn}`);
    io.out(`  ↳ follow it: updraft show ${runId} ${target.flags} · updraft logs ${runId} ${target.flags}`);
  });
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('retry')
    .description('resume a failed run: failed and downstream tasks run again, succeeded ones are reused')
    .argument('<runId>', 'run id (updraft runs <dag> lists them)')
    .option('--real-time', 'honour waits, sensor poke intervals and retry delays')
    .option('--json', 'print the outcome as JSON');
  addTargetOptions(command).action(async (runId: string, opts: { realTime?: boolean; json?: boolean; target?: string; env?: string; region?: string }, cmd: Command) => {
    const options = cmd.optsWithGlobals<GlobalOptions>();
    const json = Boolean(opts.json || options.json);
    const target = targetOf(opts);
    if (target.kind !== 'local') {
      await redrive(io, target, runId, json);
      setExit(EXIT_OK);
      return;
    }
    const code = await runWithProgress(
      io,
      options,
      { realTime: Boolean(opts.realTime), json },
      async (session) => (await session.store.getRun(runId))?.dagId,
      `Resuming ${runId}: failed tasks and their downstream run again, succeeded tasks are reused…`,
      (session) => session.engine.retry(runId),
    );
    setExit(code);
  });
}

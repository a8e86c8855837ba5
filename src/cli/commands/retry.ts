/**
 * @module cli/commands/retry
 * `updraft retry <runId>`: resume a failed run from the point of failure (Step Functions
 * redrive on AWS). Failed tasks and what depends on them run again; tasks that succeeded are
 * not re-executed, their outputs are handed back. Exit 0 when the run now succeeds.
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { runWithProgress } from './run.ts';

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('retry')
    .description('resume a failed run: failed and downstream tasks run again, succeeded ones are reused')
    .argument('<runId>', 'run id (updraft runs <dag> lists them)')
    .option('--real-time', 'honour waits, sensor poke intervals and retry delays')
    .option('--json', 'print the outcome as JSON')
    .action(async (runId: string, opts: { realTime?: boolean; json?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const json = Boolean(opts.json || options.json);
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

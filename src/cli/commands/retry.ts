/**
 * @module cli/commands/retry
 * `updraft retry <runId>`: resume a failed run from the point of failure (Step Functions
 * redrive on AWS). Failed tasks and what depends on them run again; tasks that succeeded are
 * not re-executed, their outputs are handed back. Exit 0 when the run now succeeds.
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { openSession } from '../session.ts';
import { createProgress } from '../progress.ts';
import { report } from './run.ts';

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
      let progress: ReturnType<typeof createProgress> | undefined;
      const session = await openSession(io, options, { realTime: Boolean(opts.realTime), onEvent: (id, e) => progress?.onEvent(id, e) });
      try {
        const existing = await session.store.getRun(runId);
        const order = existing ? (session.project?.dags.find((d) => d.ir.id === existing.dagId)?.ir.tasks.map((t) => t.id) ?? []) : [];
        if (existing) progress = createProgress(io, existing.dagId, order, { tty: Boolean(process.stdout.isTTY) && io.color, quiet: json });
        if (!json) io.out(`Resuming ${runId}: failed tasks and their downstream run again, succeeded tasks are reused…`);
        const outcome = await session.engine.retry(runId);
        progress?.done();
        setExit(await report(io, session, outcome, json, order));
      } finally {
        progress?.done();
        await session.close();
      }
    });
}

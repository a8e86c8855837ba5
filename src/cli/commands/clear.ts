/**
 * @module cli/commands/clear
 * `updraft clear <runId> --task T [--task U] [--downstream]`: run chosen tasks of a finished
 * run again (Airflow's "clear"); with --downstream, what depends on them too. Every other task
 * keeps its outcome: succeeded ones hand back their outputs, failed ones stay failed. On AWS or
 * LocalStack (`--target`) the same: a new execution of the run's state machine (runtime/resume).
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { addTargetOptions, targetOf } from '../target.ts';
import type { GlobalOptions } from '../project.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { resumeOnCloud } from './retry.ts';
import { runWithProgress } from './run.ts';

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('clear')
    .description('run chosen tasks of a finished run again (others keep their outcome)')
    .argument('<runId>', 'run id')
    .option(
      '-t, --task <task>',
      'task to run again (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--downstream', 'also run again every task downstream of them')
    .option('--real-time', 'honour waits, sensor poke intervals and retry delays')
    .option('--json', 'print the outcome as JSON');
  addTargetOptions(command).action(
    async (
      runId: string,
      opts: {
        task: string[];
        downstream?: boolean;
        realTime?: boolean;
        json?: boolean;
        target?: string;
        env?: string;
        region?: string;
      },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.task.length === 0)
        throw new UsageError('clear needs at least one --task', {
          hint: `e.g. updraft clear ${runId} --task load --downstream`,
        });
      const json = Boolean(opts.json || options.json);
      const target = targetOf(opts);
      if (target.kind !== 'local') {
        await resumeOnCloud(
          io,
          options,
          target,
          runId,
          { kind: 'clear', tasks: opts.task, downstream: Boolean(opts.downstream) },
          json,
        );
        setExit(EXIT_OK);
        return;
      }
      const code = await runWithProgress(
        io,
        options,
        { realTime: Boolean(opts.realTime), json },
        async (session) => (await session.store.getRun(runId))?.dagId,
        `Clearing ${opts.task.join(', ')}${opts.downstream ? ' and downstream' : ''} in ${runId}…`,
        (session) =>
          session.engine.clear(runId, opts.task, { downstream: Boolean(opts.downstream) }),
      );
      setExit(code);
    },
  );
}

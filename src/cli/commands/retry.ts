/**
 * @module cli/commands/retry
 * `updraft retry <runId>`: resume a failed run from the point of failure. Failed tasks and what
 * they stopped run again; tasks that succeeded are not re-executed, their outputs are handed back
 * (runtime/resume). Locally it waits: exit 0 when the run now succeeds. With `--target aws|localstack`
 * it starts the run's next execution (`<runId>-r<n>`) of the same state machine and returns at
 * once, or says why it cannot (still running, succeeded, execution gone after 90 days).
 */
import { compileDag } from '../../compiler/index.ts';
import type { DagIR } from '../../ir/types.ts';
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { load, requireDag, type GlobalOptions } from '../project.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { addTargetOptions, onCloud, targetOf, type CloudTarget } from '../target.ts';
import type { Resume } from '../../runtime/resume.ts';
import { requireRun } from './show.ts';
import { runWithProgress } from './run.ts';

/** Tasks to clear that the DAG has not: refused before anything starts. */
export function checkClearTasks(ir: DagIR, tasks: readonly string[]): void {
  const known = new Set(ir.tasks.map((t) => t.id));
  for (const id of tasks)
    if (!known.has(id))
      throw new UsageError(`task "${id}" is not in DAG "${ir.id}"`, {
        hint: `tasks: ${[...known].join(', ')}`,
      });
}

/** Resumes a run on AWS or LocalStack: a new execution handing back what must not run again. */
export async function resumeOnCloud(
  io: Io,
  options: GlobalOptions,
  target: CloudTarget,
  runId: string,
  resume: Resume,
  json: boolean,
): Promise<void> {
  const project = await load(io, options);
  const { resumeRun } = await import('../../cloud/executions.ts');
  await onCloud(target, async (cloud) => {
    const run = await requireRun(cloud.store, runId, target);
    const { ir } = requireDag(io, project, run.dagId, options);
    if (resume.kind === 'clear') checkClearTasks(ir, resume.tasks);
    const r = await resumeRun(cloud, run, ir, resume, compileDag(ir).parts);
    if (json) {
      io.out(
        JSON.stringify(
          {
            runId,
            dagId: run.dagId,
            executionArn: r.executionArn,
            execution: r.attempt,
            queued: r.queued,
            resumedFrom: r.from,
            givenTasks: r.given,
          },
          null,
          2,
        ),
      );
      return;
    }
    const what =
      resume.kind === 'retry'
        ? 'failed tasks and what they stopped run again'
        : `${resume.tasks.join(', ')}${resume.downstream ? ' and downstream' : ''} run again`;
    const started = r.queued
      ? `queued (the DAG has maxActiveRuns runs going; it starts when one ends)`
      : 'started';
    io.out(
      `✔ ${resume.kind === 'retry' ? 'Resuming' : 'Clearing'} ${runId} on ${cloud.where}: execution ${r.attempt} (${r.name}) ${started} — ${what}; ${r.given} task${r.given === 1 ? '' : 's'} hand back what they answered before (the last execution ended ${r.from}).`,
    );
    if (r.operatorsAgain)
      io.out(
        `  ! the last execution ended ${r.from} without its final state, so operators (AWS service tasks) run again`,
      );
    io.out(`  ${r.executionArn}`);
    io.out(
      `  ↳ follow it: updraft show ${runId} ${target.flags} · updraft logs ${runId} ${target.flags}`,
    );
  });
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('retry')
    .description(
      'resume a failed run: failed and downstream tasks run again, succeeded ones are reused',
    )
    .argument('<runId>', 'run id (updraft runs <dag> lists them)')
    .option('--real-time', 'honour waits, sensor poke intervals and retry delays')
    .option('--json', 'print the outcome as JSON');
  addTargetOptions(command).action(
    async (
      runId: string,
      opts: { realTime?: boolean; json?: boolean; target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const json = Boolean(opts.json || options.json);
      const target = targetOf(opts);
      if (target.kind !== 'local') {
        await resumeOnCloud(io, options, target, runId, { kind: 'retry' }, json);
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
    },
  );
}

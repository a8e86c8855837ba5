/**
 * @module cli/commands/test
 * `updraft test <dag> <task> [--inputs JSON] [--date D] [--conf JSON] [--item JSON]`: run one
 * task's code alone (Airflow's `airflow tasks test`), with upstream outputs from the DAG's
 * latest run that has them or given as JSON; prints its log lines and output, records nothing.
 * Local only: it runs the task's code on this machine whatever `--target` says, so that is refused.
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { addTargetOptions, requireLocal } from '../target.ts';
import { requireDag, type GlobalOptions } from '../project.ts';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from '../errors.ts';
import { openSession } from '../session.ts';
import { stateLabel } from '../render-run.ts';
import { parseConf, parseDateFlag } from './run.ts';

function parseJson(option: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${option} is not valid JSON: ${(error as Error).message}`, {
      hint: `e.g. ${option} '{"extract": {"rows": 3}}'`,
    });
  }
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('test')
    .description(
      "run one task's code alone, with upstream outputs from the latest run or given as JSON",
    )
    .argument('<dag>', 'DAG id')
    .argument('<task>', 'task id')
    .option('--inputs <json>', 'upstream outputs by task id, e.g. \'{"extract": {"rows": 3}}\'')
    .option('--date <date>', 'logical date for the context (default: the latest complete interval)')
    .option('--conf <json>', 'run params as a JSON object')
    .option('--item <json>', 'mapped tasks: the item to run with (default: the first)')
    .option('--json', 'print the result as JSON');
  addTargetOptions(command, { hidden: true }).action(
    async (
      dagId: string,
      taskId: string,
      opts: {
        inputs?: string;
        date?: string;
        conf?: string;
        item?: string;
        json?: boolean;
        target?: string;
        env?: string;
        region?: string;
      },
      cmd: Command,
    ) => {
      requireLocal(
        opts,
        'test',
        (flags) =>
          `it runs one task's code on this machine and records nothing; to run the DAG on the deployment: updraft trigger ${dagId} ${flags}`,
      );
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const inputs = parseJson('--inputs', opts.inputs);
      if (
        inputs !== undefined &&
        (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
      ) {
        throw new UsageError('--inputs must be a JSON object of upstream outputs by task id', {
          hint: `e.g. --inputs '{"extract": {"rows": 3}}'`,
        });
      }
      const item = parseJson('--item', opts.item);
      const date = parseDateFlag(opts.date);
      const json = Boolean(opts.json || options.json);
      const session = await openSession(io, options);
      try {
        requireDag(io, session.project!, dagId, options);
        const { testTask } = await import('../../engine/test-task.ts');
        const r = await testTask(session.engine, dagId, taskId, {
          ...(inputs !== undefined && { inputs: inputs as Record<string, unknown> }),
          ...(date !== undefined && { date }),
          conf: parseConf(opts.conf),
          ...(item !== undefined && { item }),
        });
        if (json) {
          io.out(JSON.stringify(r, null, 2));
        } else {
          for (const [id, from] of Object.entries(r.inputsFrom))
            io.out(`input ${id}: ${from === 'given' ? 'given with --inputs' : `from run ${from}`}`);
          for (const l of r.logs) {
            const { time, level, message, dag: _d, run: _r, task: _t, try: _try, ...extra } = l;
            const fields = Object.entries(extra)
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ');
            io.out(
              `${time.slice(11, 23)} ${level.padEnd(5)} ${message}${fields ? `  ${fields}` : ''}`,
            );
          }
          io.out(
            `${stateLabel(r.status, io.color)}  ${dagId}.${taskId} in ${r.durationMs.toFixed(0)} ms (nothing recorded)`,
          );
          if (r.error) io.out(`  ${r.error.error}: ${r.error.cause}`);
          else {
            io.out(`output: ${JSON.stringify(r.output, null, 2)}`);
            if (r.effect) io.out(`  ↳ ${r.effect}`);
          }
        }
        setExit(r.status === 'success' ? EXIT_OK : EXIT_USER_ERROR);
      } finally {
        await session.close();
      }
    },
  );
}

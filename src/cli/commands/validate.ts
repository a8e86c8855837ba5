/**
 * @module cli/commands/validate
 * `updraft validate`: every DAG in the folder, every problem at once; exit 1 on any error.
 */
import type { Command } from 'commander';
import { countBySeverity } from '../../problems.ts';
import type { Io } from '../io.ts';
import { load, printProblems, summary, type GlobalOptions } from '../project.ts';
import { EXIT_OK, EXIT_USER_ERROR } from '../errors.ts';

export function register(program: Command, io: Io, run: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'check every DAG: ids, cycles, schedules, trigger rules, retries, sensors, connections …',
    )
    .option(
      '--json',
      'print { ok, files, dags, errors, warnings, problems: [{ code, severity, message, hint, file, dagId, taskId, path }] }',
    )
    .addHelpText('after', '\nExit code: 0 when there is no error (warnings allowed), 1 otherwise.')
    .action(async (_opts, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const result = await load(io, options, { compile: true });
      const { errors, warnings } = countBySeverity(result.problems);
      if (options.json) {
        io.out(
          JSON.stringify(
            {
              ok: errors === 0,
              files: result.files,
              dags: result.dags.map((d) => d.ir.id),
              errors,
              warnings,
              problems: result.problems,
            },
            null,
            2,
          ),
        );
      } else {
        const color = io.color && options.color !== false;
        printProblems(io, result.problems, color, io.out);
        if (result.problems.length > 0) io.out('');
        if (errors === 0) {
          io.out(
            `✔ ${result.dags.length} DAG${result.dags.length === 1 ? '' : 's'} in ${result.files.length} file${result.files.length === 1 ? '' : 's'} valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`,
          );
        } else {
          io.out(summary(result.problems));
        }
      }
      run(errors === 0 ? EXIT_OK : EXIT_USER_ERROR);
    });
}

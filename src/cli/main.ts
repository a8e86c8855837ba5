/**
 * @module cli/main
 * The `updraft` command: a thin shell over the library (CONTRIBUTING.md#a-thin-cli). One file per command
 * under `commands/`; options every command takes are declared here; `handleError` maps
 * failures to exit codes (0 ok, 1 user error, 2 internal error).
 */
import { Command, CommanderError } from 'commander';
import { handleError, EXIT_OK } from './errors.ts';
import { processIo, type Io } from './io.ts';
import { maskedIo } from './masked-io.ts';
import * as list from './commands/list.ts';
import * as validate from './commands/validate.ts';
import * as graph from './commands/graph.ts';
import * as compile from './commands/compile.ts';
import * as explain from './commands/explain.ts';
import * as connections from './commands/connections.ts';
import * as run from './commands/run.ts';
import * as runs from './commands/runs.ts';
import * as show from './commands/show.ts';
import * as logs from './commands/logs.ts';
import * as outbox from './commands/outbox.ts';
import * as datasets from './commands/datasets.ts';
import * as simulate from './commands/simulate.ts';
import * as dev from './commands/dev.ts';
import * as ui from './commands/ui.ts';
import * as retry from './commands/retry.ts';
import * as clear from './commands/clear.ts';
import * as backfill from './commands/backfill.ts';
import * as testCommand from './commands/test.ts';
import * as trigger from './commands/trigger.ts';
import * as pause from './commands/pause.ts';
import * as doctor from './commands/doctor.ts';

const COMMANDS = [
  list,
  validate,
  graph,
  compile,
  explain,
  run,
  trigger,
  runs,
  show,
  logs,
  outbox,
  datasets,
  retry,
  clear,
  backfill,
  dev,
  ui,
  simulate,
  testCommand,
  pause,
  connections,
  doctor,
];

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('updraft')
    .description('Airflow-style DAGs in TypeScript, compiled to AWS Step Functions.')
    .version('0.1.0', '-v, --version')
    .option('--dags <dir>', 'folder with the DAG files', 'dags')
    .option('--no-color', 'plain output without colours')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    })
    .exitOverride();
  program.commands.forEach((c) => c.exitOverride());
  for (const command of COMMANDS) command.register(program, io, setExit);
  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Run the CLI with these arguments; resolves to the exit code. */
export async function main(argv: readonly string[], plainIo: Io = processIo()): Promise<number> {
  // Connections' secrets never reach the terminal, whatever a record or an output holds.
  const io = maskedIo(plainIo);
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_OK;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help')
    )
      return EXIT_OK;
    return handleError(error, io.err);
  }
}

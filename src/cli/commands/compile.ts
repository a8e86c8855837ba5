/**
 * @module cli/commands/compile
 * `updraft compile <dag>`: the ASL JSON the DAG deploys as, on stdout (pipe-friendly);
 * `--manifest` prints the manifest instead.
 */
import type { Command } from 'commander';
import { compileDag } from '../../compiler/index.ts';
import type { Io } from '../io.ts';
import { load, requireDag, type GlobalOptions } from '../project.ts';
import { EXIT_OK } from '../errors.ts';

export function register(program: Command, io: Io, run: (code: number) => void): void {
  program
    .command('compile')
    .description('print the Step Functions definition (ASL, JSONPath) of a DAG')
    .argument('<dag>', 'DAG id')
    .option('--manifest', 'print the manifest (tasks, state roles, placeholders) instead')
    .addHelpText(
      'after',
      '\nPlaceholders such as ${TaskRunnerFunctionArn} are filled at deploy time (DefinitionSubstitutions).\n\nExample:\n  updraft compile daily_orders > daily_orders.asl.json',
    )
    .action(async (dagId: string, opts: { manifest?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const result = await load(io, options);
      const dag = requireDag(io, result, dagId, options);
      const compiled = compileDag(dag.ir);
      io.out(opts.manifest ? JSON.stringify(compiled.manifest, null, 2) : compiled.json.trimEnd());
      run(EXIT_OK);
    });
}

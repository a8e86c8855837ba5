/**
 * @module cli/commands/graph
 * `updraft graph <dag> --format text|mermaid|dot`: the DAG's shape, groups shown.
 */
import { Option, type Command } from 'commander';
import type { Io } from '../io.ts';
import { load, requireDag, type GlobalOptions } from '../project.ts';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../render-graph.ts';
import { EXIT_OK } from '../errors.ts';

export function register(program: Command, io: Io, run: (code: number) => void): void {
  program
    .command('graph')
    .description('draw a DAG: in the terminal (text), or as Mermaid or Graphviz DOT source')
    .argument('<dag>', 'DAG id')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(GRAPH_FORMATS).default('text'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  updraft graph daily_orders\n  updraft graph daily_orders --format mermaid > docs/daily_orders.mmd\n  updraft graph daily_orders --format dot | dot -Tsvg > daily_orders.svg',
    )
    .action(async (dagId: string, opts: { format: GraphFormat }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const result = await load(io, options);
      const dag = requireDag(io, result, dagId, options);
      io.out(
        renderGraph(dag.ir, opts.format, {
          color: io.color && options.color !== false && opts.format === 'text',
        }),
      );
      run(EXIT_OK);
    });
}

/**
 * @module cli/commands/datasets
 * `updraft datasets [--json]`: every dataset of the project with its producers, readers and
 * consumers and its last update, then each dataset-scheduled DAG's condition and what it still
 * waits for (runtime/dataset-overview). Local: the embedded engine's run store.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { datasetOverview } from '../../runtime/dataset-overview.ts';
import { EXIT_OK } from '../errors.ts';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { withSession } from '../session.ts';

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('datasets')
    .description(
      'list the datasets: producers, readers, consumers, last update, and what each data-aware DAG still waits for',
    )
    .option(
      '--json',
      'print { datasets: [{ uri, producers, readers, consumers, lastEvent? }], consumers: [{ dagId, condition, updated, waitingFor?, lastRunId? }] }',
    )
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      await withSession(io, options, {}, async (session) => {
        const dags = session.engine.options.dags.map((d) => d.ir);
        const overview = await datasetOverview(session.store, dags);
        if (opts.json || options.json) {
          io.out(JSON.stringify(overview, null, 2));
          return;
        }
        if (overview.datasets.length === 0) {
          io.out(
            `No datasets in ${options.dags}/: a task declares them with outlets: [dataset('s3://…')], a DAG consumes them with schedule: [dataset(…)].`,
          );
          return;
        }
        const style = { head: io.color && options.color !== false ? ['cyan'] : [], border: [] };
        const datasets = new Table({
          head: ['dataset', 'last update', 'producers', 'consumers'],
          style,
          wordWrap: true,
        });
        for (const d of overview.datasets)
          datasets.push([
            d.uri,
            d.lastEvent ? `${d.lastEvent.at}\n${d.lastEvent.runId}` : 'never',
            d.producers.join('\n') || '—',
            d.consumers.join('\n') || '—',
          ]);
        io.out(datasets.toString());
        if (overview.consumers.length === 0) return;
        const consumers = new Table({
          head: ['data-aware DAG', 'condition', 'updated since its last run', 'waits for'],
          style,
          wordWrap: true,
        });
        for (const c of overview.consumers)
          consumers.push([
            c.dagId,
            c.condition,
            c.updated.join('\n') || '—',
            c.waitingFor ?? 'nothing (its condition holds)',
          ]);
        io.out(consumers.toString());
      });
      setExit(EXIT_OK);
    });
}

/**
 * @module cli/commands/backfill
 * `updraft backfill <dag> --from D1 --to D2 [--max-concurrency N]`: one run per interval of the
 * schedule whose logical date is in [D1, D2], at most N at once. Run ids are deterministic, so
 * intervals that already have a run are left as they are and repeating the command starts
 * nothing new. Exit 0 when every interval's run succeeded. Local only: `--target aws` is refused
 * with what to do on a deployment (`updraft trigger --date` per interval).
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import type { Io } from '../io.ts';
import { addTargetOptions, requireLocal } from '../target.ts';
import { requireDag, type GlobalOptions } from '../project.ts';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from '../errors.ts';
import { openSession } from '../session.ts';
import { stateLabel } from '../render-run.ts';
import { watchInterrupt } from '../interrupt.ts';
import { beforeExit, orderOf } from './run.ts';
import { compileDag } from '../../compiler/index.ts';
import { costEstimate } from './explain.ts';
import type { DagIR } from '../../ir/types.ts';
import { runIdOf } from '../../runtime/launch.ts';
import { backfillIntervals } from '../../schedule/index.ts';
import type { Store } from '../../store/types.ts';

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${name} must be a positive whole number, got "${text}"`, {
      hint: `e.g. ${name} 4`,
    });
  return n;
}

/**
 * `--dry-run`: the intervals of the range, which of them would start a run (those without one)
 * and each run's estimated cost as `updraft explain` prices a run (the compiled machine's
 * all-success transitions, the Lambda requests, their duration where tasks declare
 * expectedDuration). Starts nothing.
 */
async function dryRun(
  io: Io,
  store: Store,
  ir: DagIR,
  from: string,
  to: string,
  json: boolean,
): Promise<void> {
  const { perRunUsd } = costEstimate(ir, compileDag(ir), new Date());
  const intervals = await Promise.all(
    backfillIntervals(ir, from, to).map(async (interval) => {
      const runId = runIdOf(ir.id, interval.logicalDate);
      const existing = await store.getRun(runId);
      return {
        logicalDate: interval.logicalDate.toISOString(),
        runId,
        action: existing ? ('existing' as const) : ('would run' as const),
        ...(existing && { status: existing.status }),
        estimatedUsd: existing ? 0 : perRunUsd,
      };
    }),
  );
  const starting = intervals.filter((i) => i.action === 'would run');
  const totalUsd = starting.length * perRunUsd;
  if (json) {
    io.out(
      JSON.stringify(
        { dagId: ir.id, from, to, dryRun: true, perRunUsd, totalUsd, intervals },
        null,
        2,
      ),
    );
    return;
  }
  if (intervals.length === 0) {
    io.out(`No interval of ${ir.id}'s schedule has its logical date in that range.`);
    return;
  }
  const table = new Table({
    head: ['logical date', 'run id', 'would', 'estimated cost'],
    style: { head: io.color ? ['bold'] : [], border: io.color ? ['grey'] : [] },
  });
  for (const i of intervals)
    table.push([
      i.logicalDate,
      i.runId,
      i.action === 'existing' ? `leave it (${i.status})` : 'start a run',
      i.action === 'existing' ? '' : `$${perRunUsd.toFixed(6)}`,
    ]);
  io.out(table.toString());
  io.out(
    `Dry run: ${starting.length} run${starting.length === 1 ? '' : 's'} would start, ${intervals.length - starting.length} interval${intervals.length - starting.length === 1 ? '' : 's'} already had one; estimated $${totalUsd.toFixed(6)}, as updraft explain ${ir.id} prices a run. Nothing was started.`,
  );
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: commander declaration and the backfill loop with its progress and Ctrl-C story
export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('backfill')
    .description(
      'run every interval of a date range (deterministic run ids: done intervals are skipped)',
    )
    .argument('<dag>', 'DAG id')
    .requiredOption(
      '--from <date>',
      'first logical date (inclusive), YYYY-MM-DD or ISO date-time in the DAG timezone',
    )
    .requiredOption('--to <date>', 'last logical date (inclusive)')
    .option('--max-concurrency <n>', "runs at once (at most the DAG's maxActiveRuns)", '1')
    .option('--real-time', 'honour waits, sensor poke intervals and retry delays')
    .option(
      '--dry-run',
      'start nothing: list the runs it would start and what they would cost (the compiled machine, as updraft explain counts it)',
    )
    .option('--json', 'print the intervals as JSON');
  addTargetOptions(command, { hidden: true }).action(
    async (
      dagId: string,
      opts: {
        from: string;
        to: string;
        maxConcurrency: string;
        realTime?: boolean;
        dryRun?: boolean;
        json?: boolean;
        target?: string;
        env?: string;
        region?: string;
      },
      cmd: Command,
    ) => {
      requireLocal(
        opts,
        'backfill',
        (flags) =>
          `on a deployment, start each interval with: updraft trigger ${dagId} --date <logical date> ${flags} (a DAG with catchup: true has its schedule start missed intervals itself)`,
      );
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const maxConcurrency = positiveInt('--max-concurrency', opts.maxConcurrency);
      const json = Boolean(opts.json || options.json);
      const session = await openSession(io, options, { realTime: Boolean(opts.realTime) });
      if (opts.dryRun) {
        try {
          const { ir } = requireDag(io, session.project!, dagId, options);
          await dryRun(io, session.store, ir, opts.from, opts.to, json);
          setExit(EXIT_OK);
        } finally {
          await session.close();
        }
        return;
      }
      const interrupt = watchInterrupt({
        io,
        store: session.store,
        orderOf: (id) => orderOf(session, id),
        beforeReport: () => beforeExit(session, undefined),
        footer: [
          `↳ intervals not reached yet: run the same backfill again (updraft backfill ${dagId} --from ${opts.from} --to ${opts.to}); it leaves intervals that have a run as they are`,
        ],
      });
      try {
        const { ir } = requireDag(io, session.project!, dagId, options);
        // As on AWS (and in Airflow), the DAG's maxActiveRuns caps how many of its runs go at once.
        const atOnce = Math.min(maxConcurrency, ir.maxActiveRuns);
        if (!json)
          io.out(
            `Backfilling ${dagId} from ${opts.from} to ${opts.to}, ${atOnce} at a time${atOnce < maxConcurrency ? ` (its maxActiveRuns is ${ir.maxActiveRuns})` : ''}…`,
          );
        const results = await session.engine.backfill(dagId, opts.from, opts.to, {
          maxConcurrency: atOnce,
          onInterval: (i) => {
            if (!json)
              io.out(
                `  ${stateLabel(i.status, io.color)}  ${i.runId}${i.action === 'existing' ? '  (already had a run; left as it was)' : ''}`,
              );
          },
        });
        const ran = results.filter((r) => r.action === 'ran').length;
        const failed = results.filter((r) => r.status === 'failed');
        if (json) {
          io.out(
            JSON.stringify({ dagId, from: opts.from, to: opts.to, intervals: results }, null, 2),
          );
        } else if (results.length === 0) {
          io.out(`No interval of ${dagId}'s schedule has its logical date in that range.`);
        } else {
          const table = new Table({
            head: ['logical date', 'run id', 'state', ''],
            style: { head: io.color ? ['bold'] : [], border: io.color ? ['grey'] : [] },
          });
          for (const r of [...results].sort((a, b) => a.logicalDate.localeCompare(b.logicalDate)))
            table.push([
              r.logicalDate,
              r.runId,
              stateLabel(r.status, io.color),
              r.action === 'existing' ? 'existing' : 'ran',
            ]);
          io.out(table.toString());
          io.out(
            `${results.length} interval${results.length === 1 ? '' : 's'}: ${ran} ran now, ${results.length - ran} already had a run; ${failed.length} failed${failed.length ? ` — resume one with: updraft retry ${failed[0]!.runId}` : ''}`,
          );
        }
        setExit(failed.length === 0 ? EXIT_OK : EXIT_USER_ERROR);
      } finally {
        interrupt.dispose();
        await session.close();
      }
    },
  );
}

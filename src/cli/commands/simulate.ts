/**
 * @module cli/commands/simulate
 * `updraft simulate --from D --until D [--json]`: the runs the deployed schedules and dataset
 * conditions would start over that stretch (engine/simulate), as if deployed at `--from` with no
 * runs yet, printed as a timeline in each DAG's timezone with each schedule's ticks. No task code
 * runs and nothing is written to the project's run store.
 */
import type { Command } from 'commander';
import { simulate, type Simulation } from '../../engine/simulate.ts';
import { parseDateInZone } from '../../schedule/index.ts';
import { isValidDag } from '../../loader/load-project.ts';
import { countBySeverity } from '../../problems.ts';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { load, summary, type GlobalOptions } from '../project.ts';
import { localTime } from './list.ts';

/** Most days one simulation covers: a year of a minutely schedule is half a million ticks. */
const MAX_DAYS = 366;

function parseInstant(text: string, option: string): Date {
  const date = text.trim() === '' ? undefined : parseDateInZone(text, 'UTC');
  if (!date)
    throw new UsageError(`${option} ${JSON.stringify(text)} is not a date`, {
      hint: `write it as 2026-03-01 or 2026-03-01T06:00 (UTC), e.g. ${option} 2026-03-01`,
    });
  return date;
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('simulate')
    .description(
      'show the runs the deployed schedules and dataset conditions would start between two dates (EventBridge Scheduler ticks, DST, catchup, dataset cascades), without running anything',
    )
    .requiredOption(
      '--from <date>',
      'start, as if deployed then with no runs yet (UTC, e.g. 2026-03-01)',
    )
    .requiredOption('--until <date>', 'end (UTC, e.g. 2026-04-01)')
    .option(
      '--json',
      'print { from, until, runs: [{ at, dagId, runId, triggeredBy, logicalDate, dataIntervalStart, dataIntervalEnd, datasets?, deadline? }], schedules: [{ dagId, expression, timezone, ticks, idleTicks }] }',
    )
    .action(async (opts: { from: string; until: string; json?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const from = parseInstant(opts.from, '--from');
      const until = parseInstant(opts.until, '--until');
      if (until <= from)
        throw new UsageError(`--until ${opts.until} is not after --from ${opts.from}`, {
          hint: 'give --until a later date than --from',
        });
      if (until.getTime() - from.getTime() > MAX_DAYS * 86_400_000)
        throw new UsageError(
          `--from ${opts.from} to --until ${opts.until} is over ${MAX_DAYS} days`,
          {
            hint: 'simulate a year at most at a time',
          },
        );
      const project = await load(io, options);
      const dags = project.dags.filter((d) => isValidDag(project, d.ir.id)).map((d) => d.ir);
      const started = performance.now();
      const result = await simulate(dags, from, until);
      const seconds = (performance.now() - started) / 1000;
      if (opts.json || options.json) io.out(JSON.stringify(result, null, 2));
      else printTimeline(io, result, new Map(dags.map((d) => [d.id, d.timezone])), seconds);
      const { errors } = countBySeverity(project.problems);
      if (errors > 0)
        io.err(
          `${summary(project.problems)} — DAGs with errors are left out; run updraft validate for details`,
        );
      setExit(errors === 0 ? EXIT_OK : EXIT_USER_ERROR);
    });
}

function printTimeline(
  io: Io,
  result: Simulation,
  zones: ReadonlyMap<string, string>,
  seconds: number,
): void {
  for (const run of result.runs) {
    const zone = zones.get(run.dagId) ?? 'UTC';
    const why =
      run.triggeredBy === 'dataset' ? `datasets ${(run.datasets ?? []).join(', ')}` : 'schedule';
    const deadline = run.deadline ? `, deadline ${localTime(run.deadline, zone)}` : '';
    io.out(
      `${run.at.slice(0, 16).replace('T', ' ')}Z  ${localTime(run.at, zone)} ${zone}  ${run.runId}  (${why}${deadline})`,
    );
  }
  for (const s of result.schedules)
    io.out(
      `${s.dagId}: ${s.expression} in ${s.timezone}, ${s.ticks} tick${s.ticks === 1 ? '' : 's'}${s.idleTicks > 0 ? `, ${s.idleTicks} starting nothing` : ''}`,
    );
  io.out(
    `${result.runs.length} run${result.runs.length === 1 ? '' : 's'} from ${result.from} to ${result.until}, simulated in ${seconds.toFixed(1)} s (no task code ran)`,
  );
}

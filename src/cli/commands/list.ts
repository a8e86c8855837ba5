/**
 * @module cli/commands/list
 * `updraft list`: the DAGs with their schedule in words, timezone, next three runs
 * (logical date → runs after), task count and tags. `--json` for scripts.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import {
  describeSchedule,
  formatCondition,
  nextRuns,
  type RunInterval,
} from '../../schedule/index.ts';
import { timeScheduleOf, type DagIR } from '../../ir/types.ts';
import { countBySeverity } from '../../problems.ts';
import type { Io } from '../io.ts';
import { load, summary, type GlobalOptions } from '../project.ts';
import { isValidDag } from '../../loader/load-project.ts';
import { EXIT_OK, EXIT_USER_ERROR } from '../errors.ts';

export interface DagListing {
  readonly id: string;
  readonly file: string;
  readonly schedule: string;
  readonly scheduleExpression: string | null;
  readonly timezone: string;
  readonly tasks: number;
  readonly tags: readonly string[];
  readonly nextRuns: readonly {
    logicalDate: string;
    dataIntervalStart: string;
    dataIntervalEnd: string;
    runAfter: string;
  }[];
}

function expression(dag: DagIR): string | null {
  const s = dag.schedule;
  switch (s.kind) {
    case 'cron':
    case 'rate':
      return s.expression;
    case 'datasets':
      return s.time
        ? `${formatCondition(s.condition)} | ${s.time.expression}`
        : formatCondition(s.condition);
    case 'manual':
      return null;
  }
}

export function listing(dag: DagIR, now: Date): DagListing {
  const runs = nextRuns(dag, now, 3);
  return {
    id: dag.id,
    file: dag.file,
    schedule: describeSchedule(dag.schedule),
    scheduleExpression: expression(dag),
    timezone: timeScheduleOf(dag.schedule)?.timezone ?? dag.timezone,
    tasks: dag.tasks.length,
    tags: dag.tags,
    nextRuns: runs.map((r: RunInterval) => ({
      logicalDate: r.logicalDate.toISOString(),
      dataIntervalStart: r.dataIntervalStart.toISOString(),
      dataIntervalEnd: r.dataIntervalEnd.toISOString(),
      runAfter: r.runAfter.toISOString(),
    })),
  };
}

/** `2026-11-21 02:00` in the given zone. */
export function localTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function register(program: Command, io: Io, run: (code: number) => void): void {
  program
    .command('list')
    .description('list the DAGs: schedule, timezone, next three runs, task count, tags')
    .option(
      '--json',
      'print [{ id, file, schedule, scheduleExpression, timezone, tasks, tags, nextRuns: [{ logicalDate, dataIntervalStart, dataIntervalEnd, runAfter }] }] (ISO-8601 instants)',
    )
    .action(async (_opts, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const result = await load(io, options);
      const valid = result.dags.filter((d) => isValidDag(result, d.ir.id));
      const rows = valid.map((d) => listing(d.ir, io.now()));
      const { errors } = countBySeverity(result.problems);
      if (options.json) {
        io.out(JSON.stringify(rows, null, 2));
      } else if (rows.length === 0) {
        io.out(`No valid DAGs in ${options.dags}/.`);
      } else {
        const table = new Table({
          head: ['DAG', 'schedule', 'next runs (logical date → runs after)', 'tasks', 'tags'],
          style: { head: io.color && options.color !== false ? ['cyan'] : [], border: [] },
          wordWrap: true,
        });
        for (const r of rows) {
          const runs =
            r.nextRuns
              .map(
                (n) =>
                  `${localTime(n.logicalDate, r.timezone)} → ${localTime(n.runAfter, r.timezone)}`,
              )
              .join('\n') || '—';
          table.push([
            r.id,
            `${r.schedule}${r.scheduleExpression ? `\n${r.scheduleExpression}` : ''}`,
            runs,
            String(r.tasks),
            r.tags.join(', '),
          ]);
        }
        io.out(table.toString());
      }
      if (errors > 0) {
        io.err(
          `${summary(result.problems)} — DAGs with errors are not listed; run updraft validate for details`,
        );
      }
      run(errors === 0 ? EXIT_OK : EXIT_USER_ERROR);
    });
}

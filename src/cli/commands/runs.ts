/**
 * @module cli/commands/runs
 * `updraft runs [dag] [--status S] [--limit N] [--json]`: the runs of one DAG, or of every DAG,
 * newest logical date first — state, logical date, trigger, start, duration and execution
 * (1, then +1 each time retry/clear resumed it). Reads records only: no DAG is loaded. With
 * `--target aws|localstack`, the same records from the environment's DynamoDB table.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { didYouMean, suggest } from '../../ir/problems.ts';
import type { RunRecord, RunStatus, Store } from '../../store/types.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { load, type GlobalOptions } from '../project.ts';
import { durationOf, stateLabel } from '../render-run.ts';
import { withSession } from '../session.ts';
import { addTargetOptions, flagsOf, onCloud, targetOf, type Target } from '../target.ts';
import { shortTime } from './show.ts';

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'success', 'failed'];
/** The store's default page: enough to see the last weeks of a daily DAG at a glance. */
const DEFAULT_LIMIT = 50;

export function parseStatus(text: string | undefined): RunStatus | undefined {
  if (text === undefined) return undefined;
  if ((STATUSES as readonly string[]).includes(text)) return text as RunStatus;
  throw new UsageError(`--status "${text}" is not a run state${didYouMean(text, STATUSES)}`, {
    hint: `use one of: ${STATUSES.join(', ')}`,
  });
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--limit must be a positive integer, got "${text}"`, {
      hint: `e.g. --limit 20 (default ${DEFAULT_LIMIT})`,
    });
  return n;
}

function runsTable(runs: readonly RunRecord[], io: Io): string {
  const color = io.color;
  const table = new Table({
    head: ['run id', 'state', 'logical date', 'triggered by', 'started', 'duration', 'execution'],
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] },
  });
  for (const r of runs) {
    const running = r.startedAt && !r.endedAt && (r.status === 'running' || r.status === 'queued');
    const took = running
      ? `${durationOf(r.startedAt, io.now().toISOString())} so far`
      : durationOf(r.startedAt, r.endedAt);
    table.push([
      r.runId,
      stateLabel(r.status, color),
      shortTime(r.logicalDate),
      r.triggeredBy,
      shortTime(r.startedAt),
      took,
      String(r.attempt),
    ]);
  }
  return table.toString();
}

/**
 * What to say when nothing matched, and how to get a run. `dags`: the project's DAG ids, when it
 * loads — a DAG of the project with no runs is told so, not offered another DAG's name.
 */
function nothing(
  dagId: string | undefined,
  status: RunStatus | undefined,
  others: readonly string[],
  dags: readonly string[] | undefined,
  target: Target,
): string {
  const what = `${status ? `${status} ` : ''}runs${dagId ? ` of DAG "${dagId}"` : ''}`;
  const flags = flagsOf(target);
  const start = target.kind === 'local' ? 'updraft run' : 'updraft trigger';
  if (status)
    return `No ${what}. Without --status: updraft runs${dagId ? ` ${dagId}` : ''}${flags}`;
  if (!dagId)
    return `No runs yet. Start one with: ${start} <dag>${flags} (updraft list shows the DAGs)`;
  if (dags?.includes(dagId))
    return `DAG ${dagId} has no runs yet; start one: ${start} ${dagId}${flags}`;
  const near = suggest(dagId, [...new Set([...others, ...(dags ?? [])])]);
  if (near)
    return `No ${what} (did you mean "${near}"? updraft runs ${near}${flags} lists its runs)`;
  if (dags)
    return `No ${what}, and the project has no DAG "${dagId}" (updraft list shows the DAGs)`;
  return `No ${what} yet. Start one with: ${start} ${dagId}${flags}`;
}

/** The project's DAG ids, or undefined when it does not load (no dags/ folder …). */
async function projectDags(io: Io, options: GlobalOptions): Promise<string[] | undefined> {
  try {
    return (await load(io, options)).dags.map((d) => d.ir.id);
  } catch {
    return undefined;
  }
}

/** Lists the runs the query names from `store`, as a table or JSON. */
async function printRuns(
  io: Io,
  options: GlobalOptions,
  store: Store,
  query: { dagId?: string; status?: RunStatus; limit: number },
  json: boolean,
  target: Target,
): Promise<void> {
  const { dagId, status, limit } = query;
  const runs = await store.listRuns({
    ...(dagId !== undefined && { dagId }),
    ...(status && { status }),
    limit,
  });
  if (json) {
    // taskStates is the grid's summary (store/types): the tasks are `updraft show`'s.
    io.out(
      JSON.stringify(
        runs.map(({ taskStates: _states, ...run }) => run),
        null,
        2,
      ),
    );
    return;
  }
  if (runs.length === 0) {
    const others =
      dagId !== undefined && !status
        ? new Set((await store.listRuns({ limit: 200 })).map((r) => r.dagId))
        : new Set<string>();
    io.out(
      nothing(
        dagId,
        status,
        [...others],
        dagId !== undefined && !status ? await projectDags(io, options) : undefined,
        target,
      ),
    );
    return;
  }
  io.out(runsTable(runs, io));
  const more = runs.length === limit ? ` (the newest ${limit}; --limit N shows more)` : '';
  const flags = flagsOf(target);
  io.out(
    `${runs.length} run${runs.length === 1 ? '' : 's'}${more} · details: updraft show <run id>${flags} · task logs: updraft logs <run id>${flags}`,
  );
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('runs')
    .description(
      'list runs, newest logical date first: state, logical date, trigger, start, duration, execution',
    )
    .argument('[dag]', 'DAG id (default: every DAG)')
    .option('--status <status>', `only runs in this state: ${STATUSES.join(', ')}`)
    .option('--limit <n>', `at most this many runs (default ${DEFAULT_LIMIT})`)
    .option(
      '--json',
      'print the run records: [{ runId, dagId, key, logicalDate, dataIntervalStart, dataIntervalEnd, triggeredBy, conf, status, attempt, queuedAt, startedAt, endedAt, error }]',
    );
  addTargetOptions(command).action(
    async (
      dagId: string | undefined,
      opts: {
        status?: string;
        limit?: string;
        json?: boolean;
        target?: string;
        env?: string;
        region?: string;
      },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const target = targetOf(opts);
      const query = {
        ...(dagId !== undefined && { dagId }),
        ...(opts.status !== undefined && { status: parseStatus(opts.status) }),
        limit: parseLimit(opts.limit),
      };
      const json = Boolean(opts.json || options.json);
      if (target.kind === 'local')
        await withSession(io, options, { loadDags: false }, (session) =>
          printRuns(io, options, session.store, query, json, target),
        );
      else
        await onCloud(target, (cloud) => printRuns(io, options, cloud.store, query, json, target));
      setExit(EXIT_OK);
    },
  );
}

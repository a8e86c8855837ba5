/**
 * @module cli/commands/explain
 * `updraft explain <dag>`: what the compiler did — states, the fork/join structure and any
 * waits it had to add (with their cost in makespan), the transitions and price of an
 * all-success run, how far the DAG stays from Step Functions' limits, and what its pools add
 * (their states, and what waiting for a slot costs). `--json` for scripts.
 */
import type { Command } from 'commander';
import { compileDag, pricesFor, type CompileResult, type SpNode } from '../../compiler/index.ts';
import { timeScheduleOf, type DagIR } from '../../ir/types.ts';
import { runsBetween, scheduledDag } from '../../schedule/index.ts';
import { taskMemoryMiB } from '../ui-run-cost.ts';
import { formatDuration } from '../../sdk/duration.ts';
import type { Io } from '../io.ts';
import { load, requireDag, type GlobalOptions } from '../project.ts';
import { EXIT_OK } from '../errors.ts';

/** The structure line stops here: a DAG of thousands of tasks is told by its parts and counts. */
const TREE_CHARS = 600;

/** `a → [ b | c → d ] → e`, cut short past TREE_CHARS characters. */
function describeShort(node: SpNode, tasks: number): string {
  const full = describeTree(node);
  if (full.length <= TREE_CHARS) return full;
  const cut = full.lastIndexOf(' ', TREE_CHARS);
  return `${full.slice(0, cut)} … (${tasks.toLocaleString('en-US')} tasks in all; --json has the whole tree)`;
}

/** `a → [ b | c → d ] → e` */
export function describeTree(node: SpNode): string {
  switch (node.kind) {
    case 'task':
      return node.id;
    case 'series':
      return node.items.map(describeTree).join(' → ');
    case 'parallel':
      return `[ ${node.branches.map(describeTree).join(' | ')} ]`;
    case 'cluster':
      return `${node.id}{ ${describeTree(node.body)} }`;
  }
}

export function explanation(compiled: CompileResult, usesDurations: boolean) {
  const { analysis: a, structure: s, manifest } = compiled;
  return {
    dagId: manifest.dagId,
    tasks: manifest.tasks.length,
    states: a.states,
    structure: {
      tree: describeTree(s.tree),
      addedWaits: s.addedWaits,
      makespan: s.makespan,
      criticalPath: s.criticalPath,
      makespanRatio: s.criticalPath > 0 ? s.makespan / s.criticalPath : 1,
      durationUnit: usesDurations ? 'seconds' : 'tasks',
    },
    transitions: a.transitions,
    history: a.history,
    document: a.document,
    /** Where each mapped task's instances run: inline, distributed, or by the list's length. */
    maps: a.maps,
    definition: a.definition,
    parts: compiled.parts.map((p) => {
      const limits = a.parts.find((x) => x.id === p.id)!;
      return {
        id: p.id,
        tasks: p.tasks.length,
        bytes: limits.bytes,
        historyWorstCase: limits.historyWorstCase,
      };
    }),
    costPerRunUsd: a.costPerRunUsd,
    pools: a.pools,
  };
}

/** Where the DAG is cut into child state machines (compiler/parts), and each one's share of its limits. */
function partLines(e: ReturnType<typeof explanation>): string[] {
  if (e.parts.length === 0) return [];
  const width = Math.max(...e.parts.map((p) => p.id.length));
  return [
    '',
    `Child state machines: ${e.parts.length} parts (over one machine's limits)`,
    "  each is started with startExecution.sync:2 and waited for, and has its own 1 MiB definition, 25,000 history events and 256 KiB document; a part's start, merge and end add 3 transitions (counted above)",
    ...e.parts.map(
      (p) =>
        `  ${p.id.padEnd(width)}  ${p.tasks.toLocaleString('en-US')} task${p.tasks === 1 ? '' : 's'}, ${kib(p.bytes)}, history up to ${p.historyWorstCase.toLocaleString('en-US')} events`,
    ),
  ];
}

const DAY_MS = 86_400_000;

/**
 * What a run and a month cost beyond the transitions: the task Lambda's invocations (a request
 * each, a mapped task's instances each) and, when every task that runs code declares its
 * expectedDuration, their duration at the task Lambda's memory; and the runs the time schedule
 * starts in the next 30 days, at the whole run's price.
 */
export function costEstimate(ir: DagIR, compiled: CompileResult, now: Date) {
  const prices = pricesFor(undefined);
  const items = compiled.analysis.transitions.mappedItemsAssumed;
  const code = ir.tasks.filter((t) => t.body.kind !== 'operator');
  const invocationsPerRun = code.reduce((n, t) => n + (t.mapping ? items : 1), 0);
  const memoryMiB = taskMemoryMiB(ir);
  const declared = code.every((t) => t.expectedDurationSeconds !== undefined);
  const seconds = code.reduce(
    (n, t) => n + (t.expectedDurationSeconds ?? 0) * (t.mapping ? items : 1),
    0,
  );
  const lambdaPerRunUsd =
    invocationsPerRun * prices.lambdaRequestUsd +
    (declared ? seconds * (memoryMiB / 1024) * prices.lambdaGbSecondUsd : 0);
  const perRunUsd = compiled.analysis.costPerRunUsd + lambdaPerRunUsd;
  const timed = timeScheduleOf(ir.schedule) !== undefined;
  const runsPerMonth = timed
    ? runsBetween(scheduledDag(ir), now, new Date(now.getTime() + 30 * DAY_MS)).length
    : undefined;
  return {
    region: prices.region,
    lambda: {
      invocationsPerRun,
      memoryMiB,
      ...(declared && code.length > 0 && { secondsPerRun: seconds }),
      perRunUsd: lambdaPerRunUsd,
      durationCounted: declared,
    },
    perRunUsd,
    ...(runsPerMonth !== undefined && { runsPerMonth, perMonthUsd: runsPerMonth * perRunUsd }),
  };
}

/** The Pools section: which tasks take slots, and what waiting for one costs. */
export function poolLines(e: ReturnType<typeof explanation>): string[] {
  const { tasks, waiting: w } = e.pools;
  if (tasks.length === 0) return [];
  const byPool = new Map<string, typeof tasks>();
  for (const t of tasks) byPool.set(t.pool, [...(byPool.get(t.pool) ?? []), t]);
  const hours = (w.maxWaitSeconds / 3600).toFixed(1);
  return [
    '',
    'Pools',
    ...[...byPool].map(
      ([pool, ts]) =>
        `  ${pool} (${ts[0]!.slots} slot${ts[0]!.slots === 1 ? '' : 's'}): ${ts.map((t) => t.task).join(', ')} — 2 more state transitions per task instance (take a slot, give it back)`,
    ),
    ...tasks
      .filter((t) => t.selfWaitTransitions > 0)
      .map(
        (t) =>
          `  ${t.task}: its ${e.transitions.mappedItemsAssumed} instances wait for each other's slots: ~${t.selfWaitTransitions} retries per run (counted above; a maxConcurrency of ${t.slots} makes them wait in the Map, for free)`,
      ),
    `  waiting for a slot other runs hold: a retry at least every ${w.checkEverySeconds} s, ${w.transitionsPerHour} transitions ($${w.costPerHourUsd.toFixed(4)}) and ${w.historyEventsPerHour} history events per hour of waiting; after ${hours} h the task fails (Updraft.PoolTimeout)`,
  ];
}

function estimateLambda(e: ReturnType<typeof costEstimate>): string {
  const { lambda: l } = e;
  if (l.invocationsPerRun === 0) return 'none: no task runs code';
  const calls = `${l.invocationsPerRun} invocation${l.invocationsPerRun === 1 ? '' : 's'} per run at ${l.memoryMiB} MiB`;
  return l.secondsPerRun !== undefined
    ? `${calls}, ${l.secondsPerRun} s by the tasks' expectedDuration: $${l.perRunUsd.toFixed(6)} per run`
    : `${calls}: $${l.perRunUsd.toFixed(6)} in requests per run, plus their duration (declare expectedDuration on the tasks to count it)`;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(n / of < 0.1 ? 1 : 0)}%`;

export function register(program: Command, io: Io, run: (code: number) => void): void {
  program
    .command('explain')
    .description('show how a DAG compiles: structure, added waits, transitions, cost and limits')
    .argument('<dag>', 'DAG id')
    .option('--json', 'print the same as data')
    .action(async (dagId: string, opts: { json?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const result = await load(io, options);
      const dag = requireDag(io, result, dagId, options);
      const compiled = compileDag(dag.ir);
      const usesDurations = dag.ir.tasks.some((t) => t.expectedDurationSeconds !== undefined);
      const e = explanation(compiled, usesDurations);
      const estimate = costEstimate(dag.ir, compiled, io.now());
      if (opts.json || options.json) {
        io.out(JSON.stringify({ ...e, estimate }, null, 2));
        run(EXIT_OK);
        return;
      }
      const span = (n: number) =>
        usesDurations ? formatDuration(Math.round(n)) : `${n} task${n === 1 ? '' : 's'}`;
      const byType = Object.entries(e.states.byType)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      const lines = [
        `DAG ${e.dagId}: ${e.tasks} task${e.tasks === 1 ? '' : 's'} → ${e.states.total} states (${byType})`,
        '',
        'Fork/join structure',
        `  ${describeShort(compiled.structure.tree, e.tasks)}`,
        e.structure.addedWaits.length === 0
          ? '  exact: no task waits for anything it does not depend on'
          : `  added waits (Step Functions Parallel can only join whole branches): ${e.structure.addedWaits.length}\n${e.structure.addedWaits
              .slice(0, 10)
              .map((w) => `    ${w.after} also waits for ${w.before}`)
              .join(
                '\n',
              )}${e.structure.addedWaits.length > 10 ? `\n    … and ${e.structure.addedWaits.length - 10} more (--json lists them all)` : ''}`,
        `  makespan ${span(e.structure.makespan)} vs critical path ${span(e.structure.criticalPath)} (×${e.structure.makespanRatio.toFixed(2)})${usesDurations ? '' : ' — with unit durations; set expectedDuration on tasks for a better estimate'}`,
        '',
        'All-success run',
        `  state transitions  ${e.transitions.allSuccess} (${e.transitions.perTask.toFixed(2)} per task${dag.ir.tasks.some((t) => t.mapping) ? `, ${e.transitions.mappedItemsAssumed} instances per mapped task` : ''})${e.transitions.poolWaits > 0 ? `, plus ~${e.transitions.poolWaits} retries waiting for pool slots` : ''}`,
        `  price              $${e.costPerRunUsd.toFixed(6)} per run (Standard workflow, $0.025 per 1,000 transitions in ${estimate.region})`,
        `  Lambda             ${estimateLambda(estimate)}`,
        `  per month          ${
          estimate.runsPerMonth === undefined
            ? 'no time schedule: its runs start by datasets or by hand, each at the price above'
            : `${estimate.runsPerMonth} runs in the next 30 days by its schedule: $${estimate.perMonthUsd!.toFixed(4)} (transitions and Lambda)`
        }`,
        '',
        'Limits',
        `  history events, worst case  ${e.history.worstCase.toLocaleString('en-US')} of 25,000 (${pct(e.history.worstCase, e.history.limit)})${e.history.perMappedInstance ? `, plus ${e.history.perMappedInstance} per mapped instance` : ''}${e.history.distributedChild ? `; a Distributed Map's instance ${e.history.distributedChild} in a history of its own` : ''}`,
        `  state document, worst case  ${kib(e.document.worstCaseBytes)} of 256 KiB (${pct(e.document.worstCaseBytes, e.document.limitBytes)}); outputs over ${kib(e.document.inlineOutputLimitBytes)} go to the payload bucket by reference`,
        ...e.maps.map((m) => `  mapped task ${m.task}: ${m.why}`),
        ...e.document.mappedItemsMax.map(
          (m) =>
            `  mapped task ${m.task}: at most ${m.items.toLocaleString('en-US')} items per run (outputs over ${e.document.mappedOutputLimitBytes} bytes per item go to the payload bucket; past that the Map's result or the document passes 256 KiB)`,
        ),
        `  definition                  ${kib(e.definition.bytes)} of 1 MiB (${pct(e.definition.bytes, e.definition.limitBytes)})${e.parts.length > 0 ? ", the run's own machine" : ''}`,
        ...poolLines(e),
        ...partLines(e),
      ];
      io.out(lines.join('\n'));
      run(EXIT_OK);
    });
}

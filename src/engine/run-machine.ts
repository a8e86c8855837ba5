/**
 * @module engine/run-machine
 * Runs one execution of a compiled DAG — the very ASL that deploys — on `aws-local-stepfunctions`.
 * Every Task state is handled in-process: function tasks, branches, short-circuits, sensor pokes
 * and mapped instances go through the task runner (the same code the task Lambda runs); native
 * operators get their local behaviour (engine/native). Waits and retry delays are skipped on a
 * virtual clock unless the clock is real; the cloud's limits (256 KiB per state input/output,
 * 25,000 history events) fail the run as they would on AWS. Resuming a run (retry/clear) hands
 * back the responses of tasks that already succeeded instead of running them again.
 *
 * This file is the wiring; the parts are one file each: the definition as interpreted
 * (engine/machine-definition), the task handlers (engine/task-handlers), the event log and the
 * limits it meters (engine/event-log, engine/history-meter, engine/payload-meter) and the
 * outcome (engine/outcome).
 */
import type { DagIR } from '../ir/types.ts';
import { ERROR_NAMES, LIMITS, type CompileResult, type State } from '../compiler/index.ts';
import { MemoryObjectStore } from '../runtime/objects.ts';
import { objectOf } from '../util/object-of.ts';
import { LimitScope } from './limit-scope.ts';
import { lowerDistributedMaps, runMapRun } from './distributed-map.ts';
import type { Dag } from '../sdk/dag.ts';
import type { ErrorInfo } from '../store/types.ts';
import type { RunValues } from '../runtime/args.ts';
import type { Done } from '../runtime/resume.ts';
import { executionInput } from '../runtime/launch.ts';
import { VirtualClock, type Clock } from './clock.ts';
import type { EngineEvent } from './engine-event.ts';
import { runExecution, type ExecutionDeps, type ExecutionResult } from './execution.ts';
import { HistoryMeter } from './history-meter.ts';
import { INTRINSICS_PER_FIELD, intrinsicLimitProblems } from './intrinsic-limit.ts';
import {
  isolatedDefinition,
  parsedDefinition,
  parsedPart,
  type Interpretable,
} from './machine-definition.ts';
import { taskOutcomes, transitionsByTask, type TaskDetail, type TaskOutcome } from './outcome.ts';
import { stateError } from '../runtime/errors.ts';
import { StateArrivals } from './state-arrivals.ts';
import { TaskHandlers, type TaskHandlerOptions } from './task-handlers.ts';
import { TaskTally } from './task-tally.ts';

export type { OperatorOverride } from './native.ts';
export type { EngineEvent } from './engine-event.ts';
export type { TaskDetail, TaskOutcome } from './outcome.ts';
export { substitute } from './machine-definition.ts';
export { retryDelayMs } from './virtual-waits.ts';

export interface RunMachineOptions extends TaskHandlerOptions {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly compiled: CompileResult;
  readonly run: RunValues;
  /** Stand-in fake ARNs for the definition's placeholders. */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** @default a virtual clock starting now */
  readonly clock?: Clock;
  /** Tries already made per `taskId|mapIndex` in earlier executions (try numbers continue). */
  readonly priorTries?: ReadonlyMap<string, number>;
  /** A resumed execution: what tasks that must not run again answered before (runtime/resume). */
  readonly done?: Done;
  readonly onEvent?: (event: EngineEvent) => void;
}

export interface RunMachineResult {
  readonly status: 'success' | 'failed';
  readonly document: { run: RunValues; t: Record<string, Record<string, unknown>> };
  /** Final state per task id (mapped tasks: success/failed/skipped from their instances). */
  readonly tasks: Readonly<Record<string, TaskOutcome>>;
  readonly details: Readonly<Record<string, TaskDetail>>;
  /** Task ids in the order their code started (first attempt). */
  readonly started: readonly string[];
  readonly transitions: number;
  readonly historyEvents: number;
  /** Why the run failed when it was not a task: a cloud limit, the run timeout. */
  readonly error?: ErrorInfo;
  readonly startedAt: number;
  readonly endedAt: number;
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the wiring of one run (meters, handlers, its executions, outcome), each part in its own file
export async function runMachine(options: RunMachineOptions): Promise<RunMachineResult> {
  const { compiled, run, ir } = options;
  const manifest = compiled.manifest;
  const clock = options.clock ?? new VirtualClock();
  const startedAt = clock.now();
  const machines = interpretables(options);
  const emit = options.onEvent ?? (() => undefined);
  const tally = new TaskTally(clock, emit, options.priorTries);
  const history = new HistoryMeter(LIMITS.historyEvents);
  const arrivals = new StateArrivals();
  const limits = new LimitScope();
  /** Every record the run's parts held: tasks whose records stayed inside their part. */
  const partRecords: Record<string, Record<string, unknown>> = {};
  const objects = options.objects ?? new MemoryObjectStore();
  // A Distributed Map's Map Run (engine/distributed-map): each item a child execution of its own.
  const mapRun = (name: string, meter: HistoryMeter) => async (input: unknown) => {
    await arrivals.catchUp(name);
    const stopped = limits.stopped();
    if (stopped) throw stateError(stopped);
    meter.taskCalled();
    return runMapRun(name, machines.maps.get(name)!, input as never, {
      objects,
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:updraft-${ir.id}:${run.runId}`,
      runChild: (processor, childName, childInput, index) =>
        runExecution(
          {
            definition: processor,
            literals: machines.literals,
            name: childName,
            input: childInput,
            history: meter.forPart(),
            child: { mapIndex: index },
          },
          childDeps(),
        ),
    });
  };
  // A child execution's limits are its own, as on AWS: past one, it alone stops and fails (a
  // failed instance the Map Run counts), while a limit of the run still stops it too.
  const childDeps = (): ExecutionDeps => withLimits(executionDeps(), new LimitScope(limits));
  const executionDeps = (): ExecutionDeps => ({
    manifest,
    clock,
    arrivals,
    tally,
    ...(options.done && { done: options.done }),
    emit,
    handler: (name, meter) =>
      machines.maps.has(name) ? mapRun(name, meter) : handlers.handler(name, meter),
    ...withLimits({}, limits),
  });
  const handlers = new TaskHandlers({
    ...options,
    objects,
    manifest,
    runId: run.runId,
    clock,
    tally,
    arrivals,
    history,
    stopped: () => limits.stopped(),
    emit,
    // A part: an execution of its own machine, as startExecution.sync:2 starts it on AWS.
    runPart: async (partId, name, input, meter) => {
      const part = machines.parts.get(partId);
      if (!part) throw new Error(`DAG "${ir.id}" has no part "${partId}"`);
      const result = await runExecution(
        { ...part, name, input, history: meter.forPart() },
        executionDeps(),
      );
      const records = (result.lastDocument as { t?: Record<string, Record<string, unknown>> })?.t;
      Object.assign(partRecords, records ?? {});
      if (result.status === 'failed')
        throw stateError(
          result.error ?? { error: ERROR_NAMES.statesTaskFailed, cause: `part ${partId} failed` },
        );
      return { Output: result.document, Status: 'SUCCEEDED', Name: name };
    },
  });

  let outcome: ExecutionResult;
  try {
    outcome = await runExecution(
      {
        ...machines.run,
        name: run.runId,
        input: executionInput(run, options.done),
        history,
      },
      executionDeps(),
    );
  } catch (error) {
    await handlers.closePools();
    throw error;
  }
  await handlers.closePools();
  await handlers.settled();
  const document = outcome.document as RunMachineResult['document'];
  const status = outcome.status;
  const runError = outcome.error;

  // Built by assignment, not by spreading: thousands of keys (util/object-of).
  const records =
    document && Object.keys(partRecords).length > 0
      ? {
          ...document,
          t: objectOf([...Object.entries(partRecords), ...Object.entries(document.t)]),
        }
      : document;
  const { tasks, details: timed } = taskOutcomes(manifest, records, tally);
  const byTask = transitionsByTask(manifest, history.transitionsBy);
  const details = objectOf<TaskDetail>(
    [...new Set([...Object.keys(timed), ...byTask.keys()])].map((taskId) => {
      const transitions = byTask.get(taskId);
      const detail =
        transitions === undefined
          ? timed[taskId]!
          : { ...timed[taskId], transitions: Math.round(transitions * 100) / 100 };
      return [taskId, detail] as const;
    }),
  );
  const end = {
    transitions: history.transitions,
    historyEvents: history.events,
    ...(runError && { error: runError }),
  };
  return {
    status,
    document,
    tasks,
    details,
    started: tally.started,
    ...end,
    startedAt,
    endedAt: clock.now(),
  };
}

/** The run's machine and its parts' as the interpreter runs them (placeholders filled, checked). */
function interpretables(options: RunMachineOptions): {
  run: Interpretable;
  parts: ReadonlyMap<string, Interpretable>;
  /** The Distributed Map states of every machine, lowered to Task states the engine answers. */
  maps: ReadonlyMap<string, Extract<State, { Type: 'Map' }>>;
  /** Every machine's intrinsic literals (a Map Run's children read their processor's). */
  literals: Readonly<Record<string, string>>;
} {
  const maps = new Map<string, Extract<State, { Type: 'Map' }>>();
  const literals: Record<string, string> = {};
  const lowered = (made: Interpretable): Interpretable => {
    Object.assign(literals, made.literals);
    const { definition, maps: own } = lowerDistributedMaps(made.definition);
    for (const [name, map] of own) maps.set(name, map);
    return own.size > 0 ? { ...made, definition } : made;
  };
  const { compiled, ir } = options;
  const prepare = (made: Interpretable): Interpretable => {
    // AWS refuses such a definition at deploy (CreateStateMachine/UpdateStateMachine): it must not run here.
    const overIntrinsics = intrinsicLimitProblems(made.definition);
    if (overIntrinsics.length > 0) {
      throw new Error(
        `the state machine of DAG "${ir.id}" is not valid for Step Functions, which allows at most ${INTRINSICS_PER_FIELD} intrinsic functions in one field: ${overIntrinsics.join('; ')}`,
      );
    }
    return options.invoke
      ? { ...made, definition: isolatedDefinition(made.definition, compiled, ir) }
      : made;
  };
  return {
    run: lowered(prepare(parsedDefinition(compiled, options.substitutions))),
    parts: new Map(
      compiled.parts.map((p) => [p.id, lowered(prepare(parsedPart(p, options.substitutions)))]),
    ),
    maps,
    literals,
  };
}

/** An execution's deps stopping with this scope: fail, aborts, abortAll, stopped. */
function withLimits<T extends object>(
  deps: T,
  scope: LimitScope,
): T & Pick<ExecutionDeps, 'fail' | 'aborts' | 'abortAll' | 'stopped'> {
  return {
    ...deps,
    fail: (info) => scope.fail(info),
    aborts: (abort) => scope.register(abort),
    abortAll: () => scope.abortAll(),
    stopped: () => scope.stopped(),
  };
}

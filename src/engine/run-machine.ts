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
import { StateMachine } from 'aws-local-stepfunctions';
import type { DagIR } from '../ir/types.ts';
import { ERROR_NAMES, LIMITS, type CompileResult } from '../compiler/index.ts';
import type { Dag } from '../sdk/dag.ts';
import type { ErrorInfo } from '../store/types.ts';
import type { RunValues } from '../runtime/args.ts';
import type { Done } from '../runtime/resume.ts';
import { executionInput } from '../runtime/launch.ts';
import { VirtualClock, type Clock } from './clock.ts';
import type { EngineEvent } from './engine-event.ts';
import { EventLog, type LibEvent } from './event-log.ts';
import { HistoryMeter } from './history-meter.ts';
import { INTRINSICS_PER_FIELD, intrinsicLimitProblems } from './intrinsic-limit.ts';
import { allStates, isolatedDefinition, parsedDefinition } from './machine-definition.ts';
import { taskOutcomes, transitionsByTask, type TaskDetail, type TaskOutcome } from './outcome.ts';
import { PayloadMeter } from './payload-meter.ts';
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

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the wiring of one interpreter run (meters, handlers, events, outcome), each part in its own file
export async function runMachine(options: RunMachineOptions): Promise<RunMachineResult> {
  const { compiled, run, ir } = options;
  const manifest = compiled.manifest;
  const clock = options.clock ?? new VirtualClock();
  const startedAt = clock.now();
  const interpretable = parsedDefinition(compiled, options.substitutions);
  // AWS refuses such a definition at deploy (CreateStateMachine/UpdateStateMachine): it must not run here.
  const overIntrinsics = intrinsicLimitProblems(interpretable.definition);
  if (overIntrinsics.length > 0) {
    throw new Error(
      `the state machine of DAG "${ir.id}" is not valid for Step Functions, which allows at most ${INTRINSICS_PER_FIELD} intrinsic functions in one field: ${overIntrinsics.join('; ')}`,
    );
  }
  const definition = options.invoke
    ? isolatedDefinition(interpretable.definition, compiled, ir)
    : interpretable.definition;
  const emit = options.onEvent ?? (() => undefined);
  const tally = new TaskTally(clock, emit, options.priorTries);
  const history = new HistoryMeter(LIMITS.historyEvents);
  const arrivals = new StateArrivals();
  let limitError: ErrorInfo | undefined;
  const handlers = new TaskHandlers({
    ...options,
    manifest,
    runId: run.runId,
    clock,
    tally,
    arrivals,
    history,
    stopped: () => limitError,
    emit,
  });

  const states = allStates(definition);
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<never>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of states) {
    if (state.Type === 'Task') {
      taskResourceLocalHandlers[name] = handlers.handler(name) as unknown as (
        input: never,
      ) => Promise<never>;
      if (!clock.real) retryIntervalOverrides[name] = 0;
    }
    if (state.Type === 'Wait' && !clock.real) waitTimeOverrides[name] = 0;
  }

  // The compiler's output is validated once (asl-validator in its tests, golden files); the
  // library's own per-run validation rebuilds its schemas each time: ~115 ms even for 4 KiB.
  // (dist/ bundles the interpreter without its validator: scripts/build.mjs.)
  const machine = new StateMachine(definition as never, {
    validationOptions: { noValidate: true } as never,
  });
  const execution = machine.run(executionInput(run, options.done) as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides } as never,
    context: {
      Execution: { Name: run.runId, StartTime: new Date(startedAt).toISOString() },
      UpdraftLiterals: interpretable.literals,
    } as never,
  });
  const fail = (info: ErrorInfo) => {
    if (limitError) return;
    limitError = info;
    execution.abort();
  };
  const log = new EventLog({
    states,
    topLevel: new Set(Object.keys(definition.States)),
    manifest,
    clock,
    history,
    payload: new PayloadMeter(states, LIMITS.payloadBytes),
    arrivals,
    tally,
    ...(options.done && { done: options.done }),
    emit,
    fail,
  });
  const collect = log.follow(execution.eventLogs as unknown as AsyncGenerator<LibEvent>);

  let status: 'success' | 'failed';
  let document: RunMachineResult['document'];
  let runError: ErrorInfo | undefined;
  try {
    document = (await execution.result) as unknown as RunMachineResult['document'];
    status = 'success';
  } catch (error) {
    const name = (error as { name?: string }).name;
    const cause = (error as { cause?: { name?: string } }).cause;
    const timedOut = name === 'ExecutionTimeoutError';
    const aborted = name === 'ExecutionAbortedError';
    // The run's own Fail state (Updraft.DagRunFailed), the run timeout and our limits are failed runs; anything else is a broken machine.
    if (cause?.name !== ERROR_NAMES.dagRunFailed && !timedOut && !(aborted && limitError)) {
      await handlers.closePools();
      throw error;
    }
    if (timedOut) {
      execution.abort();
      runError = {
        error: ERROR_NAMES.timeout,
        cause: `the run took longer than its runTimeout (${definition.TimeoutSeconds}s) and was stopped`,
      };
    }
    if (aborted) runError = limitError;
    status = 'failed';
    await collect.catch(() => undefined);
    document = log.lastDocument as RunMachineResult['document'];
  }
  await collect.catch(() => undefined);
  await handlers.closePools();
  await handlers.settled();
  // The event log is read behind the interpreter: a limit found after the last state still fails the run, as on AWS.
  if (limitError && status === 'success') {
    status = 'failed';
    runError = limitError;
  }

  const { tasks, details: timed } = taskOutcomes(manifest, document, tally);
  const details: Record<string, TaskDetail> = { ...timed };
  for (const [taskId, transitions] of transitionsByTask(manifest, history.transitionsBy))
    details[taskId] = { ...details[taskId], transitions: Math.round(transitions * 100) / 100 };
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

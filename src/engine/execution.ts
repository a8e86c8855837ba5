/**
 * @module engine/execution
 * One execution of one state machine on `aws-local-stepfunctions`: a run's, or one of its parts'
 * (compiler/parts: a part is started by its parent's `startExecution.sync:2` Task and has a
 * history, state document and limits of its own, as on AWS). Every Task state is answered by
 * the run's task handlers; the event log meters the execution against the cloud's limits and
 * reports task states live.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import {
  ERROR_NAMES,
  LIMITS,
  type Manifest,
  type StateMachine as Asl,
} from '../compiler/contract.ts';
import type { ErrorInfo } from '../store/types.ts';
import type { Done } from '../runtime/resume.ts';
import type { Clock } from './clock.ts';
import type { EngineEvent } from './engine-event.ts';
import { EventLog, type LibEvent } from './event-log.ts';
import type { HistoryMeter } from './history-meter.ts';
import { allStates } from './machine-definition.ts';
import { PayloadMeter } from './payload-meter.ts';
import type { StateArrivals } from './state-arrivals.ts';
import type { TaskTally } from './task-tally.ts';

type Handler = (input: unknown) => Promise<unknown>;

export interface ExecutionSpec {
  readonly definition: Asl;
  /** Intrinsic string literals as AWS reads them (engine/intrinsic-literals). */
  readonly literals: Readonly<Record<string, string>>;
  readonly name: string;
  readonly input: unknown;
  /** This execution's own meter (each execution has its own 25,000 events). */
  readonly history: HistoryMeter;
  /**
   * A Distributed Map's child execution (engine/distributed-map): its task states are this
   * instance's, and any error that ends it (its Fail state, an uncaught error) is a failed child.
   */
  readonly child?: { readonly mapIndex: number };
}

export interface ExecutionDeps {
  readonly manifest: Manifest;
  readonly clock: Clock;
  readonly arrivals: StateArrivals;
  readonly tally: TaskTally;
  readonly done?: Done;
  readonly emit: (event: EngineEvent) => void;
  /** The handler of a Task state, metering this execution. */
  readonly handler: (stateName: string, history: HistoryMeter) => Handler;
  /** Stops the whole run at a limit (the first one found wins): every execution of it is aborted. */
  readonly fail: (info: ErrorInfo) => void;
  /** Registers how to abort this execution (for `fail`); returns how to unregister. */
  readonly aborts: (abort: () => void) => () => void;
  /** Aborts every execution of the run (the run timed out: its parts stop with it, as on AWS). */
  readonly abortAll: () => void;
  /** The limit that stopped the run, once one did. */
  readonly stopped: () => ErrorInfo | undefined;
}

export interface ExecutionResult {
  readonly status: 'success' | 'failed';
  /** The execution's output; for a failed one, the document its last top-level state received. */
  readonly document: unknown;
  /** The document its last top-level state received (a part's: every record it held). */
  readonly lastDocument: unknown;
  /** Why it failed when it was not the run's own Fail state: the run timeout, a limit. */
  readonly error?: ErrorInfo;
}

/** Runs one execution to its end. Throws when the machine itself is broken (not a failed run). */
export async function runExecution(
  spec: ExecutionSpec,
  deps: ExecutionDeps,
): Promise<ExecutionResult> {
  const { definition, history } = spec;
  const { clock } = deps;
  const states = allStates(definition);
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<never>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of states) {
    if (state.Type === 'Task') {
      taskResourceLocalHandlers[name] = deps.handler(name, history) as unknown as (
        input: never,
      ) => Promise<never>;
      if (!clock.real) retryIntervalOverrides[name] = 0;
    }
    if (state.Type === 'Wait' && !clock.real) waitTimeOverrides[name] = 0;
  }
  // The compiler's output is validated once (asl-validator in its tests, golden files); the
  // library's own per-run validation rebuilds its schemas each time: ~115 ms even for 4 KiB.
  // (dist/ bundles the interpreter without its validator: scripts/build.mjs.)
  const machine = interpreterOf(definition);
  const execution = machine.run(spec.input as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides } as never,
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:000000000000:execution:updraft-${deps.manifest.dagId}:${spec.name}`,
        Name: spec.name,
        StartTime: new Date(clock.now()).toISOString(),
      },
      UpdraftLiterals: spec.literals,
    } as never,
  });
  const unregister = deps.aborts(() => execution.abort());
  const log = new EventLog({
    states,
    topLevel: new Set(Object.keys(definition.States)),
    manifest: deps.manifest,
    clock,
    history,
    payload: new PayloadMeter(states, LIMITS.payloadBytes),
    arrivals: deps.arrivals,
    tally: deps.tally,
    ...(deps.done && { done: deps.done }),
    emit: deps.emit,
    fail: deps.fail,
    ...(spec.child && { mapIndex: spec.child.mapIndex }),
  });
  const collect = log.follow(execution.eventLogs as unknown as AsyncGenerator<LibEvent>);
  try {
    const document = await execution.result;
    await collect.catch(() => undefined);
    // The event log is read behind the interpreter: a limit found after the last state still fails the run, as on AWS.
    const late = deps.stopped();
    if (late) return { status: 'failed', document, lastDocument: log.lastDocument, error: late };
    return { status: 'success', document, lastDocument: log.lastDocument };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const cause = (error as { cause?: { name?: string } }).cause;
    const timedOut = name === 'ExecutionTimeoutError';
    const aborted = name === 'ExecutionAbortedError';
    const limit = deps.stopped();
    const childFailed = spec.child !== undefined && name === 'ExecutionError';
    // The run's own Fail state (Updraft.DagRunFailed), the run timeout and a limit are failed runs
    // (a child execution's error too); anything else is a broken machine.
    if (
      cause?.name !== ERROR_NAMES.dagRunFailed &&
      !timedOut &&
      !(aborted && limit) &&
      !childFailed
    )
      throw error;
    if (timedOut) deps.abortAll();
    await collect.catch(() => undefined);
    const runError: ErrorInfo | undefined = timedOut
      ? {
          error: ERROR_NAMES.timeout,
          cause: `the run took longer than its runTimeout (${definition.TimeoutSeconds}s) and was stopped`,
        }
      : aborted
        ? limit
        : childFailed
          ? {
              error: cause?.name ?? ERROR_NAMES.statesTaskFailed,
              cause: (cause as { message?: string } | undefined)?.message ?? '',
            }
          : undefined;
    return {
      status: 'failed',
      document: log.lastDocument,
      lastDocument: log.lastDocument,
      ...(runError && { error: runError }),
    };
  } finally {
    unregister();
  }
}

/** One interpreter per definition: a Distributed Map runs its processor once per item. */
const interpreters = new WeakMap<Asl, StateMachine>();

function interpreterOf(definition: Asl): StateMachine {
  let machine = interpreters.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as never, {
      validationOptions: { noValidate: true } as never,
    });
    interpreters.set(definition, machine);
  }
  return machine;
}

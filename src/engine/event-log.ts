/**
 * @module engine/event-log
 * Follows the interpreter's event log while a run goes on: it moves the virtual clock over Wait
 * states and retry delays, meters the run against the cloud's history and payload limits (failing
 * it where AWS would), lets waiting task handlers go on (engine/state-arrivals), reports task
 * states live from the records each state writes, and keeps the last document a top-level state
 * received (a failed run's document).
 */
import type { Manifest, State } from '../compiler/contract.ts';
import type { ErrorInfo } from '../store/types.ts';
import { stateOfRecord, type Done } from '../runtime/resume.ts';
import type { Clock } from './clock.ts';
import type { EngineEvent } from './engine-event.ts';
import type { HistoryMeter } from './history-meter.ts';
import type { PayloadMeter } from './payload-meter.ts';
import type { StateArrivals } from './state-arrivals.ts';
import type { TaskTally } from './task-tally.ts';
import { retryDelayMs, skipWait, type RetryTiming } from './virtual-waits.ts';

/** An event of aws-local-stepfunctions' `eventLogs`, the fields read here. */
export interface LibEvent {
  readonly type: string;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input: unknown;
    readonly output?: unknown;
  };
  readonly index?: number;
  readonly parentState?: { readonly name: string; readonly type: string };
  readonly output?: unknown;
  readonly retry?: { readonly retrier: RetryTiming; readonly attempt: number };
}

export interface EventLogDeps {
  /** Every state of the definition by name (engine/machine-definition allStates). */
  readonly states: ReadonlyMap<string, State>;
  readonly topLevel: ReadonlySet<string>;
  readonly manifest: Manifest;
  readonly clock: Clock;
  readonly history: HistoryMeter;
  readonly payload: PayloadMeter;
  readonly arrivals: StateArrivals;
  readonly tally: TaskTally;
  /** A resumed execution's handed-back answers (runtime/resume). */
  readonly done?: Done;
  readonly emit: (event: EngineEvent) => void;
  /** Stops the run at a limit (the first one found wins). */
  readonly fail: (info: ErrorInfo) => void;
  /** A Distributed Map's child execution: the instance its task states belong to. */
  readonly mapIndex?: number;
}

export class EventLog {
  readonly #deps: EventLogDeps;
  readonly #keys: ReadonlyMap<string, string>;
  /** The state each task was last reported in. */
  readonly #seen = new Map<string, string>();
  #last: unknown;

  constructor(deps: EventLogDeps) {
    this.#deps = deps;
    this.#keys = new Map(deps.manifest.tasks.map((t) => [t.id, t.key]));
  }

  /** The run's document as its last top-level state (the Fail state of a failed run) received it. */
  get lastDocument(): unknown {
    return this.#last;
  }

  async follow(events: AsyncIterable<LibEvent>): Promise<void> {
    const { states, topLevel, manifest, clock, history, payload, arrivals, emit, fail } =
      this.#deps;
    for await (const event of events) {
      switch (event.type) {
        case 'StateEntered': {
          const state = states.get(event.state!.name);
          history.stateEntered(state?.Type, event.state!.name);
          payload.entered(event.state!.name);
          // The library's StateEntered events do not say whether a state is nested (a Parallel
          // branch's states look like top-level ones), so only a top-level state's input counts:
          // the run's document as its last top-level state (the Fail state) received it.
          if (event.index === undefined && topLevel.has(event.state!.name))
            this.#last = event.state?.input;
          if (state?.Type === 'Wait' && !clock.real) skipWait(clock, state, event.state!.input);
          if (state?.Type === 'Task') arrivals.arrive(event.state!.name);
          break;
        }
        case 'StateRetried': {
          history.stateRetried(event.state!.name);
          const taskId = manifest.states[event.state!.name]?.tasks[0];
          const mapIndex = event.index ?? this.#deps.mapIndex;
          if (taskId)
            emit({
              type: 'task',
              taskId,
              state: 'up_for_retry',
              at: clock.now(),
              ...(mapIndex !== undefined && { mapIndex }),
            });
          if (!clock.real && event.retry)
            clock.skip(retryDelayMs(event.retry.retrier, event.retry.attempt));
          arrivals.arrive(event.state!.name);
          break;
        }
        case 'MapIterationStarted':
        case 'ParallelBranchStarted':
          history.iterationStarted();
          break;
        case 'MapIterationSucceeded':
        case 'ParallelBranchSucceeded': {
          // A Parallel's result is the array of its branches' outputs, a Map's the array of its
          // iterations' outputs: AWS fails the state when that array is over 256 KiB, before its
          // ResultSelector runs.
          if (!event.parentState) break;
          const over = payload.resultItem(
            event.parentState.name,
            event.type === 'MapIterationSucceeded' ? 'Map' : 'Parallel',
            event.output,
          );
          if (over) fail(over);
          break;
        }
        case 'StateExited': {
          const output = event.state!.output;
          const over = payload.exited(event.state!.name, output);
          if (over) fail(over);
          this.#reportStates(event.state!.name, output);
          break;
        }
        default:
          break;
      }
      const overHistory = history.overLimit();
      if (overHistory) fail(overHistory);
    }
  }

  /** Live task states: read the records a state just wrote. */
  #reportStates(stateName: string, output: unknown): void {
    const { manifest, clock, tally, done, emit } = this.#deps;
    const role = manifest.states[stateName];
    if (!role || role.tasks.length === 0 || typeof output !== 'object' || output === null) return;
    const doc = output as { t?: Record<string, Record<string, unknown>> };
    if (!doc.t) return;
    for (const taskId of role.tasks) {
      const key = this.#keys.get(taskId)!;
      const rec = doc.t[key];
      if (!rec) continue;
      const state = stateOfRecord(rec);
      if (!state || this.#seen.get(taskId) === state) continue;
      this.#seen.set(taskId, state);
      // An operator a resumed execution gave its earlier response (its service was not called).
      const reused = role.role === 'given' && done?.[key] !== undefined;
      if (reused) tally.reused(taskId);
      emit({ type: 'task', taskId, state, at: clock.now(), ...(reused && { reused: true }) });
    }
  }
}

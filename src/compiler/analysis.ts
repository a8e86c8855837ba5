/**
 * @module compiler/analysis
 * What a compiled machine costs and how close it runs to the cloud's limits, computed from the
 * definition and the manifest (pure): states by type, the state transitions of an all-success
 * run (the path the machine takes when every task succeeds, branches choose all their options
 * and each mapped task has `mappedItems` instances), the worst-case history events (every
 * retry, every sensor poke until timeout, every group attempt) against the 25,000-event
 * limit, what pools add (their states, the retries of instances waiting for each other, what
 * waiting costs), the largest state document against 256 KiB (a Parallel's result is about one document:
 * only one branch returns it, compiler/states/parallel), the items a mapped task can take before its Map's
 * result or the document passes 256 KiB, the definition size against 1 MB, and the Step Functions
 * price of a run.
 */
import type { DagIR, TaskIR } from '../ir/types.ts';
import type { State, StateMachine } from './asl.ts';
import {
  LIMITS,
  POOL_WAIT,
  poolMaxWaitSeconds,
  poolRetriesFor,
  type Manifest,
} from './contract.ts';
import { takesPoolSlot } from './states/pool.ts';
import { mapPlans } from './map-plan.ts';

/** A Map Run in its execution's history: MapRunStarted and MapRunSucceeded (or Failed). */
const MAP_RUN_EVENTS = 2;

/** The document keeps this much room for run values (params) and record overhead. */
const DOCUMENT_BUDGET_BYTES = 128 * 1024;
/**
 * The largest output of one mapped instance kept inline; larger ones go to the payload bucket by
 * reference (a reference is ~250 bytes). A Map's result holds every instance's output, so this is
 * what bounds the number of items a run can map (`mappedItemsMax`).
 */
export const MAPPED_OUTPUT_LIMIT_BYTES = 512;
/** `{"s":"success","o":…},` around each instance's output in a Map's result. */
const MAPPED_ITEM_OVERHEAD_BYTES = 24;

export interface Analysis {
  readonly states: { readonly total: number; readonly byType: Readonly<Record<string, number>> };
  readonly transitions: {
    /** The all-success path, pools' acquire and release included (a free slot at once). */
    readonly allSuccess: number;
    readonly perTask: number;
    readonly mappedItemsAssumed: number;
    /**
     * Retries an all-success run still makes waiting for pool slots: the instances of a pooled
     * mapped task that runs more at once than its pool has slots wait for each other (other
     * runs' use of the pool comes on top: `pools.waiting`).
     */
    readonly poolWaits: number;
  };
  readonly history: {
    readonly worstCase: number;
    readonly limit: number;
    readonly perMappedInstance: number;
    /** The worst history of one child execution of a Distributed Map (each has its own limit). */
    readonly distributedChild?: number;
  };
  /** Where each mapped task's instances run (compiler/map-plan), and why. */
  readonly maps: readonly {
    readonly task: string;
    readonly mode: 'inline' | 'distributed' | 'inline or distributed';
    readonly why: string;
  }[];
  readonly document: {
    readonly inlineOutputLimitBytes: number;
    readonly worstCaseBytes: number;
    readonly limitBytes: number;
    readonly mappedOutputLimitBytes: number;
    /** Per mapped task: the most items a run can map before its Map result or the document passes 256 KiB. */
    readonly mappedItemsMax: readonly { readonly task: string; readonly items: number }[];
  };
  /** The parent's definition (each part's is in `parts`). */
  readonly definition: { readonly bytes: number; readonly limitBytes: number };
  /** The child state machines the DAG is cut into (compiler/parts): each has the limits of its own. */
  readonly parts: readonly {
    readonly id: string;
    readonly bytes: number;
    readonly historyWorstCase: number;
  }[];
  /** allSuccess plus poolWaits transitions, at Step Functions Standard's price. */
  readonly costPerRunUsd: number;
  readonly pools: PoolAnalysis;
}

/** What pools add to a run (compiler/states/pool). */
export interface PoolAnalysis {
  /** Each task that takes a slot: two more states per instance (acquire, release). */
  readonly tasks: readonly {
    readonly task: string;
    readonly pool: string;
    readonly slots: number;
    readonly mapped: boolean;
    /** Expected retries of its instances waiting for each other (see `transitions.poolWaits`). */
    readonly selfWaitTransitions: number;
  }[];
  /** What one task instance pays while it waits for a slot other runs hold. */
  readonly waiting: {
    /** Retries come at most this far apart (1, 2, 4 … s at first). */
    readonly checkEverySeconds: number;
    readonly transitionsPerHour: number;
    readonly costPerHourUsd: number;
    readonly historyEventsPerHour: number;
    /** The longest wait before the task fails with `Updraft.PoolTimeout`. */
    readonly maxWaitSeconds: number;
    /** History events of a wait that long (not in `history.worstCase`: it depends on other runs). */
    readonly maxWaitHistoryEvents: number;
  };
}

/**
 * The largest task output kept inline in the state document; larger outputs go to the payload
 * bucket by reference. Sized so that every task at its cap still fits the document budget.
 */
export function inlineOutputLimit(taskCount: number): number {
  return Math.max(
    128,
    Math.min(32 * 1024, Math.floor(DOCUMENT_BUDGET_BYTES / Math.max(1, taskCount))),
  );
}

function countStates(machine: StateMachine, byType: Record<string, number>): number {
  let n = 0;
  for (const state of Object.values(machine.States)) {
    n++;
    byType[state.Type] = (byType[state.Type] ?? 0) + 1;
    if (state.Type === 'Parallel') for (const b of state.Branches) n += countStates(b, byType);
    if (state.Type === 'Map') n += countStates(state.ItemProcessor, byType);
  }
  return n;
}

interface Walk {
  transitions: number;
  history: number;
  /** The largest history of a Distributed Map's child execution (each has its own 25,000). */
  child?: number;
}

/** The parts' machines by id, and what walking each found. */
interface PartWalks {
  readonly machines: ReadonlyMap<string, StateMachine>;
  readonly walks: Map<string, Walk>;
}

/** History events per visit of a state (entered/exited, plus scheduled/started/succeeded for Task). */
function eventsOf(state: State): number {
  switch (state.Type) {
    case 'Task':
      return 5;
    case 'Wait':
      return 3;
    default:
      return 2;
  }
}

/**
 * Follow the all-success path through a scope. At a Choice, take the first target that is not
 * a failure, skip record, retry ladder or the run's Fail state.
 */
function walk(
  machine: StateMachine,
  manifest: Manifest,
  tasks: ReadonlyMap<string, TaskIR>,
  mappedItems: number,
  worst: boolean,
  parts: PartWalks = { machines: new Map(), walks: new Map() },
): Walk {
  const result: Walk = { transitions: 0, history: 0 };
  const avoid = (name: string) => {
    const role = manifest.states[name]?.role;
    return (
      role === 'marks' ||
      role === 'failed' ||
      role === 'retry' ||
      // An operator's `given?` Choice is its entry (it goes on to the service call); only its
      // hand-back Passes are off the path.
      (role === 'given' && machine.States[name]?.Type !== 'Choice') ||
      role === 'detour' ||
      machine.States[name]?.Type === 'Fail'
    );
  };
  let name: string | undefined = machine.StartAt;
  const seen = new Set<string>();
  while (name !== undefined) {
    const state: State | undefined = machine.States[name];
    if (!state || seen.has(name)) break;
    seen.add(name);
    const role = manifest.states[name];
    const task = role && role.tasks.length === 1 ? tasks.get(role.tasks[0]!) : undefined;
    result.transitions++;
    let events = eventsOf(state);
    if (worst && (role?.role === 'acquire' || role?.role === 'release')) {
      // The pool's own retries: counted apart (poolWaits), as they depend on other runs' load.
    } else if (worst && state.Type === 'Task' && task) {
      // Every retry adds scheduled/started/failed; a sensor pokes until its timeout.
      const attempts = task.retry?.attempts ?? 1;
      events += 3 * (attempts - 1);
      if (task.body.kind === 'sensor' && task.body.sensor.check.kind !== 'time') {
        const s = task.body.sensor;
        let waited = 0;
        let pokes = 0;
        for (let n = 0; waited < s.timeoutSeconds && pokes < 100_000; n++) {
          waited += Math.max(
            1,
            Math.min(
              s.pokeIntervalSeconds * s.pokeBackoffRate ** n,
              s.maxPokeIntervalSeconds ?? Number.POSITIVE_INFINITY,
            ),
          );
          pokes++;
        }
        events += pokes * (5 + 2 + 3) * attempts;
      }
    }
    const part = role?.role === 'part' && role.part ? parts.machines.get(role.part) : undefined;
    if (part) {
      // A part runs as an execution of its own: its transitions count, its history is its own.
      const inner = walk(part, manifest, tasks, mappedItems, worst, parts);
      result.transitions += inner.transitions;
      result.child = Math.max(result.child ?? 0, inner.child ?? 0);
      parts.walks.set(role!.part!, inner);
    }
    if (state.Type === 'Parallel') {
      for (const b of state.Branches) {
        const inner = walk(b, manifest, tasks, mappedItems, worst, parts);
        result.transitions += inner.transitions;
        result.child = Math.max(result.child ?? 0, inner.child ?? 0);
        events += inner.history + 2;
      }
    }
    if (state.Type === 'Map') {
      const inner = walk(state.ItemProcessor, manifest, tasks, mappedItems, worst, parts);
      const attempts = worst && task ? (task.retry?.attempts ?? 1) : 1;
      result.transitions += inner.transitions * mappedItems;
      const perInstance = inner.history + 2 + 3 * (attempts - 1);
      if (state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED') {
        // Each instance is a child execution with a history of its own; the run's has the Map Run's.
        events += MAP_RUN_EVENTS;
        result.child = Math.max(result.child ?? 0, perInstance);
      } else events += perInstance * mappedItems;
    }
    result.history += events;
    if (state.Type === 'Choice') {
      const targets: string[] = [...state.Choices.map((c) => c.Next), state.Default];
      name = targets.find((t) => !avoid(t)) ?? state.Default;
    } else if ('Next' in state && state.Next) {
      name = state.Next;
    } else {
      name = undefined;
    }
  }
  return result;
}

/** @param minified the definition as it deploys: JSON without whitespace */
export function analyze(
  definition: StateMachine,
  minified: string,
  manifest: Manifest,
  ir: DagIR,
  options: {
    readonly mappedItems?: number;
    /** Compiled with every mapped task a Distributed Map (CompileOptions.distributedMaps). */
    readonly distributedMaps?: boolean;
    /** The most records one execution's document holds (a DAG cut into parts). @default every task */
    readonly documentTasks?: number;
    readonly parts?: readonly {
      readonly id: string;
      readonly definition: StateMachine;
      readonly minified: string;
    }[];
  } = {},
): Analysis {
  const byType: Record<string, number> = {};
  const partList = options.parts ?? [];
  const total =
    countStates(definition, byType) +
    partList.reduce((n, p) => n + countStates(p.definition, byType), 0);
  const mappedItems = options.mappedItems ?? 10;
  const tasks = new Map(ir.tasks.map((t) => [t.id, t]));
  const machines = new Map(partList.map((p) => [p.id, p.definition]));
  const partsOf = (): PartWalks => ({ machines, walks: new Map() });
  const happy = walk(definition, manifest, tasks, mappedItems, false, partsOf());
  const worstParts = partsOf();
  const worst = walk(definition, manifest, tasks, 0, true, worstParts);
  const perItem =
    ir.tasks.filter((t) => t.mapping).length > 0
      ? walk(definition, manifest, tasks, 1, true, partsOf()).history - worst.history
      : 0;
  // Group retries re-run the group's states: multiply the worst case by the largest group attempts.
  const groupAttempts = Math.max(1, ...ir.groups.map((g) => g.retry?.attempts ?? 1));
  const pools = analyzePools(ir, mappedItems);
  const inline = inlineOutputLimit(ir.tasks.length);
  const paramsBytes = JSON.stringify(
    Object.fromEntries(Object.entries(ir.params).map(([k, p]) => [k, p.default ?? null])),
  ).length;
  // Run values + one record per task at its inline cap (a reference is smaller than the cap).
  // Cut into parts, an execution's document holds the records that crossed cuts and its own.
  const inDocument = options.documentTasks ?? ir.tasks.length;
  const longestId = Math.max(0, ...ir.tasks.map((t) => t.id.length));
  const worstCaseBytes =
    600 +
    paramsBytes +
    (inDocument === ir.tasks.length
      ? ir.tasks.reduce((n, t) => n + t.id.length + 64 + inline, 0)
      : inDocument * (longestId + 64 + inline));
  const itemBytes = MAPPED_OUTPUT_LIMIT_BYTES + MAPPED_ITEM_OVERHEAD_BYTES;
  const maps = mapPlans(ir, options.distributedMaps);
  const bounded = new Set(
    maps.filter((m) => m.inDocument === 'INLINE' && !m.fromBucket).map((m) => m.task),
  );
  // A mapped task's record holds every instance's output; its Map's result holds them with their
  // state. (A Distributed Map's results go to the bucket; a long list too.)
  const mappedItemsMax = ir.tasks
    .filter((t) => bounded.has(t.id))
    .map((t) => ({
      task: t.id,
      items: Math.max(0, Math.floor((LIMITS.payloadBytes - (worstCaseBytes - inline)) / itemBytes)),
    }));
  return {
    states: { total, byType: Object.fromEntries(Object.entries(byType).sort()) },
    transitions: {
      allSuccess: happy.transitions,
      perTask: ir.tasks.length ? happy.transitions / ir.tasks.length : 0,
      mappedItemsAssumed: mappedItems,
      poolWaits: pools.waits,
    },
    parts: partList.map((p) => ({
      id: p.id,
      bytes: new TextEncoder().encode(p.minified).length,
      historyWorstCase: (worstParts.walks.get(p.id)?.history ?? 0) * groupAttempts,
    })),
    history: {
      // Each execution has its own 25,000: the parent's and each part's, the largest counts.
      worstCase:
        Math.max(worst.history, ...[...worstParts.walks.values()].map((w) => w.history)) *
        groupAttempts,
      limit: LIMITS.historyEvents,
      perMappedInstance: perItem,
      ...(worst.child !== undefined && { distributedChild: worst.child }),
    },
    maps: maps.map(({ task, inDocument, fromBucket, why }) => ({
      task,
      mode:
        inDocument === 'DISTRIBUTED'
          ? ('distributed' as const)
          : fromBucket
            ? ('inline or distributed' as const)
            : ('inline' as const),
      why,
    })),
    document: {
      inlineOutputLimitBytes: inline,
      worstCaseBytes,
      limitBytes: LIMITS.payloadBytes,
      mappedOutputLimitBytes: MAPPED_OUTPUT_LIMIT_BYTES,
      mappedItemsMax,
    },
    definition: {
      bytes: new TextEncoder().encode(minified).length,
      limitBytes: LIMITS.definitionBytes,
    },
    costPerRunUsd: (happy.transitions + pools.waits) * LIMITS.pricePerTransitionUsd,
    pools: pools.analysis,
  };
}

/** The pools' part of the analysis; `mappedItems` instances per mapped task. */
function analyzePools(ir: DagIR, mappedItems: number): { analysis: PoolAnalysis; waits: number } {
  const perHour = 3600 / POOL_WAIT.maxDelaySeconds;
  const tasks = ir.tasks.filter(takesPoolSlot).map((t) => ({
    task: t.id,
    pool: t.pool!.name,
    slots: t.pool!.slots,
    mapped: t.mapping !== undefined,
    selfWaitTransitions: t.mapping
      ? selfWaits(mappedItems, t.pool!.slots, t.mapping.maxConcurrency, t.expectedDurationSeconds)
      : 0,
  }));
  return {
    analysis: {
      tasks,
      waiting: {
        checkEverySeconds: POOL_WAIT.maxDelaySeconds,
        transitionsPerHour: perHour,
        costPerHourUsd: perHour * LIMITS.pricePerTransitionUsd,
        historyEventsPerHour: 3 * perHour,
        maxWaitSeconds: poolMaxWaitSeconds(),
        maxWaitHistoryEvents: 3 * POOL_WAIT.maxAttempts,
      },
    },
    waits: tasks.reduce((n, t) => n + t.selfWaitTransitions, 0),
  };
}

/** Step Functions runs at most 40 iterations of an inline Map at once. */
const INLINE_MAP_CONCURRENCY = 40;

/**
 * The retries `items` instances of one pooled mapped task make waiting for each other: the Map
 * starts them in order (at most `maxConcurrency` at once), the pool lets `slots` run, each runs
 * `seconds` (a minute when not declared), and a waiting one takes the first slot that frees.
 */
function selfWaits(
  items: number,
  slots: number,
  maxConcurrency: number,
  seconds: number | undefined,
): number {
  const d = seconds ?? 60;
  const inMap = Math.min(maxConcurrency > 0 ? maxConcurrency : items, INLINE_MAP_CONCURRENCY);
  const granted: number[] = [];
  let retries = 0;
  for (let i = 0; i < items; i++) {
    const started = i < inMap ? 0 : granted[i - inMap]! + d;
    const free = i < slots ? 0 : granted[i - slots]! + d;
    granted.push(Math.max(started, free));
    retries += poolRetriesFor(granted[i]! - started);
  }
  return retries;
}

/**
 * @module compiler/contract
 * What the runtime, the engine, the cloud code and infra may know about compiled output: the
 * manifest, the error names the compiled Retry/Catch fields and the run records use, the cloud
 * limits the compiler sizes against, the `${…}` placeholders of a definition, how a pooled task
 * waits for a slot (POOL_WAIT), task instance keys and the state document's record keys. Everything else in src/compiler is internal.
 *
 * Who owns task facts: the IR says what a task is (its body, arguments, retry policy, sensor
 * settings, mapping, timeouts); the manifest says what compiling decided about it (its record key,
 * downstream keys, branch keeps, output limits, state roles, placeholders, timers). The manifest
 * is derived from the IR once, in the compiler, and ships with the code that runs tasks: the task
 * Lambda reads its part (`RunnerManifest`) from its bundle instead of compiling the DAG at cold
 * start, and builds the IR from the bundled DAG (linear, and the only way to keep the IR and the
 * task code in step). The manifest copies no IR field: the runner reads a task's kind, arguments,
 * connections and datasets from the IR, and its key and downstream from the manifest.
 */

export { errorOutput, recordKeys, type ErrorOutput, type Keys } from './document.ts';
export { createRunnerGate, type GateDecision, type GateValues } from './runner-gate.ts';
export {
  bucketLists,
  INLINE_MAP_ITEMS_MAX,
  mapPlan,
  type MapPlan,
} from './map-plan.ts';
export type { ChoiceRule, JsonValue, State, StateMachine } from './asl.ts';

/** What a state of the machine does for its tasks (the engine runs Task states through the runtime by this). */
export interface StateRole {
  readonly tasks: readonly string[];
  readonly role:
    | 'task'
    | 'given'
    | 'gate'
    | 'detour'
    | 'marks'
    | 'failed'
    | 'item'
    | 'poke'
    | 'wait'
    | 'final'
    | 'retry'
    | 'merge'
    | 'acquire'
    | 'release'
    | 'part'
    | 'collect';
  /** A part's Task (compiler/parts): the id of the child state machine it starts (`p1` …). */
  readonly part?: string;
}

/**
 * What compiling decided about one task. What the task is (its kind, arguments, mapping,
 * connections, datasets, timeout) is the IR's alone: the runtime reads those from the DAG it
 * loads, and never a copy here.
 */
export interface ManifestTask {
  readonly id: string;
  /** Record key in the state document (`$.t.<key>`). */
  readonly key: string;
  /** Direct downstream tasks by key (branches return which of them run). */
  readonly downstream: readonly string[];
  /**
   * Branches only: per direct downstream key, the other direct downstream keys upstream of it.
   * Airflow keeps a task that is downstream of a chosen one even if it was not chosen itself.
   */
  readonly branchKeeps?: Readonly<Record<string, readonly string[]>>;
}

export interface ManifestTimer {
  readonly key: string;
  readonly afterIntervalEndSeconds: number;
}

export interface Manifest {
  readonly dagId: string;
  readonly compilerVersion: string;
  readonly tasks: readonly ManifestTask[];
  /** Every state name → the tasks it belongs to and its role (the engine runs Task states through the runtime by this). */
  readonly states: Readonly<Record<string, StateRole>>;
  /** `${Name}` placeholders in the definition, for DefinitionSubstitutions. */
  readonly substitutions: readonly string[];
  /** Time sensors: the launcher puts `run.timers[key]` = data interval end + seconds. */
  readonly timers: readonly ManifestTimer[];
  /** Task outputs larger than this go to the payload bucket by reference (keeps the document under 256 KiB). */
  readonly inlineOutputLimitBytes: number;
  /** The same for each instance of a mapped task (a Map's result holds every instance's output). */
  readonly mappedOutputLimitBytes: number;
  /** The child state machines the DAG is cut into (compiler/parts), when it is: `p1`, `p2` … */
  readonly parts?: readonly string[];
}

/** What the task runner reads of the manifest; the task Lambda's bundle carries it (infra/bundle). */
export type RunnerManifest = Pick<
  Manifest,
  'dagId' | 'tasks' | 'inlineOutputLimitBytes' | 'mappedOutputLimitBytes'
>;

/** The task runner's part of a manifest (what a task Lambda bundle ships). */
export function runnerManifest(m: RunnerManifest): RunnerManifest {
  return {
    dagId: m.dagId,
    tasks: m.tasks,
    inlineOutputLimitBytes: m.inlineOutputLimitBytes,
    mappedOutputLimitBytes: m.mappedOutputLimitBytes,
  };
}

/**
 * Error names, one spelling each. `States.*` are Step Functions' own; `Updraft.*` are ours, raised
 * by the task runner, the compiled machine or the engine, and matched by the compiled retriers
 * (a `PermanentError` is never retried) and by what reads run records.
 */
export const ERROR_NAMES = {
  /** Matches every error in a Retry or Catch (listed last). */
  all: 'States.ALL',
  statesTaskFailed: 'States.TaskFailed',
  timeout: 'States.Timeout',
  dataLimitExceeded: 'States.DataLimitExceeded',
  runtime: 'States.Runtime',
  /** Task code failed: the task's retry policy applies. */
  taskFailed: 'Updraft.TaskFailed',
  /** A failure no retry can fix (also a kept failure handed back on resume). */
  permanent: 'Updraft.PermanentError',
  sensorTimeout: 'Updraft.SensorTimeout',
  /** A mapped task's list is not a list. */
  notAList: 'Updraft.NotAList',
  /** The run's Fail state: a leaf task failed or was upstream_failed. */
  dagRunFailed: 'Updraft.DagRunFailed',
  internal: 'Updraft.InternalError',
  noLocalOverride: 'Updraft.NoLocalOverride',
  historyLimitExceeded: 'Updraft.HistoryLimitExceeded',
  processDied: 'Updraft.ProcessDied',
  aborted: 'Updraft.Aborted',
  interrupted: 'Updraft.Interrupted',
  /** A pooled task waited longer than the compiled retries allow for a slot (compiler/states/pool). */
  poolTimeout: 'Updraft.PoolTimeout',
} as const;

/**
 * What AWS charges, one table with its sources and the date it was read. Step Functions Standard
 * bills per state transition (retries included) at a price per region; Lambda per request and
 * per GB-second of duration (arm64, the first pricing tier), listed here for US East (N. Virginia)
 * and applied everywhere (other regions' Lambda prices may differ; the source has them).
 */
export const PRICES = {
  asOf: '2026-12-03',
  sources: {
    stepFunctions:
      'https://aws.amazon.com/step-functions/pricing/ (state transitions pricing table)',
    lambda: 'https://aws.amazon.com/lambda/pricing/ (Arm price, US East (N. Virginia))',
  },
  /** USD per 1,000 state transitions of a Standard workflow, by region. */
  transitionsPer1000Usd: {
    'us-east-1': 0.025,
    'us-east-2': 0.025,
    'us-west-1': 0.0279,
    'us-west-2': 0.025,
    'ca-central-1': 0.025,
    'sa-east-1': 0.0375,
    'us-gov-east-1': 0.03,
    'us-gov-west-1': 0.03,
    'eu-west-1': 0.025,
    'eu-west-2': 0.025,
    'eu-west-3': 0.0297,
    'eu-central-1': 0.025,
    'eu-north-1': 0.025,
    'ap-southeast-1': 0.025,
    'ap-southeast-2': 0.025,
    'ap-northeast-1': 0.025,
    'ap-northeast-2': 0.0271,
    'ap-south-1': 0.0285,
  } as Readonly<Record<string, number>>,
  /** The region prices default to (and Lambda's are listed for). */
  defaultRegion: 'us-east-1',
  lambdaArmGbSecondUsd: 0.0000133334,
  lambdaRequestUsd: 0.0000002,
} as const;

export interface RegionPrices {
  /** The region the prices are of (the default region when the table has not the one asked). */
  readonly region: string;
  /** False when the region asked is not in the table. */
  readonly known: boolean;
  readonly transitionUsd: number;
  readonly lambdaGbSecondUsd: number;
  readonly lambdaRequestUsd: number;
}

/** The prices of a region (AWS_REGION on Lambda; the default when none or an unknown one). */
export function pricesFor(region: string | undefined): RegionPrices {
  const per1000 = region === undefined ? undefined : PRICES.transitionsPer1000Usd[region];
  return {
    region: per1000 === undefined ? PRICES.defaultRegion : region!,
    known: per1000 !== undefined,
    transitionUsd: (per1000 ?? PRICES.transitionsPer1000Usd[PRICES.defaultRegion]!) / 1000,
    lambdaGbSecondUsd: PRICES.lambdaArmGbSecondUsd,
    lambdaRequestUsd: PRICES.lambdaRequestUsd,
  };
}

/** The cloud's limits the compiler sizes machines against, and the engine enforces locally. */
export const LIMITS = {
  /** Step Functions' payload limit per state input or output (and execution input). */
  payloadBytes: 256 * 1024,
  /** Step Functions' execution history limit (events). */
  historyEvents: 25_000,
  /** Step Functions' state machine definition limit (minified). */
  definitionBytes: 1024 * 1024,
  /** Lambda's hard limit on one invocation. */
  lambdaSeconds: 900,
  /** Step Functions Standard in the default region (PRICES): $0.025 per 1,000 state transitions. */
  pricePerTransitionUsd: 0.000025,
  /** A DAG's task Lambda has this much memory, or the most one of its tasks asks for (`memoryMiB`). */
  taskMemoryMiB: 1024,
} as const;

/**
 * Placeholder names in a definition (`${Name}`): the compiler never sees ARNs; infra fills them
 * through DefinitionSubstitutions, the engine with local stand-ins.
 */
export const PLACEHOLDERS = {
  taskRunner: 'TaskRunnerFunctionArn',
  region: 'Region',
  account: 'Account',
  /** The run table's name: pooled tasks take and give back their slots in it (compiler/states/pool). */
  runTable: 'RunTable',
  /** The payload bucket: a Distributed Map reads a list offloaded there and writes its results there. */
  payloadBucket: 'PayloadBucket',
  /** The ARN of one of the DAG's parts (compiler/parts): `Part_p1` … */
  part: (partId: string) => `Part_${partId}`,
  /** A DAG's state machine ARN (characters other than [A-Za-z0-9_] become `_`). */
  stateMachine: (dagId: string) => `StateMachine_${dagId.replace(/[^A-Za-z0-9_]/g, '_')}`,
  /** An EventBridge connection's ARN, for HTTP operators. */
  connection: (connection: string) => `Connection_${connection}`,
} as const;

/** A placeholder as it appears in the definition: `${Name}`. */
export const placeholder = (name: string): string => `\${${name}}`;

export type ParsedPlaceholder =
  | { readonly kind: 'taskRunner' | 'region' | 'account' | 'runTable' | 'payloadBucket' }
  | { readonly kind: 'stateMachine'; readonly dag: string }
  | { readonly kind: 'part'; readonly part: string }
  | { readonly kind: 'connection'; readonly connection: string }
  | { readonly kind: 'other'; readonly name: string };

/** What a placeholder name stands for (`dag` is the DAG id as the placeholder spells it). */
export function parsePlaceholder(name: string): ParsedPlaceholder {
  if (name === PLACEHOLDERS.taskRunner) return { kind: 'taskRunner' };
  if (name === PLACEHOLDERS.region) return { kind: 'region' };
  if (name === PLACEHOLDERS.account) return { kind: 'account' };
  if (name === PLACEHOLDERS.runTable) return { kind: 'runTable' };
  if (name === PLACEHOLDERS.payloadBucket) return { kind: 'payloadBucket' };
  if (name.startsWith('Part_')) return { kind: 'part', part: name.slice('Part_'.length) };
  if (name.startsWith('StateMachine_'))
    return { kind: 'stateMachine', dag: name.slice('StateMachine_'.length) };
  if (name.startsWith('Connection_'))
    return { kind: 'connection', connection: name.slice('Connection_'.length) };
  return { kind: 'other', name };
}

const PLACEHOLDER_PATTERN = /\$\{([A-Za-z0-9_]+)\}/g;

/** The placeholder names in a definition's text, sorted, each once. */
export function placeholdersIn(json: string): string[] {
  return [...new Set([...json.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1]!))].sort();
}

/** The definition's text with every placeholder replaced by `fill(name)`. */
export function fillPlaceholders(json: string, fill: (name: string) => string): string {
  return json.replace(PLACEHOLDER_PATTERN, (_m, name: string) => fill(name));
}

/**
 * How a task waits for a slot: tries again after 1, 2, 4 … seconds, then every 60 s, up to 250
 * retries (≈ 4 h 05 min, poolMaxWaitSeconds). A slot freed is taken at the next retry, at
 * most a minute later. Each retry is one state transition ($0.000025) and three history events:
 * an hour of waiting costs 60 transitions ($0.0015) and 180 of the execution's 25,000 events. No
 * jitter: a retry's time is then known, and waiters that started together still each win a slot
 * as slots free (the condition admits exactly as many as are free).
 */
export const POOL_WAIT = {
  intervalSeconds: 1,
  backoffRate: 2,
  maxDelaySeconds: 60,
  maxAttempts: 250,
} as const;

/** The seconds a task has waited after its first `retries` retries for a slot. */
export function poolWaitSeconds(retries: number): number {
  let waited = 0;
  for (let k = 1; k <= retries; k++)
    waited += Math.min(
      POOL_WAIT.intervalSeconds * POOL_WAIT.backoffRate ** (k - 1),
      POOL_WAIT.maxDelaySeconds,
    );
  return waited;
}

/** How long a task waits for a slot at most before it fails with `Updraft.PoolTimeout`. */
export function poolMaxWaitSeconds(): number {
  return poolWaitSeconds(POOL_WAIT.maxAttempts);
}

/** The retries a wait of `seconds` takes (the first retry after which it has waited that long). */
export function poolRetriesFor(seconds: number): number {
  let waited = 0;
  for (let k = 1; k <= POOL_WAIT.maxAttempts; k++) {
    if (waited >= seconds) return k - 1;
    waited += Math.min(
      POOL_WAIT.intervalSeconds * POOL_WAIT.backoffRate ** (k - 1),
      POOL_WAIT.maxDelaySeconds,
    );
  }
  return POOL_WAIT.maxAttempts;
}

/** Why a task failed waiting for its pool (the same words on both targets). */
export function poolTimeoutCause(taskId: string, pool: string, slots: number): string {
  const hours = (poolMaxWaitSeconds() / 3600).toFixed(1);
  return `task "${taskId}" waited over ${hours} h for one of the ${slots} slot${slots === 1 ? '' : 's'} of pool "${pool}", held all that time by other tasks; give the pool more slots, run fewer of its tasks at once (maxActiveRuns, maxConcurrency), or retry the run`;
}

/** The key of one task instance in per-run bookkeeping (tries, pokes): `<taskId>|<mapIndex>` (-1 unmapped). */
export const instanceKey = (taskId: string, mapIndex: number): string => `${taskId}|${mapIndex}`;

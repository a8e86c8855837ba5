/**
 * @module runtime/run-queue
 * `maxActiveRuns` on AWS: a run that may not start yet stays queued in the store with the
 * execution input it will start with (`pendingInput`), and whoever frees or may have freed a slot
 * — the launcher on every tick, the recorder when a run ends — starts the DAG's oldest queued runs
 * while fewer than `maxActiveRuns` executions run. Starting is idempotent: the execution name is
 * the run id, so two launchers, or a launcher and a recorder, never start a run twice.
 *
 * Running executions are counted with Step Functions `ListExecutions` (status RUNNING), not from
 * the store's run records: it is the truth the store only follows. It sees executions started
 * from the console and runs resumed by retry/clear (which the store learns of only through the
 * recorder), and it heals by itself if a status event is lost (EventBridge delivers Step Functions
 * events on a best-effort basis), where a run stuck `running` in the store would block its DAG
 * for good. ListExecutions is eventually consistent, so callers pass what they know better: the
 * execution that just ended is never counted, and runs started by this call always are.
 *
 * ListExecutions alone cannot stop two launchers that count at the same instant from both
 * starting (it does not list an execution started a moment ago): each start therefore first
 * claims one of the DAG's slots in the store with a conditional write (store RunSlots), which
 * succeeds for at most `maxActiveRuns` runs at once. A run's end gives its slot back (recorder);
 * a claim whose run has ended, or never started (its starter died), is given back by the next
 * start that finds the DAG full.
 */
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClientConfig,
} from '@aws-sdk/client-sfn';
import type { PoolSlots, RunRecord, RunSlots, Store } from '../store/types.ts';
import { executionError, type ExecutionStatus } from './execution-events.ts';
import { executionName } from './launch.ts';

/** What the launcher and recorder log through (Powertools Logger in the Lambdas). */
export interface RuntimeLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** For callers that report for themselves (the CLI): the queue's own lines are for the Lambdas' logs. */
export const QUIET_LOG: RuntimeLog = { info: () => undefined, warn: () => undefined };

export interface QueueDeps {
  /** Run records, DAG slots (maxActiveRuns), and pool slots a run that ended may still hold (runtime/pool-release). */
  readonly store: Store & RunSlots & PoolSlots;
  readonly sfn: SFNClient;
  readonly log: RuntimeLog;
}

export interface DagSlots {
  readonly dagId: string;
  readonly stateMachineArn: string;
  /**
   * The recorder's status events do not carry it: then it comes from the queued runs themselves
   * (the launcher writes the DAG's maxActiveRuns into each; the newest queued is the latest
   * deployment's). Queued runs without it (not the launcher's) start one at a time, in place of
   * the run whose end freed a slot, which never exceeds any max.
   * @default - from the newest queued run
   */
  readonly maxActiveRuns?: number;
}

export interface QueueOptions {
  /**
   * Queued runs the caller has just written: the active-runs index (a DynamoDB GSI, eventually
   * consistent) may not list them yet.
   */
  readonly known?: readonly RunRecord[];
  /** The execution whose end freed a slot: ListExecutions may still call it RUNNING. */
  readonly ended?: string;
  /** Slot claims' time, and how old an unused claim must be to be given back. @default the wall clock */
  readonly now?: () => Date;
}

/**
 * A claim older than this whose run is still queued (its starter died before starting it), or
 * whose execution ListExecutions no longer lists as running, is given back. Long enough for
 * ListExecutions to list an execution just started (it is eventually consistent, within seconds).
 */
export const STALE_CLAIM_MS = 120_000;

/**
 * The Step Functions client of the launcher and the recorder: adaptive retry, which backs off on
 * ThrottlingException and then limits its own sending rate (ListExecutions refills 5 per second,
 * GetExecutionHistory 20, per account and region: a burst of ticks or status events exhausts
 * them). Eight attempts span about 20 s of backoff, well inside the functions' minute.
 */
export function runtimeSfnClient(config: SFNClientConfig = {}): SFNClient {
  return new SFNClient({ retryMode: 'adaptive', maxAttempts: 8, ...config });
}

export interface QueueResult {
  /** Runs started now, oldest first. */
  readonly started: readonly string[];
  /** Queued runs left waiting for a slot. */
  readonly waiting: readonly string[];
}

/** The DAG's queued runs (oldest logical date first), started while slots are free. */
export async function startQueuedRuns(
  deps: QueueDeps,
  dag: DagSlots,
  options: QueueOptions = {},
): Promise<QueueResult> {
  const queued = await queuedRuns(deps.store, dag.dagId, options.known ?? []);
  if (queued.length === 0) return { started: [], waiting: [] };
  const max = dag.maxActiveRuns ?? newestMax(queued);
  const now = options.now ?? (() => new Date());
  const listed =
    max === undefined
      ? undefined
      : await runningExecutions(deps.sfn, dag.stateMachineArn, max, options.ended);
  const running = listed?.count ?? 0;
  let free = max === undefined ? 1 : max - running;
  let reconciled = false;
  const started: string[] = [];
  const waiting: string[] = [];
  for (const run of queued) {
    if (free <= 0) {
      waiting.push(run.runId);
      continue;
    }
    // A consistent read: another launcher or recorder may have started it since the index was read.
    const current = await deps.store.getRun(run.runId);
    if (current?.status !== 'queued' || current.pendingInput === undefined) continue;
    if (max !== undefined) {
      let claimed = await deps.store.claimSlot(dag.dagId, run.runId, max, now().toISOString());
      if (!claimed && !reconciled) {
        reconciled = true;
        if (await giveBackStaleClaims(deps, dag.dagId, listed, now()))
          claimed = await deps.store.claimSlot(dag.dagId, run.runId, max, now().toISOString());
      }
      if (!claimed) {
        // Another start holds the last slot (it raced this one): wait, as with a full DAG.
        waiting.push(run.runId);
        free = 0;
        continue;
      }
    }
    let outcome: StartOutcome;
    try {
      outcome = await startRun(deps, dag.stateMachineArn, current);
    } catch (error) {
      if (max !== undefined) await deps.store.releaseSlot(dag.dagId, run.runId);
      throw error;
    }
    if (outcome === 'ended') {
      // The execution of that name had already ended (its record expired before it): no slot.
      if (max !== undefined) await deps.store.releaseSlot(dag.dagId, run.runId);
      continue;
    }
    // A run an earlier delivery started takes its slot too, but is not reported as started now.
    if (outcome === 'started') started.push(run.runId);
    free--;
  }
  if (waiting.length > 0) {
    deps.log.info(
      `${waiting.length} run(s) of DAG "${dag.dagId}" wait for a slot: ${running + started.length} running, maxActiveRuns ${max ?? 'unknown'}`,
      { dagId: dag.dagId, waiting },
    );
  }
  return { started, waiting };
}

/**
 * Gives back the claims of runs that hold no execution any more: the run ended (or its record is
 * gone), or, claimed over STALE_CLAIM_MS ago, it is still queued (its starter died) or its
 * execution is not among the running ones (its end event was lost). True if any was given back.
 */
async function giveBackStaleClaims(
  deps: QueueDeps,
  dagId: string,
  listed: RunningExecutions | undefined,
  now: Date,
): Promise<boolean> {
  const holders = await deps.store.slotHolders(dagId);
  let freed = false;
  for (const [runId, claimedAt] of Object.entries(holders)) {
    const run = await deps.store.getRun(runId);
    const old = now.getTime() - Date.parse(claimedAt) > STALE_CLAIM_MS;
    // `listed` is complete only below the max: past it, a running execution may be unlisted.
    const notRunning = listed !== undefined && !listed.truncated && !listed.names.has(runId);
    const stale =
      !run ||
      run.status === 'success' ||
      run.status === 'failed' ||
      (old && (run.status === 'queued' || notRunning));
    if (!stale) continue;
    await deps.store.releaseSlot(dagId, runId);
    deps.log.info(
      `gave back the slot of run ${runId} of DAG "${dagId}": ${run ? `it is ${run.status}` : 'its record is gone'}${run?.status === 'running' ? ' but its execution no longer runs' : ''}`,
      { dagId, runId },
    );
    freed = true;
  }
  return freed;
}

/** Queued runs of one DAG that carry their execution input, oldest logical date first. */
export async function queuedRuns(
  store: Store,
  dagId: string,
  known: readonly RunRecord[] = [],
): Promise<RunRecord[]> {
  const byId = new Map<string, RunRecord>();
  for (const run of [...(await store.activeRuns()), ...known]) {
    if (run.dagId === dagId && run.status === 'queued' && run.pendingInput !== undefined)
      byId.set(run.runId, run);
  }
  return [...byId.values()].sort((a, b) =>
    a.logicalDate === b.logicalDate
      ? a.runId < b.runId
        ? -1
        : 1
      : a.logicalDate < b.logicalDate
        ? -1
        : 1,
  );
}

function newestMax(queued: readonly RunRecord[]): number | undefined {
  const withMax = queued.filter((r) => r.maxActiveRuns !== undefined);
  return withMax.sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0))[0]
    ?.maxActiveRuns;
}

interface RunningExecutions {
  readonly count: number;
  /** The running executions' names (run ids). */
  readonly names: ReadonlySet<string>;
  /** Listing stopped at `enough`: more may run than `names` holds. */
  readonly truncated: boolean;
}

/** RUNNING executions of the state machine, counted up to `enough` (the answer needed is "below the max?"). */
export async function countRunning(
  sfn: SFNClient,
  stateMachineArn: string,
  enough: number,
  exclude?: string,
): Promise<number> {
  return (await runningExecutions(sfn, stateMachineArn, enough, exclude)).count;
}

async function runningExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  enough: number,
  exclude?: string,
): Promise<RunningExecutions> {
  const names = new Set<string>();
  let nextToken: string | undefined;
  do {
    const out = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        statusFilter: 'RUNNING',
        maxResults: 1000,
        nextToken,
      }),
    );
    for (const e of out.executions ?? [])
      if (e.executionArn !== exclude && e.name) names.add(e.name);
    nextToken = out.nextToken;
  } while (nextToken && names.size < enough);
  return { count: names.size, names, truncated: nextToken !== undefined };
}

/** `started`: by this call; `running`: an earlier delivery started it; `ended`: its execution had already ended. */
type StartOutcome = 'started' | 'running' | 'ended';

/**
 * Starts a queued run's execution and records it as running. A name that already exists means an
 * earlier delivery started it (Step Functions refuses a second execution of the same name) or, if
 * the run's record expired before the execution's name did (records are kept 30 days in dev,
 * names 90), an execution that ended long ago: its real status is read and recorded, so the run
 * is not left `running` with no status event ever to come.
 */
async function startRun(
  deps: QueueDeps,
  stateMachineArn: string,
  run: RunRecord,
): Promise<StartOutcome> {
  // A resumed run (retry, clear) starts its next execution, `<run id>-r<attempt>`.
  const name = executionName(run.runId, run.attempt);
  let executionArn = executionArnOf(stateMachineArn, name);
  let startedAt: string | undefined;
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: run.pendingInput }),
    );
    executionArn = out.executionArn ?? executionArn;
    startedAt = (out.startDate ?? new Date()).toISOString();
    deps.log.info(`started run ${run.runId}`, { dagId: run.dagId, runId: run.runId, executionArn });
  } catch (e) {
    // By name, not class: LocalStack's and a bundled SDK's errors are the same error by name.
    if (!(e instanceof Error && e.name === 'ExecutionAlreadyExists')) throw e;
    return recordExisting(deps, run, executionArn);
  }
  // Only from queued: the recorder may already have recorded the execution's start or end.
  await deps.store.updateRun(
    run.runId,
    { status: 'running', executionArn, pendingInput: undefined, startedAt },
    { ifStatus: ['queued'] },
  );
  return 'started';
}

async function recordExisting(
  deps: QueueDeps,
  run: RunRecord,
  executionArn: string,
): Promise<StartOutcome> {
  const log = { dagId: run.dagId, runId: run.runId, executionArn };
  let out: DescribeExecutionCommandOutput;
  try {
    out = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    // Without states:DescribeExecution (a stack deployed before it was granted) the old assumption
    // stands: it runs, and its status events correct the record.
    deps.log.warn(
      `run ${run.runId} already has an execution whose status cannot be read (${(error as Error).name}: ${(error as Error).message}): recorded as running`,
      log,
    );
    await deps.store.updateRun(
      run.runId,
      { status: 'running', executionArn, pendingInput: undefined },
      { ifStatus: ['queued'] },
    );
    return 'running';
  }
  const status = (out.status ?? 'RUNNING') as ExecutionStatus;
  const startedAt = (
    out.redriveCount && out.redriveDate ? out.redriveDate : (out.startDate ?? new Date())
  ).toISOString();
  const attempt = (out.redriveCount ?? 0) + 1;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    deps.log.info(`run ${run.runId} was already started (a repeated delivery): nothing to do`, log);
    await deps.store.updateRun(
      run.runId,
      { status: 'running', attempt, executionArn, pendingInput: undefined, startedAt },
      { ifStatus: ['queued'] },
    );
    return 'running';
  }
  const stop = out.stopDate ?? new Date(startedAt);
  const detail = { status, error: out.error ?? null, cause: out.cause ?? null };
  const patch = {
    status: status === 'SUCCEEDED' ? ('success' as const) : ('failed' as const),
    attempt,
    executionArn,
    pendingInput: undefined,
    startedAt,
    endedAt: stop.toISOString(),
    durationMs: Math.max(0, stop.getTime() - Date.parse(startedAt)),
    error: executionError(detail, undefined),
  };
  await deps.store.updateRun(run.runId, patch, { ifStatus: ['queued'] });
  deps.log.warn(
    `run ${run.runId} was not started again: Step Functions keeps the name of its execution, which already ended ${status} at ${patch.endedAt} (its run record had expired); recorded as ${patch.status}`,
    log,
  );
  return 'ended';
}

/** An execution's ARN from its state machine's and its name (`…:stateMachine:<sm>` → `…:execution:<sm>:<name>`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

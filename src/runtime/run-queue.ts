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
 * from the console and runs resumed with redrive (which the store learns of only through the
 * recorder), and it heals by itself if a status event is lost (EventBridge delivers Step Functions
 * events on a best-effort basis), where a run stuck `running` in the store would block its DAG
 * for good. ListExecutions is eventually consistent, so callers pass what they know better: the
 * execution that just ended is never counted, and runs started by this call always are.
 */
import { ListExecutionsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RunRecord, Store } from '../store/types.ts';

/** What the launcher and recorder log through (Powertools Logger in the Lambdas). */
export interface RuntimeLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface QueueDeps {
  readonly store: Store;
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
}

export interface QueueResult {
  /** Runs started now, oldest first. */
  readonly started: readonly string[];
  /** Queued runs left waiting for a slot. */
  readonly waiting: readonly string[];
}

/** The DAG's queued runs (oldest logical date first), started while slots are free. */
export async function startQueuedRuns(deps: QueueDeps, dag: DagSlots, options: QueueOptions = {}): Promise<QueueResult> {
  const queued = await queuedRuns(deps.store, dag.dagId, options.known ?? []);
  if (queued.length === 0) return { started: [], waiting: [] };
  const max = dag.maxActiveRuns ?? newestMax(queued);
  const running = max === undefined ? 0 : await countRunning(deps.sfn, dag.stateMachineArn, max, options.ended);
  let free = max === undefined ? 1 : max - running;
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
    // A run an earlier delivery started takes its slot too, but is not reported as started now.
    if (await startRun(deps, dag.stateMachineArn, current)) started.push(run.runId);
    free--;
  }
  if (waiting.length > 0) {
    deps.log.info(`${waiting.length} run(s) of DAG "${dag.dagId}" wait for a slot: ${running + started.length} running, maxActiveRuns ${max ?? 'unknown'}`, { dagId: dag.dagId, waiting });
  }
  return { started, waiting };
}

/** Queued runs of one DAG that carry their execution input, oldest logical date first. */
export async function queuedRuns(store: Store, dagId: string, known: readonly RunRecord[] = []): Promise<RunRecord[]> {
  const byId = new Map<string, RunRecord>();
  for (const run of [...(await store.activeRuns()), ...known]) {
    if (run.dagId === dagId && run.status === 'queued' && run.pendingInput !== undefined) byId.set(run.runId, run);
  }
  return [...byId.values()].sort((a, b) => (a.logicalDate === b.logicalDate ? (a.runId < b.runId ? -1 : 1) : a.logicalDate < b.logicalDate ? -1 : 1));
}

function newestMax(queued: readonly RunRecord[]): number | undefined {
  const withMax = queued.filter((r) => r.maxActiveRuns !== undefined);
  return withMax.sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0))[0]?.maxActiveRuns;
}

/** RUNNING executions of the state machine, counted up to `enough` (the answer needed is "below the max?"). */
export async function countRunning(sfn: SFNClient, stateMachineArn: string, enough: number, exclude?: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }));
    count += (out.executions ?? []).filter((e) => e.executionArn !== exclude).length;
    nextToken = out.nextToken;
  } while (nextToken && count < enough);
  return count;
}

/**
 * Starts a queued run's execution and records it as running. A name that already exists means an
 * earlier delivery started it (Step Functions refuses a second execution of the same name): not
 * an error, the run is marked running and the recorder's events take it from there.
 */
async function startRun(deps: QueueDeps, stateMachineArn: string, run: RunRecord): Promise<boolean> {
  let executionArn = executionArnOf(stateMachineArn, run.runId);
  let startedAt: string | undefined;
  try {
    const out = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name: run.runId, input: run.pendingInput }));
    executionArn = out.executionArn ?? executionArn;
    startedAt = (out.startDate ?? new Date()).toISOString();
    deps.log.info(`started run ${run.runId}`, { dagId: run.dagId, runId: run.runId, executionArn });
  } catch (e) {
    // By name, not class: LocalStack's and a bundled SDK's errors are the same error by name.
    if (!(e instanceof Error && e.name === 'ExecutionAlreadyExists')) throw e;
    deps.log.info(`run ${run.runId} was already started (a repeated delivery): nothing to do`, { dagId: run.dagId, runId: run.runId });
  }
  // Only from queued: the recorder may already have recorded the execution's start or end.
  await deps.store.updateRun(run.runId, { status: 'running', executionArn, pendingInput: undefined, ...(startedAt && { startedAt }) }, { ifStatus: ['queued'] });
  return startedAt !== undefined;
}

/** An execution's ARN from its state machine's and its name (`…:stateMachine:<sm>` → `…:execution:<sm>:<name>`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

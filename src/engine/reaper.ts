/**
 * @module engine/reaper
 * Finds runs left queued or running by a local process that is gone (killed, crashed) and marks
 * them failed with the reason — their unfinished tasks too — so they can be resumed with
 * `updraft retry`. A run is left alone while its process lives (same host), while this engine
 * runs it, for a minute after it was queued without an owner (another command just made it), and
 * while a scheduled or dataset-triggered run waits, queued, for the scheduler.
 *
 * It also gives back pool slots nobody will give back (runtime/pool-release): those of the runs it
 * marks, and those still held for a run that is no longer queued or running — a process
 * interrupted (Ctrl-C) or killed between its last task and its run's end. Each is released only
 * while the same execution holds it, so a resumed run that took the slot again keeps it.
 */
import { hostname } from 'node:os';
import { isProcessAlive } from '../util/process.ts';
import { ERROR_NAMES } from '../compiler/contract.ts';
import type { PoolSlots, Store } from '../store/types.ts';
import { releaseRunPools } from '../runtime/pool-release.ts';

const DEAD = ERROR_NAMES.processDied;

/** How long a run queued without an owner is taken to be starting in another command. */
const QUEUED_GRACE_MS = 60_000;

/** Runs queued for the local scheduler to start (engine/dev-loop), not by a command about to. */
const WAITS_FOR_SCHEDULER: ReadonlySet<string> = new Set(['schedule', 'dataset']);

export interface ReaperDeps {
  readonly store: Store & PoolSlots;
  /** True for runs this engine is running now. */
  readonly inFlight: (runId: string) => boolean;
  /** The engine's clock (ms since the epoch): `endedAt`, and how long ago a run was queued. */
  readonly now: () => number;
}

/** Marks the runs of dead processes failed; returns the ids it marked. */
export async function reapDeadRuns({ store, inFlight, now }: ReaperDeps): Promise<string[]> {
  const marked: string[] = [];
  for (const run of await store.activeRuns()) {
    if (inFlight(run.runId)) continue;
    const owner = run.owner;
    if (
      owner &&
      owner.host === hostname() &&
      (owner.pid === process.pid || isProcessAlive(owner.pid))
    )
      continue;
    if (!owner && now() - Date.parse(run.queuedAt) < QUEUED_GRACE_MS) continue; // just created by another command
    // A scheduled or dataset-triggered run waits, queued, for the scheduler (updraft dev).
    if (!owner && run.status === 'queued' && WAITS_FOR_SCHEDULER.has(run.triggeredBy)) continue;
    const cause = owner
      ? `the process running it (pid ${owner.pid} on ${owner.host}) ended before the run finished (killed or crashed); resume it with: updraft retry ${run.runId}`
      : `the run was queued but never started; start it again with: updraft retry ${run.runId}`;
    const error = { error: DEAD, cause };
    const updated = await store.updateRun(
      run.runId,
      { status: 'failed', endedAt: new Date(now()).toISOString(), error, owner: undefined },
      { ifStatus: ['queued', 'running'] },
    );
    if (!updated) continue;
    for (const t of await store.listTasks(run.runId)) {
      if (t.state === 'running' || t.state === 'up_for_retry' || t.state === 'queued')
        await store.putTask({ ...t, state: 'failed', error });
    }
    await releaseRunPools({ store }, run);
    marked.push(run.runId);
  }
  await releaseOrphanSlots({ store, inFlight });
  return marked;
}

/** Slots held for runs that ended (or are gone) and that this engine is not running. */
async function releaseOrphanSlots({
  store,
  inFlight,
}: Pick<ReaperDeps, 'store' | 'inFlight'>): Promise<void> {
  const executions = new Map<string, { runId: string; execution: string }>();
  for (const h of await store.poolHolders())
    executions.set(`${h.runId}\u0000${h.execution}`, { runId: h.runId, execution: h.execution });
  for (const { runId, execution } of executions.values()) {
    if (inFlight(runId)) continue;
    const run = await store.getRun(runId);
    if (run && (run.status === 'queued' || run.status === 'running')) continue;
    await store.releaseRunPoolSlots(runId, [execution]);
  }
}

/**
 * @module runtime/pool-release
 * Gives back the pool slots an execution still holds when it has ended, on both targets. The
 * compiled machine gives a pooled task's slot back on every way out of the task (success, a caught
 * failure, a task timeout: compiler/states/pool), but an execution that is aborted, times out as a
 * whole, or whose process dies never reaches those states. The recorder calls this when it hears
 * an execution end (AWS); the embedded engine when a run ends and when its dead-run check marks a
 * run's process dead (engine/reaper).
 */
import type { PoolHolder, PoolSlots, RunRecord, Store } from '../store/types.ts';
import type { RuntimeLog } from './run-queue.ts';
import { executionName, runOfExecutionName } from './launch.ts';

/**
 * Releases every slot the run holds or, with `execution` (the execution that ended), those it and
 * the run's earlier executions acquired: a resumed run's newer execution keeps what it took, and
 * what an earlier one left (its end event came after the newer one started, and changed nothing)
 * goes now. Returns the holders released, each logged when a log is given.
 */
export async function releaseRunPools(
  deps: { readonly store: PoolSlots; readonly log?: RuntimeLog },
  run: Pick<RunRecord, 'runId'>,
  execution?: string,
): Promise<PoolHolder[]> {
  const released = await deps.store.releaseRunPoolSlots(
    run.runId,
    execution === undefined ? undefined : executionsUpTo(run.runId, execution),
  );
  for (const h of released)
    deps.log?.info(
      `gave back the slot of pool "${h.pool}" that ${h.holder} still held when execution ${h.execution} ended`,
      { runId: run.runId, pool: h.pool, holder: h.holder },
    );
  return released;
}

/** The names of the run's executions up to this one: `<runId>`, `<runId>-r2` … */
function executionsUpTo(runId: string, execution: string): string[] {
  const { attempt } = runOfExecutionName(execution);
  return Array.from({ length: attempt ?? 1 }, (_, i) => executionName(runId, i + 1));
}

/**
 * The sweep for slots whose holder vanished on AWS (the engine's dead-run check does it locally):
 * a holder whose run has ended, or has no record, gives its slot back. The recorder releases an
 * ended execution's slots when it hears the end; this catches an end event that was lost (its
 * dead letter not replayed yet). Only the executions seen holding are released, so a run resumed
 * meanwhile keeps what its new execution takes. The launcher runs it on every tick.
 */
export async function reapPoolHolders(deps: {
  readonly store: PoolSlots & Pick<Store, 'getRun'>;
  readonly log?: RuntimeLog;
}): Promise<PoolHolder[]> {
  const byRun = new Map<string, Set<string>>();
  for (const h of await deps.store.poolHolders())
    byRun.set(h.runId, (byRun.get(h.runId) ?? new Set()).add(h.execution));
  const released: PoolHolder[] = [];
  for (const [runId, executions] of byRun) {
    const run = await deps.store.getRun(runId);
    if (run && (run.status === 'queued' || run.status === 'running')) continue;
    const gone = await deps.store.releaseRunPoolSlots(runId, [...executions]);
    for (const h of gone)
      deps.log?.warn(
        `gave back the slot of pool "${h.pool}" that ${h.holder} held though its run ${run ? `is ${run.status}` : 'has no record'} (its end event was not handled)`,
        { runId, pool: h.pool, holder: h.holder },
      );
    released.push(...gone);
  }
  return released;
}

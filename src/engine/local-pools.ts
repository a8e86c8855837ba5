/**
 * @module engine/local-pools
 * The embedded engine's answer to a pooled task's two states (compiler/states/pool): the very
 * UpdateItem requests the compiled machine sends to DynamoDB on AWS — take a slot of the pool for
 * the holder named in the request, give it back — applied to the local store's pools (store
 * PoolSlots: one conditional write in the SQLite file every local process shares).
 *
 * What differs from AWS, and why:
 * - A full pool. On AWS the acquire fails with `DynamoDB.ConditionalCheckFailedException` and its
 *   Retry tries again 1, 2, 4 … then every 60 s. The engine skips retry delays (its interpreter
 *   retries at once, and the virtual clock jumps the delay), so answering "full" would spin
 *   through all 250 retries in a millisecond and fail the task while the slots are still taken.
 *   So the local acquire itself waits until a slot frees: woken at once when this process gives
 *   one back, and checking the store every {@link POLL_MS} ms for slots other processes give back.
 *   A slot is taken as soon as it frees, where AWS takes it at the waiter's next retry (≤ 60 s).
 * - What waiting costs. The run's history and transitions count the retries AWS would have made
 *   over the time the task really waited (contract poolRetriesFor), and a wait past AWS's longest
 *   fails the task with `Updraft.PoolTimeout`, as the compiled Catch does there. Waits the
 *   virtual clock skipped elsewhere (a holder's retry delays, say) are not waited for here, so a
 *   local run can wait less than the same runs would on AWS, never more.
 * - A holder whose process died. While it waits, the acquire runs the engine's dead-run check
 *   every {@link REAP_EVERY_MS} ms, which gives back the slots of runs whose process is gone; on
 *   AWS the recorder gives back what an execution held when it ends (runtime/pool-release).
 */
import type { PoolIR } from '../ir/types.ts';
import {
  ERROR_NAMES,
  poolMaxWaitSeconds,
  poolRetriesFor,
  poolTimeoutCause,
} from '../compiler/contract.ts';
import type { PoolSlots } from '../store/types.ts';
import { stateError } from '../runtime/errors.ts';
import type { Clock } from './clock.ts';
import type { HistoryMeter } from './history-meter.ts';

/** How often a waiting acquire looks for slots other processes gave back. */
export const POLL_MS = 50;
/** How often a waiting acquire runs the dead-run check (a killed process's slots come back). */
export const REAP_EVERY_MS = 2000;

export interface LocalPoolsOptions {
  readonly slots: PoolSlots;
  /** The run's id and its execution's name (`<runId>` or `<runId>-r<n>`, as on AWS). */
  readonly runId: string;
  readonly execution: string;
  readonly clock: Clock;
  readonly history: HistoryMeter;
  /** The engine's dead-run check: gives back the slots of runs whose process died. */
  readonly reap?: () => Promise<unknown>;
}

/** The request of an acquire or release state, the fields read here. */
interface PoolRequest {
  readonly ExpressionAttributeNames?: { readonly '#k'?: unknown };
}

/** Wakes the acquires of this process waiting on a store's pool when one of its slots is given back. */
const waiters = new WeakMap<PoolSlots, Map<string, Set<() => void>>>();

function wake(slots: PoolSlots, pool: string): void {
  for (const w of waiters.get(slots)?.get(pool) ?? []) w();
}

/** Resolves when a slot of the pool is given back in this process, or after `ms`. */
function woken(slots: PoolSlots, pool: string, ms: number): Promise<void> {
  let byPool = waiters.get(slots);
  if (!byPool) waiters.set(slots, (byPool = new Map()));
  let set = byPool.get(pool);
  if (!set) byPool.set(pool, (set = new Set()));
  const list = set;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      list.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    list.add(done);
  });
}

/** One execution's pool states. */
export class LocalPools {
  readonly #o: LocalPoolsOptions;
  #stopped = false;
  /** Acquires still waiting: `stop` ends them. */
  readonly #waiting = new Set<() => void>();

  constructor(options: LocalPoolsOptions) {
    this.#o = options;
  }

  get slots(): PoolSlots {
    return this.#o.slots;
  }

  /** The acquire or release state of a pooled task (`pool` from its IR, the holder from the request). */
  async handle(
    role: 'acquire' | 'release',
    taskId: string,
    pool: PoolIR,
    request: unknown,
  ): Promise<Record<string, never>> {
    const holder = (request as PoolRequest).ExpressionAttributeNames?.['#k'];
    if (typeof holder !== 'string')
      throw new Error(`the ${role} state of task "${taskId}" names no holder (#k)`);
    if (role === 'release') {
      await this.#o.slots.releasePoolSlot(pool.name, holder);
      wake(this.#o.slots, pool.name);
    } else await this.#acquire(taskId, pool, holder);
    // UpdateItem's answer without ReturnValues: nothing the state keeps (ResultPath null).
    return {};
  }

  /** The execution ended (or was stopped): acquires still waiting give up. */
  stop(): void {
    this.#stopped = true;
    for (const w of this.#waiting) w();
  }

  async #acquire(taskId: string, pool: PoolIR, holder: string): Promise<void> {
    const { slots, runId, execution, clock } = this.#o;
    // Time really waited: the run's clock less what it skipped meanwhile (another branch's Wait
    // state jumps the virtual clock; it is no time this task waited).
    const wall = () => clock.now() - clock.skippedMs;
    const started = wall();
    let reaped = started;
    const maxMs = poolMaxWaitSeconds() * 1000;
    for (let attempt = 0; ; attempt++) {
      if (this.#stopped)
        throw stateError({
          error: ERROR_NAMES.aborted,
          cause: `the run ended while task "${taskId}" waited for a slot of pool "${pool.name}"`,
        });
      if (await slots.acquirePoolSlot({ pool: pool.name, holder, runId, execution }, pool.slots))
        return attempt === 0 ? undefined : this.#count(taskId, wall() - started);
      const waited = wall() - started;
      if (waited > maxMs) {
        this.#count(taskId, waited);
        throw stateError({
          error: ERROR_NAMES.poolTimeout,
          cause: poolTimeoutCause(taskId, pool.name, pool.slots),
        });
      }
      if (this.#o.reap && wall() - reaped >= REAP_EVERY_MS) {
        reaped = wall();
        await this.#o.reap();
        continue;
      }
      let stopWaiting: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => (stopWaiting = resolve));
      this.#waiting.add(stopWaiting);
      await Promise.race([woken(slots, pool.name, POLL_MS), stopped]);
      this.#waiting.delete(stopWaiting);
    }
  }

  /** The retries AWS would have made over a wait this long (at least one): each a transition and three history events. */
  #count(taskId: string, waitedMs: number): void {
    for (let n = Math.max(1, poolRetriesFor(waitedMs / 1000)); n > 0; n--) {
      this.#o.history.stateRetried(taskId);
      this.#o.history.taskCalled();
    }
  }
}

/**
 * @module cli/ui-cost
 * The UI's Cost view: per DAG, what a run costs by the compiled machine's count (explain), how
 * many runs its schedule starts in 30 days, the month that makes, and what its runs of the last
 * 30 days actually cost (their recorded cost on AWS; locally their transitions at the same
 * price) — beside the floor of the smallest always-on MWAA environment. Step Functions
 * transitions only: Lambda time, DynamoDB and S3 are extra (BENCHMARKS.md, docs/operating.md).
 */
import { compileDag, LIMITS } from '../compiler/index.ts';
import { timeScheduleOf, type DagIR } from '../ir/types.ts';
import { runsBetween, scheduledDag } from '../schedule/index.ts';
import type { Store } from '../store/types.ts';

const DAY_MS = 86_400_000;
const WINDOW_DAYS = 30;
/** Runs read per DAG for the actual month (more is a sign to look at the history itself). */
const RUNS_READ = 1000;

/**
 * Amazon MWAA's smallest always-on environment, mw1.small: about $0.49 an hour in us-east-1,
 * billed whether any DAG runs or not (≈ $358 a month; c3x.dev's MWAA cost breakdown, 2025).
 */
export const MWAA_SMALL_PER_MONTH_USD = 0.49 * 730;

export interface DagCost {
  readonly dagId: string;
  readonly perRunUsd: number;
  readonly transitionsPerRun: number;
  /** Runs its time schedule starts in the next 30 days; undefined when no schedule starts it (manual, data-aware). */
  readonly runsPerMonth?: number;
  readonly estimateMonthUsd?: number;
  readonly runsLast30Days: number;
  readonly actualLast30DaysUsd: number;
}

/** `GET /api/cost`. */
export interface Costs {
  readonly dags: readonly DagCost[];
  readonly mwaaSmallPerMonthUsd: number;
}

export async function dagCosts(store: Store, dags: readonly DagIR[], now: Date): Promise<Costs> {
  const since = new Date(now.getTime() - WINDOW_DAYS * DAY_MS).toISOString();
  const until = now.getTime() + WINDOW_DAYS * DAY_MS;
  const costs = await Promise.all(
    dags.map(async (ir): Promise<DagCost> => {
      const { analysis } = compileDag(ir);
      const scheduled = runsBetween(scheduledDag(ir), now, new Date(until));
      const runsPerMonth = scheduled.length;
      const recent = (await store.listRuns({ dagId: ir.id, limit: RUNS_READ })).filter(
        (r) => r.startedAt !== undefined && r.startedAt >= since, // a run still queued cost nothing yet
      );
      const actual = recent.reduce(
        (sum, r) => sum + (r.costUsd ?? (r.transitions ?? 0) * LIMITS.pricePerTransitionUsd),
        0,
      );
      const timeBased = timeScheduleOf(ir.schedule) !== undefined;
      return {
        dagId: ir.id,
        perRunUsd: analysis.costPerRunUsd,
        transitionsPerRun: analysis.transitions.allSuccess + analysis.transitions.poolWaits,
        ...(timeBased && {
          runsPerMonth,
          estimateMonthUsd: runsPerMonth * analysis.costPerRunUsd,
        }),
        runsLast30Days: recent.length,
        actualLast30DaysUsd: actual,
      };
    }),
  );
  return { dags: costs, mwaaSmallPerMonthUsd: MWAA_SMALL_PER_MONTH_USD };
}

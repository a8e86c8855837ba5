/**
 * @module cli/ui-run-cost
 * What a run cost, and each of its tasks: the state transitions of its states (Step Functions
 * Standard bills each), and the Lambda time of its tries at the DAG's task Lambda memory (billed
 * per GB-second, plus a request each). The run's transitions are its own (recorded on AWS, counted
 * locally); a task's are counted by the embedded engine only. Prices: compiler/contract PRICES,
 * for the deployment's region (a run recorded on AWS keeps the cost its recorder computed there);
 * Lambda bills each try's duration rounded up to the millisecond. Cold-start init time, DynamoDB,
 * S3 and CloudWatch Logs are extra, and small beside these (docs/operating.md).
 */
import { LIMITS, pricesFor, type RegionPrices } from '../compiler/index.ts';
import type { DagIR } from '../ir/types.ts';
import type { RunRecord, TaskRecord, TryRecord } from '../store/types.ts';

export interface TaskCost {
  readonly taskId: string;
  /** Its states' transitions (local runs; undefined for a run recorded on AWS). */
  readonly transitions?: number;
  /** Lambda invocations: its tries (a mapped task: every instance's). */
  readonly invocations: number;
  /** Summed duration of those tries. */
  readonly lambdaMs: number;
  readonly usd: number;
}

export interface RunCost {
  /** The region whose prices these are. */
  readonly region: string;
  readonly transitions?: number;
  readonly transitionsUsd: number;
  /** The task Lambda's memory the Lambda cost is reckoned at. */
  readonly memoryMiB: number;
  readonly invocations: number;
  readonly lambdaMs: number;
  readonly lambdaUsd: number;
  readonly totalUsd: number;
  /** Each task that cost anything, the dearest first. */
  readonly tasks: readonly TaskCost[];
}

/** What a run's cost depends on of its DAG: its task Lambda's memory and which tasks run no code. */
export interface CostedDag {
  readonly memoryMiB: number;
  /** Native operators: on AWS a service integration, not a Lambda invocation (locally a stand-in may record tries). */
  readonly operators: ReadonlySet<string>;
}

/** The DAG's task Lambda memory, as infra/dag-construct sizes it. */
export function taskMemoryMiB(ir: DagIR): number {
  return Math.max(LIMITS.taskMemoryMiB, ...ir.tasks.map((t) => t.memoryMiB ?? 0));
}

/** The cost facts of a DAG; without its IR (no longer in the project), the defaults. */
export function costedDag(ir: DagIR | undefined): CostedDag {
  if (!ir) return { memoryMiB: LIMITS.taskMemoryMiB, operators: new Set() };
  return {
    memoryMiB: taskMemoryMiB(ir),
    operators: new Set(ir.tasks.filter((t) => t.body.kind === 'operator').map((t) => t.id)),
  };
}

function lambdaUsd(p: RegionPrices, invocations: number, ms: number, memoryMiB: number): number {
  return invocations * p.lambdaRequestUsd + (ms / 1000) * (memoryMiB / 1024) * p.lambdaGbSecondUsd;
}

/**
 * @param dag Its task Lambda memory and operators (costedDag).
 * @param region The deployment's region (its prices); @default PRICES' default region
 */
export function runCost(
  dag: CostedDag,
  run: RunRecord,
  tasks: readonly TaskRecord[],
  tries: readonly TryRecord[],
  region?: string,
): RunCost {
  const prices = pricesFor(region);
  const { memoryMiB } = dag;
  const lambda = new Map<string, { invocations: number; ms: number }>();
  for (const t of tries) {
    if (dag.operators.has(t.taskId)) continue;
    const sum = lambda.get(t.taskId) ?? { invocations: 0, ms: 0 };
    sum.invocations++;
    sum.ms += Math.ceil(t.durationMs ?? 0); // billed per started millisecond
    lambda.set(t.taskId, sum);
  }
  const transitionsOf = new Map(tasks.map((t) => [t.taskId, t.transitions]));
  const ids = [...new Set([...lambda.keys(), ...tasks.map((t) => t.taskId)])];
  const perTask = ids
    .map((taskId): TaskCost => {
      const { invocations, ms } = lambda.get(taskId) ?? { invocations: 0, ms: 0 };
      const transitions = transitionsOf.get(taskId);
      return {
        taskId,
        ...(transitions !== undefined && { transitions }),
        invocations,
        lambdaMs: ms,
        usd:
          (transitions ?? 0) * prices.transitionUsd + lambdaUsd(prices, invocations, ms, memoryMiB),
      };
    })
    .filter((t) => t.usd > 0)
    .sort((a, b) => b.usd - a.usd || a.taskId.localeCompare(b.taskId));
  const invocations = perTask.reduce((n, t) => n + t.invocations, 0);
  const lambdaMs = perTask.reduce((n, t) => n + t.lambdaMs, 0);
  const transitionsUsd = run.costUsd ?? (run.transitions ?? 0) * prices.transitionUsd;
  const lambdaTotal = lambdaUsd(prices, invocations, lambdaMs, memoryMiB);
  return {
    region: prices.region,
    ...(run.transitions !== undefined && { transitions: run.transitions }),
    transitionsUsd,
    memoryMiB,
    invocations,
    lambdaMs,
    lambdaUsd: lambdaTotal,
    totalUsd: transitionsUsd + lambdaTotal,
    tasks: perTask,
  };
}

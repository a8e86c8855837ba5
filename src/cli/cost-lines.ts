/**
 * @module cli/cost-lines
 * A run's cost and a task's in one line each, the same words in `updraft show` and the UI's run
 * page (which imports this module: it has no imports but types).
 */
import type { RunCost, TaskCost } from './ui-run-cost.ts';

/** Dollars, to the millionth where the amount is under a cent. */
export const usd = (n: number): string => `$${n < 0.01 ? n.toFixed(6) : n.toFixed(4)}`;

/** The run's cost: the total, its transitions (recorded on AWS, counted locally) and its Lambda time. */
export function costLine(cost: RunCost, recorded: boolean): string {
  const transitions =
    cost.transitions !== undefined
      ? `${usd(cost.transitionsUsd)} for ${cost.transitions} state transitions${recorded ? ' (recorded)' : ''}`
      : 'no transitions recorded yet';
  const lambda =
    cost.invocations > 0
      ? `${usd(cost.lambdaUsd)} for ${cost.invocations} Lambda invocation${cost.invocations === 1 ? '' : 's'}, ${(cost.lambdaMs / 1000).toFixed(1)} s at ${cost.memoryMiB} MiB`
      : 'no Lambda time';
  return `${usd(cost.totalUsd)}: ${transitions} + ${lambda}`;
}

/** A task's share of it. */
export function taskCostLine(t: TaskCost): string {
  return [
    usd(t.usd),
    t.transitions !== undefined && `${t.transitions} transition${t.transitions === 1 ? '' : 's'}`,
    t.invocations > 0 && `${t.invocations} × Lambda, ${(t.lambdaMs / 1000).toFixed(2)} s`,
  ]
    .filter(Boolean)
    .join(' · ');
}

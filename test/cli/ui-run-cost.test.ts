/**
 * A run's cost and each task's (cli/ui-run-cost, GET /api/runs/:id): the transitions of a task's
 * own states as the embedded engine counted them (a retry adds one), the Lambda time of its tries
 * at the DAG's task Lambda memory, and the run's total.
 */
import { describe, expect, it } from 'vitest';
import { apiAfterRun } from '../support/dev-api-run.ts';
import { PRICES, pricesFor } from '../../src/compiler/index.ts';
import { costOf } from '../../src/runtime/execution-events.ts';
import { athenaQuery, dag, task } from '../../src/sdk/index.ts';

let calls = 0;
const costly = dag('costly', { startDate: '2026-11-01' }, () => {
  const steady = task('steady', async () => 1);
  const flaky = task(
    'flaky',
    { retry: { attempts: 2, delay: '1s' }, memoryMiB: 2048 },
    async () => {
      if (++calls === 1) throw new Error('first try fails');
      return 2;
    },
  );
  task('sum', async (_ctx, a: number, b: number) => a + b)(steady(), flaky());
});

describe("a run's cost", () => {
  it('per task: its states’ transitions (a retry adds one) and its tries’ Lambda time; the run’s total', async () => {
    const { run, app, store } = await apiAfterRun(costly, 'dags/costly.ts');
    const detail = (await (await app.request(`/api/runs/${run.runId}`)).json()) as any;
    const { cost, tries } = detail;
    const byTask = Object.fromEntries(cost.tasks.map((t: { taskId: string }) => [t.taskId, t]));

    // The same shape of states; flaky's retry is one more billed transition.
    expect(byTask.steady.transitions).toBeGreaterThan(0);
    expect(byTask.flaky.transitions).toBe(byTask.steady.transitions + 1);
    const taskTransitions = cost.tasks.reduce((n: number, t: any) => n + t.transitions, 0);
    expect(taskTransitions).toBeLessThanOrEqual(run.transitions!); // the run's start and end are no task's
    expect(cost.transitions).toBe(run.transitions);

    // Lambda: a request per try, its duration at the DAG's task Lambda memory (flaky asks 2 GiB).
    expect(cost.memoryMiB).toBe(2048);
    const msOf = (id: string) =>
      tries.filter((t: any) => t.taskId === id).reduce((n: number, t: any) => n + t.durationMs, 0);
    expect([byTask.steady.invocations, byTask.flaky.invocations, byTask.sum.invocations]).toEqual([
      1, 2, 1,
    ]);
    expect(byTask.flaky.lambdaMs).toBe(msOf('flaky'));
    const lambda = (n: number, ms: number) => n * 0.0000002 + (ms / 1000) * 2 * 0.0000133334;
    expect(byTask.flaky.usd).toBeCloseTo(
      byTask.flaky.transitions * 0.000025 + lambda(2, msOf('flaky')),
      12,
    );
    expect(cost.invocations).toBe(4);
    expect(cost.lambdaUsd).toBeCloseTo(
      lambda(
        4,
        tries.reduce((n: number, t: any) => n + t.durationMs, 0),
      ),
      12,
    );
    expect(cost.totalUsd).toBeCloseTo(run.transitions! * 0.000025 + cost.lambdaUsd, 12);
    await store.close();
  });

  it('prices a region from the one table (its sources and date with it); an unknown region says so', () => {
    expect(PRICES.sources.stepFunctions).toMatch(
      /^https:\/\/aws\.amazon\.com\/step-functions\/pricing\//,
    );
    expect(PRICES.asOf).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(pricesFor('eu-west-3')).toEqual({
      region: 'eu-west-3',
      known: true,
      transitionUsd: 0.0297 / 1000,
      lambdaGbSecondUsd: 0.0000133334,
      lambdaRequestUsd: 0.0000002,
    });
    expect(pricesFor('xx-nowhere-1')).toMatchObject({ region: 'us-east-1', known: false });
    expect(pricesFor(undefined).transitionUsd).toBe(0.000025);
    // The recorder's cost of a run on AWS, in its own region.
    expect(costOf(1000, 'sa-east-1')).toBe(0.0375);
    expect(costOf(1000, 'us-east-1')).toBe(0.025);
  });

  it('a native operator costs transitions, not Lambda time, though its local stand-in ran here', async () => {
    const withOperator = dag('with_operator', { startDate: '2026-11-01' }, () => {
      task('prep', async () => 1)().then(
        athenaQuery('stats', {
          query: 'SELECT 1',
          database: 'analytics',
          workGroup: 'primary',
          outputLocation: 's3://results/stats/',
          local: () => ({ QueryExecution: { QueryExecutionId: 'local-1' } }),
        }),
      );
    });
    const { run, app, store } = await apiAfterRun(withOperator, 'dags/with_operator.ts');
    const { cost } = (await (await app.request(`/api/runs/${run.runId}`)).json()) as any;
    expect(cost.invocations).toBe(1);
    const stats = cost.tasks.find((t: { taskId: string }) => t.taskId === 'stats');
    expect(stats).toMatchObject({ invocations: 0, lambdaMs: 0 });
    expect(stats.transitions).toBeGreaterThan(0);
    await store.close();
  });
});

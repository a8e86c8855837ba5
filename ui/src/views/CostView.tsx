/**
 * Cost per DAG and month: the estimate from the compiled machine and the schedule (what
 * `updraft explain` says a run costs), the actual cost of the last 30 days' runs, and, for
 * scale, the smallest always-on MWAA environment. Step Functions transitions only.
 */
import { useQuery } from '@tanstack/react-query';
import type { Costs } from '../api.ts';
import { Status } from '../components/State.tsx';
import { href } from '../router.ts';

const usd = (n: number) => (n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(n >= 0.01 ? 4 : 6)}`);

export function CostView() {
  const costs = useQuery({
    queryKey: ['cost'],
    queryFn: async () => (await fetch('/api/cost')).json() as Promise<Costs>,
  });
  if (!costs.data) return <Status loading={costs.isLoading} error={costs.error} />;
  const { dags, mwaaSmallPerMonthUsd } = costs.data;
  const month = dags.reduce((n, d) => n + (d.estimateMonthUsd ?? 0), 0);
  const actual = dags.reduce((n, d) => n + d.actualLast30DaysUsd, 0);
  return (
    <section>
      <h1>Cost</h1>
      <p className="muted">
        Step Functions state transitions at $0.025 per 1,000 (Standard workflows); Lambda time,
        DynamoDB and S3 come on top. Nothing is billed while no run goes.
      </p>
      <table data-testid="cost">
        <thead>
          <tr>
            <th>DAG</th>
            <th>per run</th>
            <th>scheduled runs / 30 days</th>
            <th>estimate / 30 days</th>
            <th>runs, last 30 days</th>
            <th>actual, last 30 days</th>
          </tr>
        </thead>
        <tbody>
          {dags.map((d) => (
            <tr key={d.dagId}>
              <td>
                <a href={href.dag(d.dagId)}>{d.dagId}</a>
              </td>
              <td title={`${d.transitionsPerRun} transitions`}>{usd(d.perRunUsd)}</td>
              <td>{d.runsPerMonth ?? 'not scheduled'}</td>
              <td>{d.estimateMonthUsd === undefined ? '—' : usd(d.estimateMonthUsd)}</td>
              <td>{d.runsLast30Days}</td>
              <td>{usd(d.actualLast30DaysUsd)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>all DAGs</th>
            <td />
            <td />
            <th>{usd(month)}</th>
            <td />
            <th>{usd(actual)}</th>
          </tr>
        </tfoot>
      </table>
      <p>
        For scale: the smallest always-on Amazon MWAA environment (mw1.small) costs about{' '}
        <strong>{usd(mwaaSmallPerMonthUsd)}</strong> a month before any task runs.
      </p>
    </section>
  );
}

/** One DAG: the grid (runs × tasks), the graph with a run's states, and the trigger form. */
import { useState } from 'react';
import { useDag, useGrid, type DagDetail, type Grid as GridData } from '../api.ts';
import { Graph } from '../components/Graph.tsx';
import { StateSquare, Status, time } from '../components/State.tsx';
import { href } from '../router.ts';
import { TriggerForm } from './TriggerForm.tsx';

export function DagView({ dagId, tab }: { dagId: string; tab: 'grid' | 'graph' | 'trigger' }) {
  const dag = useDag(dagId);
  const grid = useGrid(dagId);
  if (!dag.data) return <Status loading={dag.isLoading} error={dag.error} />;
  const d = dag.data;
  return (
    <section>
      <header className="bar">
        <h1>{d.id}</h1>
        <span className="muted">
          {d.schedule}
          {d.paused && ' · paused'}
        </span>
      </header>
      {d.description && <p>{d.description}</p>}
      <nav className="tabs" aria-label="DAG views">
        {(['grid', 'graph', 'trigger'] as const).map((t) => (
          <a key={t} href={href.dag(dagId, t)} aria-current={t === tab ? 'page' : undefined}>
            {t}
          </a>
        ))}
      </nav>
      {tab === 'grid' &&
        (grid.data ? (
          <GridTable dag={d} grid={grid.data} />
        ) : (
          <Status loading={grid.isLoading} error={grid.error} />
        ))}
      {tab === 'graph' && <GraphTab dag={d} grid={grid.data} />}
      {tab === 'trigger' && <TriggerForm dag={d} />}
    </section>
  );
}

/** Tasks down, runs across (oldest left, as Airflow's grid): a cell per task instance. */
function GridTable({ dag, grid }: { dag: DagDetail; grid: GridData }) {
  if (grid.runs.length === 0)
    return <Status empty={`No runs of ${dag.id} yet: trigger one, or wait for its schedule.`} />;
  const runs = [...grid.runs].reverse();
  const labels = new Map(dag.graph.nodes.map((n) => [n.id, n]));
  return (
    <div className="grid-scroll">
      <table className="grid" data-testid="grid">
        <thead>
          <tr>
            <th scope="col">task</th>
            {runs.map((r) => (
              <th key={r.runId} scope="col">
                <a href={href.run(r.runId)} title={`${r.runId} (${r.triggeredBy})`}>
                  <StateSquare state={r.status} />
                  <span className="vertical">{time(r.logicalDate).slice(0, 16)}</span>
                </a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.tasks.map((taskId) => {
            const node = labels.get(taskId);
            return (
              <tr key={taskId}>
                <th scope="row" style={{ paddingLeft: `${(node?.groups.length ?? 0) + 0.5}em` }}>
                  {node?.label ?? taskId}
                </th>
                {runs.map((r) => {
                  const cell = r.cells[taskId];
                  const state = cell?.state ?? 'none';
                  const tries = cell && cell.tries > 1 ? ` · ${cell.tries} tries` : '';
                  const mapped = cell?.mapped ? ` · ${cell.mapped.count} instances` : '';
                  return (
                    <td key={r.runId}>
                      <a
                        href={href.run(r.runId, taskId)}
                        aria-label={`${taskId} in ${r.runId}: ${state}`}
                      >
                        <StateSquare state={state} title={`${taskId}: ${state}${tries}${mapped}`} />
                      </a>
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function GraphTab({ dag, grid }: { dag: DagDetail; grid: GridData | undefined }) {
  const [chosen, setChosen] = useState<string>();
  const runs = grid?.runs ?? [];
  const run = runs.find((r) => r.runId === chosen) ?? runs[0];
  const states = Object.fromEntries(
    Object.entries(run?.cells ?? {}).map(([id, c]) => [id, c.state]),
  );
  return (
    <>
      <label className="bar">
        Run{' '}
        <select value={run?.runId ?? ''} onChange={(e) => setChosen(e.target.value)}>
          {runs.length === 0 && <option value="">no runs yet</option>}
          {runs.map((r) => (
            <option key={r.runId} value={r.runId}>
              {r.runId} ({r.status})
            </option>
          ))}
        </select>
      </label>
      <Graph
        graph={dag.graph}
        states={states}
        onSelect={(taskId) => {
          if (run) window.location.hash = href.run(run.runId, taskId);
        }}
      />
    </>
  );
}

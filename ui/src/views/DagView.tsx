/** One DAG: the grid (runs × tasks), the graph with a run's states, and the trigger form. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { useDag, useGrid, type DagDetail, type Grid as GridData } from '../api.ts';
import { Graph } from '../components/Graph.tsx';
import { StateSquare, Status, time } from '../components/State.tsx';
import { href } from '../router.ts';
import { BackfillForm, TriggerForm } from './TriggerForm.tsx';

/** How many runs the grid shows: `?runs=N` in the page's address sets the first choice. */
const RUN_CHOICES = [25, 100, 365, 1000];
const initialRuns = () => {
  const asked = Number(new URLSearchParams(window.location.search).get('runs'));
  return RUN_CHOICES.includes(asked) ? asked : 25;
};

export function DagView({ dagId, tab }: { dagId: string; tab: 'grid' | 'graph' | 'trigger' }) {
  const dag = useDag(dagId);
  const [runs, setRuns] = useState(initialRuns);
  const grid = useGrid(dagId, runs);
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
        <label className="push">
          runs{' '}
          <select value={runs} onChange={(e) => setRuns(Number(e.target.value))}>
            {RUN_CHOICES.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </nav>
      {tab === 'grid' &&
        (grid.data ? (
          <GridTable dag={d} grid={grid.data} />
        ) : (
          <Status loading={grid.isLoading} error={grid.error} />
        ))}
      {tab === 'graph' && <GraphTab dag={d} grid={grid.data} />}
      {tab === 'trigger' && (
        <>
          <TriggerForm dag={d} />
          {d.scheduleExpression !== null && <BackfillForm dag={d} />}
        </>
      )}
    </section>
  );
}

const CELL = 18;

/**
 * Tasks down, runs across (oldest left, as Airflow's grid): a cell per task instance. Only the
 * runs in view are drawn (TanStack Virtual), so a thousand runs scroll as lightly as twenty.
 */
function GridTable({ dag, grid }: { dag: DagDetail; grid: GridData }) {
  if (grid.runs.length === 0)
    return <Status empty={`No runs of ${dag.id} yet: trigger one, or wait for its schedule.`} />;
  // Its own component: the virtualizer starts once its scroll container exists.
  return <GridBody dag={dag} grid={grid} />;
}

function GridBody({ dag, grid }: { dag: DagDetail; grid: GridData }) {
  const scroller = useRef<HTMLDivElement>(null);
  const runs = useMemo(() => [...grid.runs].reverse(), [grid.runs]);
  const columns = useVirtualizer({
    horizontal: true,
    count: runs.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => CELL,
    overscan: 12,
    // Start at the newest runs, as Airflow's grid does.
    initialOffset: () => Math.max(0, runs.length * CELL - (scroller.current?.clientWidth ?? 0)),
  });
  const labels = new Map(dag.graph.nodes.map((n) => [n.id, n]));
  const stateOf = useMemo(
    () => new Map(Object.entries(grid.codes).map(([state, code]) => [code, state])),
    [grid.codes],
  );
  const items = columns.getVirtualItems();
  const width = columns.getTotalSize();
  return (
    <div className="grid" data-testid="grid">
      <div className="grid-names">
        <div className="grid-head">task</div>
        {grid.tasks.map((taskId) => {
          const node = labels.get(taskId);
          return (
            <div
              key={taskId}
              className="grid-name"
              style={{ paddingLeft: `${(node?.groups.length ?? 0) + 0.5}em` }}
            >
              {node?.label ?? taskId}
            </div>
          );
        })}
      </div>
      <div className="grid-scroll" ref={scroller}>
        <div className="grid-head" style={{ width }}>
          {items.map((v) => {
            const r = runs[v.index]!;
            return (
              <a
                key={r.runId}
                className="grid-cell"
                style={{ left: v.start }}
                href={href.run(r.runId)}
                title={`${r.runId} (${r.triggeredBy}): ${r.status}`}
              >
                <StateSquare state={r.status} />
                <span className="vertical">{time(r.logicalDate).slice(0, 16)}</span>
              </a>
            );
          })}
        </div>
        {grid.tasks.map((taskId, t) => (
          <div key={taskId} className="grid-row" style={{ width }}>
            {items.map((v) => {
              const r = runs[v.index]!;
              const state = stateOf.get(r.states[t] ?? '-') ?? 'none';
              const n = r.tries?.[taskId];
              const tries = n !== undefined ? ` · ${n} tries` : '';
              const m = r.mapped?.[taskId];
              const mapped = m !== undefined ? ` · ${m} instances` : '';
              return (
                <a
                  key={r.runId}
                  className={`grid-cell square state-${state}`}
                  style={{ left: v.start }}
                  href={href.run(r.runId, taskId)}
                  title={`${taskId}: ${state}${tries}${mapped}`}
                  aria-label={`${taskId} in ${r.runId}: ${state}`}
                />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

function GraphTab({ dag, grid }: { dag: DagDetail; grid: GridData | undefined }) {
  const [chosen, setChosen] = useState<string>();
  const runs = grid?.runs ?? [];
  const run = runs.find((r) => r.runId === chosen) ?? runs[0];
  const codes = new Map(Object.entries(grid?.codes ?? {}).map(([state, code]) => [code, state]));
  const states = Object.fromEntries(
    (grid?.tasks ?? []).map((id, t) => [id, codes.get(run?.states[t] ?? '-') ?? 'none']),
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
      <p className="muted">
        Highlighted: the critical path ({dag.graph.criticalPath.length} tasks, by expected duration
        where declared).
        {dag.graph.addedWaits.length > 0 &&
          ` Dashed: ${dag.graph.addedWaits.length} wait${dag.graph.addedWaits.length === 1 ? '' : 's'} the compiler added (updraft explain says why).`}
      </p>
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

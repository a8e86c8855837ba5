/** One DAG: the grid (runs × tasks), the graph with a run's states, and the trigger form. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { useDag, useGrid, type DagDetail, type Grid as GridData } from '../api.ts';
import { Graph, MAX_WAITS_DRAWN } from '../components/Graph.tsx';
import { collapseGroups, SEVERITY } from '../components/collapse.ts';
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

type GridLine =
  | {
      readonly kind: 'task';
      readonly taskId: string;
      readonly index: number;
      readonly depth: number;
    }
  | {
      readonly kind: 'group';
      readonly group: string;
      readonly members: readonly number[];
      readonly depth: number;
    };

/** Tasks in order, a header line where a group starts; a collapsed group's tasks left out. */
function gridLines(grid: GridData, dag: DagDetail, collapsed: ReadonlySet<string>): GridLine[] {
  const node = new Map(dag.graph.nodes.map((n) => [n.id, n]));
  const lines: GridLine[] = [];
  const opened = new Set<string>();
  grid.tasks.forEach((taskId, index) => {
    const groups = node.get(taskId)?.groups ?? [];
    const hiddenBy = groups.findIndex((g) => collapsed.has(g));
    groups.slice(0, hiddenBy < 0 ? groups.length : hiddenBy + 1).forEach((g, depth) => {
      if (opened.has(g)) return;
      opened.add(g);
      const members = grid.tasks.flatMap((id, i) => (node.get(id)?.groups.includes(g) ? [i] : []));
      lines.push({ kind: 'group', group: g, members, depth });
    });
    if (hiddenBy < 0) lines.push({ kind: 'task', taskId, index, depth: groups.length });
  });
  return lines;
}

function GridBody({ dag, grid }: { dag: DagDetail; grid: GridData }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
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
  const lines = useMemo(() => gridLines(grid, dag, collapsed), [grid, dag, collapsed]);
  const toggle = (group: string) => {
    const next = new Set(collapsed);
    if (!next.delete(group)) next.add(group);
    setCollapsed(next);
  };
  const items = columns.getVirtualItems();
  const width = columns.getTotalSize();
  const cell = (r: (typeof runs)[number], line: GridLine, left: number) => {
    if (line.kind === 'group') {
      const states = line.members.map((i) => stateOf.get(r.states[i] ?? '-') ?? 'none');
      const worst = SEVERITY.find((s) => states.includes(s)) ?? 'none';
      return (
        <a
          key={r.runId}
          className={`grid-cell square state-${worst}`}
          style={{ left }}
          href={href.run(r.runId)}
          title={`group ${line.group}: ${worst}`}
        >
          <span className="sr-only">{`group ${line.group} in ${r.runId}: ${worst}`}</span>
        </a>
      );
    }
    const state = stateOf.get(r.states[line.index] ?? '-') ?? 'none';
    const n = r.tries?.[line.taskId];
    const m = r.mapped?.[line.taskId];
    const notes = `${n !== undefined ? ` · ${n} tries` : ''}${m !== undefined ? ` · ${m} instances` : ''}`;
    return (
      <a
        key={r.runId}
        className={`grid-cell square state-${state}`}
        style={{ left }}
        href={href.run(r.runId, line.taskId)}
        title={`${line.taskId}: ${state}${notes}`}
      >
        <span className="sr-only">{`${line.taskId} in ${r.runId}: ${state}`}</span>
      </a>
    );
  };
  return (
    <div className="grid" data-testid="grid">
      <div className="grid-names">
        <div className="grid-head">task</div>
        {lines.map((line) =>
          line.kind === 'group' ? (
            <button
              key={`group:${line.group}`}
              type="button"
              className="grid-name grid-group"
              style={{ paddingLeft: `${line.depth + 0.5}em` }}
              aria-expanded={!collapsed.has(line.group)}
              onClick={() => toggle(line.group)}
            >
              {collapsed.has(line.group) ? '▸' : '▾'} {line.group.split('.').at(-1)}
            </button>
          ) : (
            <div
              key={line.taskId}
              className="grid-name"
              style={{ paddingLeft: `${line.depth + 0.5}em` }}
            >
              {labels.get(line.taskId)?.label ?? line.taskId}
            </div>
          ),
        )}
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
                <span className="vertical">{time(r.logicalDate).slice(5, 16)}</span>
                <StateSquare state={r.status} />
              </a>
            );
          })}
        </div>
        {lines.map((line) => (
          <div
            key={line.kind === 'group' ? `group:${line.group}` : line.taskId}
            className={line.kind === 'group' ? 'grid-row group' : 'grid-row'}
            style={{ width }}
          >
            {items.map((v) => cell(runs[v.index]!, line, v.start))}
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
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (group: string) => {
    const next = new Set(collapsed);
    if (!next.delete(group)) next.add(group);
    setCollapsed(next);
  };
  const shown = collapseGroups(dag.graph, collapsed, states);
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
          (dag.graph.addedWaits.length > MAX_WAITS_DRAWN
            ? ` The compiler added ${dag.graph.addedWaits.length} waits, too many to draw: updraft explain lists them.`
            : ` Dashed: ${dag.graph.addedWaits.length} wait${dag.graph.addedWaits.length === 1 ? '' : 's'} the compiler added (updraft explain says why).`)}
      </p>
      {dag.groups.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons; a fieldset would add a form's border and legend
        <div className="bar" role="group" aria-label="task groups">
          Groups:
          {dag.groups.map((g) => (
            <button
              key={g}
              type="button"
              className="small"
              aria-pressed={collapsed.has(g)}
              onClick={() => toggle(g)}
            >
              {collapsed.has(g) ? '▸' : '▾'} {g}
            </button>
          ))}
        </div>
      )}
      <Graph
        graph={shown.graph}
        states={shown.states}
        onSelect={(id) => {
          if (id.startsWith('group:')) toggle(id.slice('group:'.length));
          else if (run) window.location.hash = href.run(run.runId, id);
        }}
      />
    </>
  );
}

/**
 * A run: its trigger, data interval, conf, error, triggering events and notifications; its tasks
 * with state, tries and duration; and, for a chosen task, every try (error and stack trace), its
 * output, lineage and log lines. Actions as the CLI's: retry a failed run, clear a task (with
 * downstream), each asking first; the server's message is shown as is. Everything a task wrote is
 * rendered as text (React escapes it), never as HTML.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import {
  post,
  useDag,
  useInputs,
  useLogs,
  useRun,
  useRuns,
  type RunDetail,
  type RunSummary,
  type TaskCost,
} from '../api.ts';
import { duration, StateBadge, Status, time } from '../components/State.tsx';
import { Gantt } from '../components/Gantt.tsx';
import { costLine, taskCostLine, usd } from '../../../src/cli/cost-lines.ts';
import { href } from '../router.ts';

/** When a running run should end: its start plus the median duration of the DAG's last successful runs. */
function eta(run: RunSummary, history: readonly RunSummary[]): string {
  const took = history
    .filter((h) => h.status === 'success' && h.startedAt && h.endedAt)
    .map((h) => Date.parse(h.endedAt!) - Date.parse(h.startedAt!))
    .sort((a, b) => a - b);
  if (!run.startedAt) return 'when it starts (it is queued)';
  if (took.length === 0) return 'unknown: no successful run to learn from yet';
  const median = took[Math.floor(took.length / 2)]!;
  return `${time(new Date(Date.parse(run.startedAt) + median).toISOString())} (the median of the last ${took.length} successful runs: ${duration(new Date(0).toISOString(), new Date(median).toISOString())})`;
}

export function RunView({ runId, taskId }: { runId: string; taskId?: string }) {
  const run = useRun(runId);
  const dag = useDag(run.data?.run.dagId ?? '');
  const history = useRuns(run.data?.run.dagId ?? '');
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const client = useQueryClient();
  if (!run.data) return <Status loading={run.isLoading} error={run.error} />;
  const { run: r, notifications } = run.data;
  // In the DAG's order (the graph's columns, then rows), not the store's.
  const place = new Map(
    (dag.data?.graph.nodes ?? []).map((n) => [n.id, n.column * 10_000 + n.row]),
  );
  const tasks = [...run.data.tasks].sort(
    (a, b) => (place.get(a.taskId) ?? 1e9) - (place.get(b.taskId) ?? 1e9),
  );

  const act = async (what: string, path: string, body: unknown) => {
    if (!window.confirm(`${what}?`)) return;
    try {
      await post(path, body);
      setMessage({ text: `${what}: started` });
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
    await client.invalidateQueries();
  };

  return (
    <section>
      <header className="bar">
        <h1>{r.runId}</h1>
        <StateBadge state={r.status} />
        {r.status === 'failed' && (
          <button
            type="button"
            onClick={() =>
              void act(`Retry ${r.runId}`, `/api/runs/${encodeURIComponent(r.runId)}/retry`, {})
            }
          >
            Retry
          </button>
        )}
      </header>
      {message && (
        <p
          className={message.error ? 'notice error' : 'notice'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
      <dl className="facts">
        <dt>DAG</dt>
        <dd>
          <a href={href.dag(r.dagId)}>{r.dagId}</a>
        </dd>
        <dt>triggered by</dt>
        <dd>{r.triggeredBy}</dd>
        <dt>data interval</dt>
        <dd>
          {time(r.dataIntervalStart)} → {time(r.dataIntervalEnd)}
        </dd>
        <dt>started · took</dt>
        <dd>
          {time(r.startedAt)} · {duration(r.startedAt, r.endedAt)}
        </dd>
        <dt>attempt</dt>
        <dd>{r.attempt}</dd>
        {Object.keys(r.conf).length > 0 && (
          <>
            <dt>conf</dt>
            <dd>
              <code>{JSON.stringify(r.conf)}</code>
            </dd>
          </>
        )}
        {run.data.cost && (
          <>
            <dt>cost</dt>
            <dd data-testid="run-cost">{costLine(run.data.cost, r.costUsd !== undefined)}</dd>
          </>
        )}
        {(r.status === 'running' || r.status === 'queued') && (
          <>
            <dt>expected end</dt>
            <dd data-testid="eta">
              {run.data.eta
                ? `${time(run.data.eta.at)} (task durations of the last ${run.data.eta.basedOnRuns} successful runs along what is left: ${run.data.eta.criticalPath.join(' → ')})`
                : eta(r, history.data ?? [])}
            </dd>
          </>
        )}
      </dl>
      {r.error && (
        <pre className="error-box">
          {r.error.error}: {r.error.cause}
        </pre>
      )}
      {r.triggeringEvents && (
        <ul className="events">
          {r.triggeringEvents.map((e) => (
            <li key={`${e.dataset}${e.runId}`}>
              {e.dataset} updated by {e.dagId}.{e.taskId} at {time(e.at)}{' '}
              {e.extra !== undefined && <code>{JSON.stringify(e.extra)}</code>}
            </li>
          ))}
        </ul>
      )}
      <table className="tasks">
        <thead>
          <tr>
            <th>task</th>
            <th>state</th>
            <th>tries</th>
            <th>duration</th>
            <th>cost</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.taskId} aria-selected={t.taskId === taskId}>
              <td>
                <a href={href.run(r.runId, t.taskId)}>{t.taskId}</a>
                {t.mapped && <span className="muted"> · {t.mapped.count} instances</span>}
              </td>
              <td>
                <StateBadge state={t.state} />
              </td>
              <td>{t.attempts}</td>
              <td>{duration(t.startedAt, t.endedAt)}</td>
              <td>
                <TaskCostCell cost={run.data.cost?.tasks.find((c) => c.taskId === t.taskId)} />
              </td>
              <td>
                {(r.status === 'failed' || r.status === 'success') && (
                  <button
                    type="button"
                    className="small"
                    onClick={() =>
                      void act(
                        `Clear ${t.taskId} and its downstream tasks in ${r.runId}`,
                        `/api/runs/${encodeURIComponent(r.runId)}/clear`,
                        { tasks: [t.taskId], downstream: true },
                      )
                    }
                  >
                    clear
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {notifications.length > 0 && (
        <>
          <h2>Notifications</h2>
          <ul>
            {notifications.map((n) => (
              <li key={n.key}>
                {n.event}
                {n.taskId && ` (${n.taskId})`} → {n.channel}: {n.state}
                {n.error && <span className="muted"> · {n.error}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <Gantt detail={run.data} order={tasks.map((t) => t.taskId)} />
      {taskId && <TaskInstance detail={run.data} taskId={taskId} />}
    </section>
  );
}

function TaskCostCell({ cost }: { cost: TaskCost | undefined }) {
  if (!cost) return <span className="muted">—</span>;
  return <span title={taskCostLine(cost)}>{usd(cost.usd)}</span>;
}

function TaskInstance({ detail, taskId }: { detail: RunDetail; taskId: string }) {
  const logs = useLogs(detail.run.runId, taskId);
  const task = detail.tasks.find((t) => t.taskId === taskId);
  const tries = detail.tries.filter((t) => t.taskId === taskId);
  const lineage = detail.lineage.filter((l) => l.taskId === taskId);
  const cost = detail.cost?.tasks.find((c) => c.taskId === taskId);
  return (
    <section className="instance" aria-label={`task ${taskId}`}>
      <h2>{taskId}</h2>
      {!task && <Status empty="This task has no record in this run (not reached)." />}
      {cost && (
        <p data-testid="task-cost">
          Cost of this task: {taskCostLine(cost)}
          {cost.transitions === undefined && ' (its transitions are counted in the run’s only)'}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>try</th>
            <th>state</th>
            <th>started</th>
            <th>duration</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          {tries.map((t) => (
            <tr key={`${t.mapIndex}.${t.tryNumber}`}>
              <td>
                {t.tryNumber}
                {t.mapIndex >= 0 && ` [${t.mapIndex}]`}
              </td>
              <td>
                <StateBadge state={t.state} />
              </td>
              <td>{time(t.startedAt)}</td>
              <td>{t.durationMs !== undefined ? `${t.durationMs} ms` : '—'}</td>
              <td>
                {t.error && (
                  <details>
                    <summary>
                      {t.error.error}: {t.error.cause}
                    </summary>
                    {t.error.stack && <pre>{t.error.stack}</pre>}
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Inputs detail={detail} taskId={taskId} />
      {task?.output !== undefined && (
        <Output runId={detail.run.runId} taskId={taskId} output={task.output} />
      )}
      {lineage.length > 0 && (
        <>
          <h3>Lineage</h3>
          <ul>
            {lineage.map((l) => (
              <li key={`${l.direction}${l.dataset}`}>
                {l.direction === 'in' ? 'read' : 'wrote'} {l.dataset}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Logs</h3>
      {logs.data && logs.data.length > 0 ? (
        <pre className="logs" data-testid="logs">
          {logs.data
            .map((l) => `${l.time} ${l.level.toUpperCase().padEnd(5)} try ${l.try}  ${l.message}`)
            .join('\n')}
        </pre>
      ) : (
        <Status loading={logs.isLoading} error={logs.error} empty="No log lines." />
      )}
    </section>
  );
}

/** Each argument the task was given: from which upstream task, and the value (as text). */
function Inputs({ detail, taskId }: { detail: RunDetail; taskId: string }) {
  const inputs = useInputs(detail.run.runId, taskId);
  const list = inputs.data?.inputs ?? [];
  if (list.length === 0) return null;
  return (
    <>
      <h3>Inputs</h3>
      <dl className="facts" data-testid="inputs">
        {list.map((input) => (
          <Fragment key={input.name}>
            <dt>
              {input.name}
              {input.from.length > 0 && (
                <>
                  {' ← '}
                  {input.from.map((from, i) => (
                    <Fragment key={from}>
                      {i > 0 && ', '}
                      <a href={href.run(detail.run.runId, from)}>{from}</a>
                    </Fragment>
                  ))}
                </>
              )}
            </dt>
            <dd>
              <code>{JSON.stringify(input.value)}</code>
            </dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}

/** A task's output; an offloaded one (`{ $ref, bytes }`) read from where it was put, on demand. */
function Output({ runId, taskId, output }: { runId: string; taskId: string; output: unknown }) {
  const [loaded, setLoaded] = useState<{ value?: unknown; error?: string }>();
  const ref = output as { $ref?: unknown; bytes?: unknown } | null;
  const offloaded = typeof ref === 'object' && ref !== null && typeof ref.$ref === 'string';
  const load = async () => {
    try {
      const r = await fetch(
        `/api/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/output`,
      );
      const body = (await r.json()) as { output?: unknown; error?: string };
      setLoaded(r.ok ? { value: body.output } : { error: body.error ?? `HTTP ${r.status}` });
    } catch (e) {
      setLoaded({ error: (e as Error).message });
    }
  };
  return (
    <>
      <h3>Output</h3>
      {offloaded && loaded === undefined && (
        <p>
          Offloaded to {String(ref.$ref)} ({String(ref.bytes)} bytes).{' '}
          <button type="button" className="small" onClick={() => void load()}>
            Load it
          </button>
        </p>
      )}
      {loaded?.error && <p className="notice error">{loaded.error}</p>}
      <pre className="output" data-testid="output">
        {JSON.stringify(loaded && !loaded.error ? loaded.value : output, null, 2)}
      </pre>
    </>
  );
}

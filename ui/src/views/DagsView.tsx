/** The DAG list: schedule, next run, the last runs as squares, pause, what a data-aware DAG waits for. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { post, useDags } from '../api.ts';
import { StateSquare, Status, time } from '../components/State.tsx';
import { href } from '../router.ts';

export function DagsView() {
  const dags = useDags();
  const client = useQueryClient();
  const [tag, setTag] = useState('');
  const [problem, setProblem] = useState<string>();
  if (!dags.data) return <Status loading={dags.isLoading} error={dags.error} />;
  const tags = [...new Set(dags.data.flatMap((d) => d.tags))].sort();
  const shown = dags.data.filter((d) => !tag || d.tags.includes(tag));
  const togglePause = async (dagId: string, paused: boolean) => {
    if (!window.confirm(`${paused ? 'Unpause' : 'Pause'} ${dagId}?`)) return;
    try {
      await post(`/api/dags/${encodeURIComponent(dagId)}/${paused ? 'unpause' : 'pause'}`);
      setProblem(undefined);
    } catch (e) {
      setProblem((e as Error).message);
    }
    await client.invalidateQueries({ queryKey: ['dags'] });
  };
  return (
    <section>
      <header className="bar">
        <h1>DAGs</h1>
        <label>
          Tag{' '}
          <select value={tag} onChange={(e) => setTag(e.target.value)}>
            <option value="">all</option>
            {tags.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </header>
      {problem && <p className="notice error">{problem}</p>}
      {shown.length === 0 ? (
        <Status empty="No DAGs in dags/: add a file, and updraft dev picks it up." />
      ) : (
        <table className="dags">
          <thead>
            <tr>
              <th>DAG</th>
              <th>schedule</th>
              <th>next run</th>
              <th>last runs</th>
              <th>paused</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.id} data-dag={d.id}>
                <td>
                  <a href={href.dag(d.id)}>{d.id}</a>
                  {d.description && <div className="muted">{d.description}</div>}
                  <div className="muted">{[d.owner, ...d.tags].filter(Boolean).join(' · ')}</div>
                </td>
                <td>
                  {d.schedule}
                  {d.waitsFor && <div className="muted">waits for {d.waitsFor.join(', ')}</div>}
                </td>
                <td>{time(d.nextRuns[0]?.runAfter)}</td>
                <td className="squares">
                  {[...d.recentRuns].reverse().map((r) => (
                    <a
                      key={r.runId}
                      href={href.run(r.runId)}
                      aria-label={`${r.runId}: ${r.status}`}
                    >
                      <StateSquare state={r.status} title={`${r.runId}: ${r.status}`} />
                    </a>
                  ))}
                </td>
                <td>
                  <button
                    type="button"
                    className={d.paused ? 'toggle on' : 'toggle'}
                    aria-pressed={d.paused}
                    onClick={() => void togglePause(d.id, d.paused)}
                  >
                    {d.paused ? 'paused' : 'active'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

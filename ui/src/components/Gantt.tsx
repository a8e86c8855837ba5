/**
 * A run's tries on its own clock: a row per task instance, a bar per try from its start to its
 * end (coloured by how it ended), so retry delays and sensor waits show as the gaps between bars.
 */
import type { RunDetail } from '../api.ts';
import { href } from '../router.ts';

export function Gantt({ detail, order }: { detail: RunDetail; order: readonly string[] }) {
  const tries = detail.tries.filter((t) => t.startedAt);
  if (tries.length === 0) return null;
  const start = Math.min(...tries.map((t) => Date.parse(t.startedAt)));
  const end = Math.max(
    ...tries.map((t) => Date.parse(t.endedAt ?? t.startedAt)),
    detail.run.endedAt ? Date.parse(detail.run.endedAt) : 0,
    start + 1,
  );
  const span = end - start;
  const rank = new Map(order.map((id, i) => [id, i]));
  const rows = new Map<string, RunDetail['tries'][number][]>();
  for (const t of tries) {
    const key = t.mapIndex >= 0 ? `${t.taskId}[${t.mapIndex}]` : t.taskId;
    rows.set(key, [...(rows.get(key) ?? []), t]);
  }
  const keys = [...rows.keys()].sort((a, b) => {
    const [ta, tb] = [rows.get(a)![0]!.taskId, rows.get(b)![0]!.taskId];
    return (
      (rank.get(ta) ?? 1e9) - (rank.get(tb) ?? 1e9) || a.localeCompare(b, 'en', { numeric: true })
    );
  });
  const pct = (ms: number) => `${((ms / span) * 100).toFixed(3)}%`;
  return (
    <section aria-label="timeline">
      <h2>Timeline</h2>
      <div className="gantt" data-testid="gantt">
        {keys.map((key) => (
          <div key={key} className="gantt-row">
            <a className="gantt-name" href={href.run(detail.run.runId, rows.get(key)![0]!.taskId)}>
              {key}
            </a>
            <div className="gantt-track">
              {rows.get(key)!.map((t) => {
                const from = Date.parse(t.startedAt) - start;
                const to = Date.parse(t.endedAt ?? new Date(end).toISOString()) - start;
                return (
                  <span
                    key={`${t.runAttempt}.${t.tryNumber}`}
                    className={`gantt-bar state-${t.state}`}
                    style={{ left: pct(from), width: `max(2px, ${pct(to - from)})` }}
                    title={`${key} try ${t.tryNumber}: ${t.state}, ${to - from} ms`}
                  />
                );
              })}
            </div>
          </div>
        ))}
        <div className="gantt-row muted">
          <span className="gantt-name">
            0 → {span < 1000 ? `${span} ms` : `${(span / 1000).toFixed(1)} s`}
          </span>
        </div>
      </div>
    </section>
  );
}

/** A state as a coloured square (the DAG list, the grid) or a labelled badge; colour is never the only cue. */
const LABEL: Readonly<Record<string, string>> = {
  success: 'success',
  failed: 'failed',
  running: 'running',
  queued: 'queued',
  skipped: 'skipped',
  upstream_failed: 'upstream failed',
  up_for_retry: 'up for retry',
  none: 'not run',
};

export function StateSquare({ state, title }: { state: string; title?: string }) {
  return (
    <span
      className={`square state-${state}`}
      title={title ?? LABEL[state] ?? state}
      role="img"
      aria-label={LABEL[state] ?? state}
    />
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{LABEL[state] ?? state}</span>;
}

/** Loading, empty and error states, said rather than left blank. */
export function Status({
  loading,
  error,
  empty,
}: {
  loading?: boolean;
  error?: Error | null;
  empty?: string;
}) {
  if (error) return <p className="notice error">Could not load: {error.message}</p>;
  if (loading) return <p className="notice">Loading…</p>;
  if (empty) return <p className="notice">{empty}</p>;
  return null;
}

export const time = (iso: string | undefined) =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : '—';

export function duration(start?: string, end?: string): string {
  if (!start || !end) return '—';
  const ms = Date.parse(end) - Date.parse(start);
  return ms < 1000
    ? `${ms} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}

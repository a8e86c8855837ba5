/**
 * @module cli/ui-eta
 * When a running run should end (the UI's run page): each task that has not finished takes its
 * median duration in the DAG's recent successful runs, starts when its upstream tasks end (a
 * running one started when it did), and the run ends with its last task — the critical path of
 * what is left, measured on history. Without any successful run to learn from there is no ETA.
 */
import type { DagIR } from '../ir/types.ts';
import type { RunRecord, TaskRecord } from '../store/types.ts';

const FINISHED = new Set(['success', 'failed', 'skipped', 'upstream_failed']);

export interface Eta {
  /** When the run should end (ISO). */
  readonly at: string;
  /** The successful runs the durations come from. */
  readonly basedOnRuns: number;
  /** The tasks of what is left that set `at`, first to last. */
  readonly criticalPath: readonly string[];
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const durationOf = (t: TaskRecord): number | undefined =>
  t.startedAt && t.endedAt ? Date.parse(t.endedAt) - Date.parse(t.startedAt) : undefined;

/**
 * @param history Task records of the DAG's recent successful runs, one list per run.
 */
export function runEta(
  ir: DagIR,
  run: RunRecord,
  tasks: readonly TaskRecord[],
  history: readonly (readonly TaskRecord[])[],
  now: Date,
): Eta | undefined {
  if (run.status !== 'running' || history.length === 0) return undefined;
  const samples = new Map<string, number[]>();
  for (const records of history)
    for (const t of records) {
      const ms = durationOf(t);
      if (ms !== undefined) samples.set(t.taskId, [...(samples.get(t.taskId) ?? []), ms]);
    }
  const expected = (id: string) => median(samples.get(id) ?? []);
  const record = new Map(tasks.map((t) => [t.taskId, t]));
  const upstream = new Map<string, string[]>(ir.tasks.map((t) => [t.id, []]));
  for (const e of ir.edges) upstream.get(e.to)?.push(e.from);

  const end = new Map<string, { at: number; via?: string }>();
  const endOf = (id: string): number => {
    const known = end.get(id);
    if (known) return known.at;
    const r = record.get(id);
    let at: number;
    let via: string | undefined;
    if (r && FINISHED.has(r.state)) at = r.endedAt ? Date.parse(r.endedAt) : now.getTime();
    else if (r?.startedAt && r.state === 'running')
      at = Math.max(now.getTime(), Date.parse(r.startedAt) + expected(id));
    else {
      let latest: number | undefined;
      for (const u of upstream.get(id) ?? []) {
        const ends = endOf(u);
        if (latest === undefined || ends > latest) [latest, via] = [ends, u];
      }
      at = Math.max(now.getTime(), latest ?? 0) + expected(id);
    }
    end.set(id, { at, ...(via !== undefined && { via }) });
    return at;
  };
  let last: string | undefined;
  for (const t of ir.tasks) if (last === undefined || endOf(t.id) > endOf(last)) last = t.id;
  if (last === undefined) return undefined;
  const path: string[] = [];
  for (let id: string | undefined = last; id !== undefined; id = end.get(id)?.via) {
    if (FINISHED.has(record.get(id)?.state ?? '')) break;
    path.unshift(id);
  }
  return {
    at: new Date(endOf(last)).toISOString(),
    basedOnRuns: history.length,
    criticalPath: path,
  };
}

/**
 * The UI's view of the API (`updraft dev`'s /api, cli/dev-api): the shapes it reads, one fetch
 * helper that turns an error answer into an Error with the server's message, and the queries.
 * Live views refetch every 2 s (TanStack Query), so states change while a run goes on.
 */
import { useQuery } from '@tanstack/react-query';
// The server's own types where the server module is pure (no Node imports): one definition.
import type { RunCost, TaskCost } from '../../src/cli/ui-run-cost.ts';

export type { RunCost, TaskCost };

export type RunStatus = 'queued' | 'running' | 'success' | 'failed';

export interface RunSummary {
  readonly runId: string;
  readonly status: RunStatus;
  readonly logicalDate: string;
  readonly triggeredBy: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
}

export interface DagListing {
  readonly id: string;
  readonly file: string;
  readonly description?: string;
  readonly owner?: string;
  readonly schedule: string;
  readonly scheduleExpression: string | null;
  readonly timezone: string;
  readonly tasks: number;
  readonly tags: readonly string[];
  readonly paused: boolean;
  readonly waitsFor?: readonly string[];
  readonly nextRuns: readonly { readonly logicalDate: string; readonly runAfter: string }[];
  readonly recentRuns: readonly RunSummary[];
}

export interface ParamSpec {
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  readonly default?: unknown;
  readonly required: boolean;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly groups: readonly string[];
  readonly kind: string;
  readonly notes: readonly string[];
  readonly column: number;
  readonly row: number;
  readonly mapped: boolean;
}

export interface DagDetail extends Omit<DagListing, 'recentRuns'> {
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly groups: readonly string[];
  readonly graph: {
    readonly nodes: readonly GraphNode[];
    readonly edges: readonly { readonly from: string; readonly to: string }[];
    readonly columns: number;
    readonly rows: number;
    readonly criticalPath: readonly string[];
    readonly addedWaits: readonly { readonly before: string; readonly after: string }[];
  };
}

/**
 * Runs × tasks: each run's task states as one character per task (in `tasks` order; `codes`
 * maps a state to its character), its tries where more than one, a mapped task's instances.
 */
export interface Grid {
  readonly tasks: readonly string[];
  readonly codes: Readonly<Record<string, string>>;
  readonly runs: readonly (RunSummary & {
    readonly states: string;
    readonly tries?: Readonly<Record<string, number>>;
    readonly mapped?: Readonly<Record<string, number>>;
  })[];
}

export interface ErrorInfo {
  readonly error: string;
  readonly cause: string;
  readonly stack?: string;
}

export interface RunDetail {
  readonly run: RunSummary & {
    readonly dagId: string;
    readonly dataIntervalStart: string;
    readonly dataIntervalEnd: string;
    readonly conf: Readonly<Record<string, unknown>>;
    readonly attempt: number;
    readonly error?: ErrorInfo;
    readonly transitions?: number;
    readonly costUsd?: number;
    readonly triggeringEvents?: readonly {
      readonly dataset: string;
      readonly at: string;
      readonly dagId: string;
      readonly taskId: string;
      readonly runId: string;
      readonly extra?: unknown;
    }[];
  };
  readonly tasks: readonly {
    readonly taskId: string;
    readonly state: string;
    readonly attempts: number;
    readonly startedAt?: string;
    readonly endedAt?: string;
    readonly output?: unknown;
    readonly error?: ErrorInfo;
    readonly mapped?: { readonly count: number; readonly failed: number };
  }[];
  readonly tries: readonly {
    readonly taskId: string;
    readonly mapIndex: number;
    readonly tryNumber: number;
    readonly runAttempt: number;
    readonly state: string;
    readonly startedAt: string;
    readonly endedAt?: string;
    readonly durationMs?: number;
    readonly error?: ErrorInfo;
  }[];
  readonly lineage: readonly {
    readonly taskId: string;
    readonly direction: 'in' | 'out';
    readonly dataset: string;
    readonly extra?: unknown;
  }[];
  readonly notifications: readonly {
    readonly key: string;
    readonly event: string;
    readonly channel: string;
    readonly state: string;
    readonly attempts: number;
    readonly error?: string;
    readonly taskId?: string;
  }[];
  /** Absent when the run's DAG is no longer loaded. */
  readonly cost?: RunCost;
}

export interface LogLine {
  readonly time: string;
  readonly level: string;
  readonly message: string;
  readonly task: string;
  readonly try: number;
  readonly mapIndex?: number;
}

export interface DatasetOverview {
  readonly datasets: readonly {
    readonly uri: string;
    readonly producers: readonly string[];
    readonly readers: readonly string[];
    readonly consumers: readonly string[];
    readonly lastEvent?: { readonly at: string; readonly runId: string; readonly extra?: unknown };
  }[];
  readonly consumers: readonly {
    readonly dagId: string;
    readonly condition: string;
    readonly updated: readonly string[];
    readonly waitingFor?: string;
    readonly lastRunId?: string;
  }[];
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const body = (await response.json().catch(() => ({}))) as { error?: string; hint?: string };
  if (!response.ok) {
    const message = body.error ?? `${response.status} ${response.statusText}`;
    // The CLI prints a hint under its message (↳); so does the UI.
    throw new Error(body.hint ? `${message}\n↳ ${body.hint}` : message);
  }
  return body as T;
}

/** An action: a JSON POST, whose error answer carries the same message the CLI prints. */
export function post<T>(path: string, body: unknown = {}): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const LIVE = { refetchInterval: 2000 };

export const useDags = () =>
  useQuery({ queryKey: ['dags'], queryFn: () => request<DagListing[]>('/api/dags'), ...LIVE });

export const useDag = (dagId: string) =>
  useQuery({
    queryKey: ['dag', dagId],
    queryFn: () => request<DagDetail>(`/api/dags/${encodeURIComponent(dagId)}`),
    enabled: dagId !== '',
  });

export const useGrid = (dagId: string, runs = 25) =>
  useQuery({
    queryKey: ['grid', dagId, runs],
    queryFn: () => request<Grid>(`/api/dags/${encodeURIComponent(dagId)}/grid?limit=${runs}`),
    ...LIVE,
  });

export const useRun = (runId: string) =>
  useQuery({
    queryKey: ['run', runId],
    queryFn: () => request<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`),
    ...LIVE,
  });

export const useLogs = (runId: string, taskId: string | undefined) =>
  useQuery({
    queryKey: ['logs', runId, taskId],
    queryFn: () =>
      request<LogLine[]>(
        `/api/runs/${encodeURIComponent(runId)}/logs${taskId ? `?task=${encodeURIComponent(taskId)}` : ''}`,
      ),
    ...LIVE,
  });

/** A DAG's recent runs (the run page's ETA reads their durations). */
export const useRuns = (dagId: string, limit = 20) =>
  useQuery({
    queryKey: ['runs', dagId, limit],
    queryFn: () =>
      request<RunSummary[]>(`/api/dags/${encodeURIComponent(dagId)}/runs?limit=${limit}`),
    enabled: dagId !== '',
  });

export const useDatasets = () =>
  useQuery({
    queryKey: ['datasets'],
    queryFn: () => request<DatasetOverview>('/api/datasets'),
    ...LIVE,
  });

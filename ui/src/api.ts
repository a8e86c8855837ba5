/**
 * The UI's view of the API (`updraft dev`'s /api, cli/dev-api): the shapes it reads, one fetch
 * helper that turns an error answer into an Error with the server's message, and the queries.
 * Live views refetch every 2 s (TanStack Query), so states change while a run goes on.
 */
import { useQuery } from '@tanstack/react-query';
// The API's JSON, as the server defines it (src/cli/api-types): types only, nothing of the
// server's code reaches the bundle.
import type {
  DagDetail,
  DagListing,
  DatasetOverview,
  Grid,
  LogLine,
  RunDetail,
  RunSummary,
} from '../../src/cli/api-types.ts';
import type { ParamIR } from '../../src/ir/types.ts';
import type { TaskInputs } from '../../src/cli/api-types.ts';

export type {
  Costs,
  DagCost,
  DagDetail,
  DagListing,
  DatasetOverview,
  ErrorInfo,
  Grid,
  LogLine,
  RunCost,
  RunDetail,
  RunStatus,
  RunSummary,
  TaskCost,
  TaskInput,
  TaskInputs,
  UiGraphNode as GraphNode,
} from '../../src/cli/api-types.ts';
/** A DAG param as its typed declaration says (the trigger form is built from it). */
export type ParamSpec = ParamIR;

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

/** What a task of a run was given (upstream outputs as their records keep them, masked). */
export const useInputs = (runId: string, taskId: string) =>
  useQuery({
    queryKey: ['inputs', runId, taskId],
    queryFn: () =>
      request<TaskInputs>(
        `/api/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/inputs`,
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

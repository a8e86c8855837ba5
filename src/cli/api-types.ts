/**
 * @module cli/api-types
 * The JSON the UI's API answers (cli/dev-api), one definition for the server that builds it and
 * the browser that reads it (ui/src/api.ts imports these types; nothing here runs). Built from the
 * records the run store keeps, so a field added to a record reaches the UI's types too.
 */
import type { ParamIR } from '../ir/types.ts';
import type { DatasetOverview } from '../runtime/dataset-overview.ts';
import type { LogLine } from '../runtime/task-logger.ts';
import type {
  ErrorInfo,
  LineageRecord,
  NotificationRecord,
  RunRecord,
  RunStatus,
  TaskRecord,
  TryRecord,
} from '../store/types.ts';
import type { DagListing as DagFacts } from './commands/list.ts';
import type { Costs, DagCost } from './ui-cost.ts';
import type { UiGraph, UiGraphNode } from './ui-graph.ts';
import type { RunCost, TaskCost } from './ui-run-cost.ts';
import type { TaskInput } from './ui-inputs.ts';
import type { Eta } from './ui-eta.ts';

export type {
  Costs,
  Eta,
  DagCost,
  DatasetOverview,
  ErrorInfo,
  LogLine,
  RunCost,
  RunStatus,
  TaskCost,
  TaskInput,
  UiGraph,
  UiGraphNode,
};

/** A run in a list: `GET /api/dags` (recent runs) and each row of the grid. */
export type RunSummary = Pick<
  RunRecord,
  'runId' | 'status' | 'logicalDate' | 'triggeredBy' | 'startedAt' | 'endedAt'
>;

/** `GET /api/dags`: one per DAG. */
export interface DagListing extends DagFacts {
  readonly description?: string;
  readonly owner?: string;
  readonly paused: boolean;
  /** A data-aware DAG's datasets. */
  readonly waitsFor?: readonly string[];
  readonly recentRuns: readonly RunSummary[];
}

/** `GET /api/dags/:dag`: the DAG, its params and its drawing. */
export interface DagDetail extends DagFacts {
  readonly description?: string;
  readonly owner?: string;
  readonly paused: boolean;
  readonly params: Readonly<Record<string, ParamIR>>;
  readonly groups: readonly string[];
  readonly graph: UiGraph;
}

/**
 * `GET /api/dags/:dag/grid`: runs × tasks, each run's task states as one character per task (in
 * `tasks` order; `codes` maps a state to its character), its tries where more than one, a mapped
 * task's instances.
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

/** `GET /api/runs/:run`: the run and every record of it; its cost when its DAG is loaded. */
export interface RunDetail {
  readonly run: RunRecord;
  readonly tasks: readonly TaskRecord[];
  readonly tries: readonly TryRecord[];
  readonly lineage: readonly LineageRecord[];
  readonly notifications: readonly NotificationRecord[];
  readonly cost?: RunCost;
  /** While it runs: when it should end, from history and the critical path of what is left. */
  readonly eta?: Eta;
}

/** `GET /api/runs/:run/tasks/:task/inputs`: what the task was given. */
export interface TaskInputs {
  readonly inputs: readonly TaskInput[];
}

/**
 * @module runtime/dataset-launch
 * Data-aware runs on AWS. The recorder hears every execution end through EventBridge; when a
 * producer's run ends, this gives each consumer whose dataset condition the run's updates made
 * hold one run (runtime/dataset-triggers: the same rule as the engine's), created with its
 * execution input and started as the launcher starts a scheduled run (maxActiveRuns and the run
 * queue). No Lambda per task, no polling, no rule or function beyond the recorder's.
 */
import type { DatasetSchedule } from '../ir/types.ts';
import type { RunRecord } from '../store/types.ts';
import { names, type Environment } from './env.ts';
import { executionInput, runValuesOf, type LaunchSpec } from './launch.ts';
import { startQueuedRuns, type QueueDeps } from './run-queue.ts';
import { triggerDatasetConsumers } from './dataset-triggers.ts';

/** A dataset-scheduled DAG as the recorder's bundle carries it (infra/bundle). */
export type DatasetLaunchSpec = LaunchSpec & { readonly schedule: DatasetSchedule };

export interface DatasetLaunchContext {
  readonly environment: Environment;
  /** The producer's state machine: the consumers' are its siblings (same account and region). */
  readonly producerStateMachineArn: string;
  /** The consumers' logical date (the producer's end event's time: a repeated event gives the same). */
  readonly now: Date;
}

/** Creates and starts the consumer runs the producer run's dataset updates call for; returns the started run ids. */
export async function launchDatasetRuns(
  deps: QueueDeps,
  producer: RunRecord,
  consumers: readonly DatasetLaunchSpec[],
  context: DatasetLaunchContext,
): Promise<string[]> {
  if (consumers.length === 0) return [];
  const lineage = await deps.store.listLineage(producer.runId);
  const updated = new Set(lineage.filter((l) => l.direction === 'out').map((l) => l.dataset));
  if (updated.size === 0) return [];
  const specs = new Map(consumers.map((c) => [c.dagId, c]));
  const created = await triggerDatasetConsumers(
    deps.store,
    consumers.map((c) => ({ id: c.dagId, schedule: c.schedule })),
    context.now,
    { updated, prepare: (run) => withExecutionInput(run, specs.get(run.dagId)!) },
  );
  const started: string[] = [];
  for (const run of created) {
    const spec = specs.get(run.dagId)!;
    deps.log.info(
      `run ${producer.runId} updated ${[...updated].join(', ')}: dataset-triggered run ${run.runId} of DAG "${run.dagId}" queued`,
      { dagId: run.dagId, runId: run.runId, producer: producer.runId },
    );
    const result = await startQueuedRuns(
      deps,
      {
        dagId: run.dagId,
        stateMachineArn: siblingArn(context, run.dagId),
        maxActiveRuns: spec.maxActiveRuns,
      },
      { known: [run], now: () => context.now },
    );
    started.push(...result.started);
  }
  return started;
}

/** The consumer's run with the execution input it starts with (and its DAG's maxActiveRuns). */
function withExecutionInput(run: RunRecord, spec: DatasetLaunchSpec): RunRecord {
  const values = runValuesOf({
    dagId: spec.dagId,
    timezone: spec.timezone,
    timers: spec.timers,
    interval: {
      logicalDate: new Date(run.logicalDate),
      dataIntervalStart: new Date(run.dataIntervalStart),
      dataIntervalEnd: new Date(run.dataIntervalEnd),
    },
    params: spec.params,
    triggeredBy: 'dataset',
    runId: run.runId,
    ...(run.triggeringEvents && { triggeringEvents: run.triggeringEvents }),
  });
  return {
    ...run,
    pendingInput: JSON.stringify(executionInput(values)),
    maxActiveRuns: spec.maxActiveRuns,
  };
}

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` of another DAG of the environment. */
function siblingArn(context: DatasetLaunchContext, dagId: string): string {
  const parts = context.producerStateMachineArn.split(':');
  return [...parts.slice(0, 6), names.stateMachine(context.environment, dagId)].join(':');
}

/**
 * @module testing/outcome
 * How a DAG run ended, in one shape whatever ran it: `runDag` (the embedded engine, what users
 * call) and the compiled state machine run directly (`runMachine`, the conformance suite's other
 * runner) both return an `Outcome`, so one suite of expectations checks every way a DAG runs
 * (test/conformance).
 */
import type { ErrorInfo, OutboxMessage, TaskState, TryRecord } from '../store/types.ts';
import type { LogLine } from '../runtime/task-logger.ts';
import type { TaskOutcome } from '../engine/outcome.ts';

export type { TaskOutcome };

/** How a run ended: run status, each task's state and output, the order tasks started, tries, logs, messages. */
export interface Outcome {
  readonly status: 'success' | 'failed';
  readonly runId: string;
  /** Final state per task id. */
  readonly states: Readonly<Record<string, TaskState>>;
  readonly tasks: Readonly<Record<string, TaskOutcome>>;
  /** Outputs per task id, offloaded ones read back. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Task ids in the order their code started (first try); tasks that never ran are absent. */
  readonly started: readonly string[];
  /** Why the run failed when no task did: a cloud limit (`States.DataLimitExceeded`, history events) or the run timeout. */
  readonly error?: ErrorInfo;
  /** State transitions, as Step Functions bills them (retries included). */
  readonly transitions: number;
  /** Execution history events, counted against Step Functions' limit of 25,000. */
  readonly historyEvents: number;
  /** Every try of every task instance. */
  readonly tries: readonly TryRecord[];
  /** Log lines the task code wrote. */
  readonly logs: readonly LogLine[];
  /** SNS, SQS and EventBridge messages the run's operators sent (to the local outbox). */
  readonly outbox: readonly OutboxMessage[];
}

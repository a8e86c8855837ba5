/**
 * @module runtime/task-try
 * One try of one task instance, as the task runner records it: its number, a logger that masks
 * the secrets of the connections the try fetches, and its two try records — "running" when it
 * starts, then how it ended. A failure is logged and recorded masked, and thrown under the name
 * the compiled retriers match.
 */
import type { TaskLogger } from '../sdk/context.ts';
import type { ErrorInfo, LineageRecord, TaskRecord, TryRecord } from '../store/types.ts';
import type { TaskIR } from '../ir/types.ts';
import type { RunValues } from './args.ts';
import { classifyError, errorStack, stateError } from './errors.ts';
import { createTaskLogger, type LogSink } from './task-logger.ts';
import { SecretMasker } from './mask.ts';

/** Where the runner writes what happened (the store on AWS and locally). */
export interface RunnerRecorder {
  putTry(t: TryRecord): void | Promise<void>;
  putLineage(records: readonly LineageRecord[]): void | Promise<void>;
  /**
   * A task the runner decided not to run (its trigger rule: compiler/runner-gate), as its record.
   * On AWS the task record is written here; the engine records it from the state machine's events.
   */
  putDecided?(record: TaskRecord): void | Promise<void>;
}

/** What a try needs of the task runner's dependencies. */
export interface TryDeps {
  readonly recorder: RunnerRecorder;
  readonly logs: LogSink;
  /** Milliseconds since the epoch on the run's clock. */
  readonly now: () => number;
  /** The run's execution attempt (1 + resumes). */
  readonly runAttempt: number;
  /** The try number of this call for a task instance (1 on the first): in memory on the engine, a store counter on Lambda. */
  readonly nextTry: (taskId: string, mapIndex: number) => number | Promise<number>;
  /** Paths in a failed task's stack trace are shown relative to this folder. @default process.cwd() */
  readonly root?: string;
}

export class TaskTry {
  /** Takes the instance's next try number and writes its "running" record. */
  static async start(
    deps: TryDeps,
    taskId: string,
    run: RunValues,
    mapIndex: number,
  ): Promise<TaskTry> {
    return new TaskTry(deps, taskId, run, mapIndex, await deps.nextTry(taskId, mapIndex));
  }

  /** Secrets of the connections this try fetched: masked in its log lines, error and output. */
  readonly masker = new SecretMasker();
  readonly log: TaskLogger;
  /** The try number (1 on the first). */
  readonly number: number;
  readonly #deps: TryDeps;
  readonly #base: Pick<TryRecord, 'runId' | 'taskId' | 'mapIndex' | 'tryNumber' | 'runAttempt'>;
  readonly #startedAt: number;
  readonly #running: Promise<void>;

  private constructor(
    deps: TryDeps,
    taskId: string,
    run: RunValues,
    mapIndex: number,
    number: number,
  ) {
    this.number = number;
    this.#deps = deps;
    this.#base = {
      runId: run.runId,
      taskId,
      mapIndex,
      tryNumber: number,
      runAttempt: deps.runAttempt,
    };
    this.#startedAt = deps.now();
    // The code starts while the "running" record is written; the try's end waits for both. On the
    // engine (whose store commits the writes of one turn together) a quick task's two records then
    // share one commit, and a resume relies only on the end record, committed before the state
    // machine moves on. A process killed meanwhile may lose the "running" record, never an end.
    this.#running = Promise.resolve(
      deps.recorder.putTry({
        ...this.#base,
        state: 'running',
        startedAt: this.#iso(this.#startedAt),
      }),
    );
    this.#running.catch(() => undefined); // reported with the try's end
    this.log = createTaskLogger({
      sink: deps.logs,
      masker: this.masker,
      now: deps.now,
      fields: {
        dag: run.dagId,
        run: run.runId,
        task: taskId,
        try: number,
        ...(mapIndex >= 0 && { mapIndex }),
      },
    });
  }

  /**
   * The output with every secret of a connection this try fetched replaced by `***`, before it
   * enters the run's state, the store or a payload object: secrets never travel as values (the
   * task that needs one declares the connection). Airflow leaves XCom unmasked; GitHub Actions
   * likewise refuses job outputs that hold a secret. Downstream tasks and `retry`/`clear` see the
   * same masked value, so a resumed run behaves as the first execution did.
   */
  maskOutput(output: unknown): unknown {
    const replacedBefore = this.masker.replaced;
    const masked = this.masker.maskValue(output);
    if (this.masker.replaced > replacedBefore) {
      this.log.warn(
        'the output held a secret of a connection; it is passed on and recorded as *** (a downstream task that needs the secret declares the connection itself)',
      );
    }
    return masked;
  }

  /** Records the try's success with the response the state machine gets. */
  succeed(response: unknown): Promise<void> {
    return this.#end('success', { response });
  }

  /**
   * Logs and records the failure, masked, then throws the error the state machine matches.
   * `withStack`: the author's code threw, so the trace (paths relative to the project) is kept;
   * the log line carries its frames (`updraft logs` prints them under it).
   */
  async fail(thrown: unknown, { withStack }: { withStack: boolean }): Promise<never> {
    const error = classifyError(thrown);
    const masked = { error: error.error, cause: this.masker.mask(error.cause) };
    const stack = withStack ? errorStack(thrown, this.#deps.root ?? process.cwd()) : undefined;
    const trace = stack === undefined ? undefined : this.masker.mask(stack);
    // The trace's first line repeats the cause: the log line keeps only the frames.
    const frames = trace?.split('\n').filter((line) => /^\s+at |^Caused by: /.test(line)) ?? [];
    this.log.error(`try ${this.number} failed: ${masked.cause}`, {
      error: masked.error,
      ...(frames.length > 0 && { stack: frames.join('\n') }),
    });
    await this.#end('failed', {
      error: { ...masked, ...(trace !== undefined && { stack: trace }) },
    });
    throw stateError(masked);
  }

  async #end(
    state: 'success' | 'failed',
    extra: { error?: ErrorInfo; response?: unknown },
  ): Promise<void> {
    const endedAt = this.#deps.now();
    const end = this.#deps.recorder.putTry({
      ...this.#base,
      state,
      startedAt: this.#iso(this.#startedAt),
      endedAt: this.#iso(endedAt),
      durationMs: endedAt - this.#startedAt,
      ...extra,
    });
    await Promise.all([this.#running, end]);
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }
}

/**
 * The lineage of a task that succeeded: a record per dataset it read (inlets) and wrote
 * (outlets), an outlet's with the extra the task attached to it (`extraOf`, masked by the caller).
 */
export function lineageOf(
  task: TaskIR,
  run: RunValues,
  at: string,
  extraOf: (uri: string) => Readonly<Record<string, unknown>> | undefined = () => undefined,
): LineageRecord[] {
  const record = (direction: 'in' | 'out', dataset: string): LineageRecord => {
    const extra = direction === 'out' ? extraOf(dataset) : undefined;
    return {
      runId: run.runId,
      dagId: run.dagId,
      taskId: task.id,
      direction,
      dataset,
      at,
      ...(extra && { extra }),
    };
  };
  return [...task.inlets.map((d) => record('in', d)), ...task.outlets.map((d) => record('out', d))];
}

/**
 * @module engine/worker-pool
 * Task code on the embedded engine runs as Lambda runs it, outside the engine: in worker threads
 * (engine/task-worker), a warm pool per DAG module file, each worker taking one task at a time and
 * reused for the next as Lambda reuses a container. What the code does there ends only its task:
 * the state's timeout terminates the worker (a busy loop too), and `process.exit`, an uncaught
 * exception or an unhandled rejection end the worker with the task failed and a clear cause; a
 * fresh worker replaces it on demand. `ctx.log` and `console.*` lines and `ctx.connection` are
 * served here, in the engine's thread, so masking and the connection policy stay in the runner.
 *
 * Threads, not processes: a worker starts in 0.20–0.30 s (tsx and the DAG module loaded once per
 * worker), a child process in 0.29–0.48 s, and a call costs a message round trip, 0.2–0.4 ms
 * (bench/isolation.ts).
 * What a thread cannot contain: `process.kill(process.pid)` and native addons that crash.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { ErrorInfo } from '../store/types.ts';
import { ERROR_NAMES } from '../compiler/contract.ts';
import { classifyError, TASK_FAILED } from '../runtime/errors.ts';
import type { LogLevel } from '../runtime/task-logger.ts';
import type { TaskCall, TaskInvoker } from '../runtime/task-runner.ts';
import { crashCause, type ContextData, type FromWorker, type ToWorker } from './worker-protocol.ts';

export interface WorkerPoolOptions {
  /** Workers per DAG module file at most; calls past it wait for a free worker. @default 8 */
  readonly maxWorkersPerModule?: number;
  /** The workers' environment. @default process.env without `UPDRAFT_CONN_*` (connections come through ctx.connection) */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Job {
  readonly id: number;
  readonly file: string;
  readonly call: TaskCall;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  slot?: Slot;
  settled: boolean;
}

interface Slot {
  readonly worker: Worker;
  readonly module: ModulePool;
  job?: Job;
  /** The last task it ran: lines and crashes between tasks are told to that task's log. */
  last?: Job;
  crash?: Extract<FromWorker, { type: 'crash' }>;
  ready: boolean;
  stopping: boolean;
  idleTimer?: NodeJS.Timeout;
}

interface ModulePool {
  readonly file: string;
  readonly slots: Set<Slot>;
  readonly idle: Slot[];
  readonly queue: Job[];
  /** A module of an earlier generation (`retire`): its workers end when idle. */
  retired?: boolean;
}

/**
 * Workers starting at once: a start is 0.2–0.3 s of CPU (tsx, the DAG module); 98 parallel tasks
 * sent to 8 workers starting together on 2 cores took 4.8 s, against 0.12–0.16 s with one start
 * per core at a time while the warm workers serve (bench/isolation.ts).
 */
const STARTING_AT_ONCE = Math.max(1, availableParallelism());

/**
 * How long a worker waits for its next task before it ends: `updraft dev` runs for hours over
 * many DAG files, and each idle worker holds its own heap and module graph; Lambda likewise retires a
 * container some minutes after its last invocation.
 */
const IDLE_MS = 5 * 60_000;

const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './task-worker.ts' : './task-worker.js',
  import.meta.url,
);

/** An Error the state machine matches by name, with the task's own stack when it has one. */
function taskError(info: ErrorInfo, stack?: string): Error {
  const error = new Error(info.cause);
  error.name = info.error;
  Object.defineProperty(error, 'stack', { value: stack, writable: true, configurable: true });
  return error;
}

export class WorkerPool {
  readonly #modules = new Map<string, ModulePool>();
  readonly #max: number;
  readonly #env: Record<string, string>;
  #seq = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.#max = Math.max(1, options.maxWorkersPerModule ?? 8);
    const env = options.env ?? process.env;
    this.#env = Object.fromEntries(
      Object.entries(env).filter(
        (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('UPDRAFT_CONN_'),
      ),
    );
  }

  /** Runs the code of tasks of DAGs defined in `file` (an absolute path). */
  invoker(file: string): TaskInvoker {
    return (call) => this.run(file, call);
  }

  run(file: string, call: TaskCall): Promise<unknown> {
    if (this.#closed)
      return Promise.reject(
        taskError({
          error: ERROR_NAMES.internal,
          cause: 'the engine was closed while a task was starting',
        }),
      );
    const pool = this.#module(file);
    return new Promise((resolve, reject) => {
      // The timeout counts from the call, as the state machine's does: waiting for a worker and
      // starting one (~0.3 s) are part of it.
      const timer = setTimeout(() => this.#timeout(job), call.timeoutSeconds * 1000);
      const job: Job = { id: ++this.#seq, file, call, resolve, reject, timer, settled: false };
      pool.queue.push(job);
      this.#dispatch(pool);
    });
  }

  /** Terminates every worker; tasks still running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopping: Promise<unknown>[] = [];
    for (const module of this.#modules.values()) {
      for (const job of module.queue.splice(0))
        this.#settle(
          job,
          taskError({
            error: ERROR_NAMES.internal,
            cause: 'the engine was closed before the task started',
          }),
        );
      for (const slot of module.slots) {
        if (slot.job)
          this.#settle(
            slot.job,
            taskError({
              error: ERROR_NAMES.internal,
              cause: 'the engine was closed while the task was running; its worker was stopped',
            }),
          );
        stopping.push(this.#stop(slot));
      }
    }
    await Promise.all(stopping);
  }

  /**
   * Ends the idle workers of modules not in `keep` (`updraft dev` reloaded them as a new
   * generation); a worker still running a task of one ends as soon as it is idle.
   */
  retire(keep: ReadonlySet<string>): void {
    for (const [file, module] of this.#modules) {
      if (keep.has(file)) continue;
      this.#modules.delete(file);
      for (const slot of [...module.idle]) void this.#stop(slot);
      module.retired = true;
    }
  }

  /** Starts a module's first worker ahead of its first task (a run is about to start). */
  warm(file: string): void {
    const module = this.#module(file);
    if (!this.#closed && module.slots.size === 0) this.#spawn(module);
  }

  #module(file: string): ModulePool {
    let module = this.#modules.get(file);
    if (!module) {
      module = { file, slots: new Set(), idle: [], queue: [] };
      this.#modules.set(file, module);
    }
    return module;
  }

  /** Ready idle workers take queued tasks; more work than workers starts more, a few at a time. */
  #dispatch(module: ModulePool): void {
    const starting = [...module.slots].filter((s) => !s.ready).length;
    // A task waits for a busy worker rather than for one starting (~0.3 s): no-op tasks free a warm worker in 0.05 ms.
    for (
      let n = Math.min(
        module.queue.length - module.idle.length - starting,
        this.#max - module.slots.size,
        STARTING_AT_ONCE - starting,
      );
      n > 0;
      n--
    )
      this.#spawn(module);
    while (module.queue.length > 0 && module.idle.length > 0) {
      const slot = module.idle.pop()!;
      clearTimeout(slot.idleTimer);
      const job = module.queue.shift()!;
      slot.job = job;
      slot.last = job;
      job.slot = slot;
      slot.worker.ref();
      const c = job.call.context;
      const context: ContextData = {
        dagId: c.dagId,
        runId: c.runId,
        taskId: c.taskId,
        logicalDate: c.logicalDate.toISOString(),
        ds: c.ds,
        dataInterval: {
          start: c.dataInterval.start.toISOString(),
          end: c.dataInterval.end.toISOString(),
        },
        params: c.params,
        attempt: c.attempt,
        ...(c.mapIndex !== undefined && { mapIndex: c.mapIndex }),
        triggeredBy: c.triggeredBy,
        ...(c.triggeringDatasetEvents && { triggeringDatasetEvents: c.triggeringDatasetEvents }),
      };
      this.#post(slot, {
        type: 'run',
        job: job.id,
        file: module.file,
        context,
        args: job.call.args,
      });
    }
  }

  #spawn(module: ModulePool): Slot {
    const worker = new Worker(ENTRY, {
      name: `updraft task worker (${basename(module.file)})`,
      env: this.#env,
      stdout: true,
      stderr: true,
      workerData: { file: module.file },
    });
    const slot: Slot = { worker, module, ready: false, stopping: false };
    module.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.#message(slot, message));
    // Lines written to process.stdout/stderr directly (console.* is captured in the worker).
    for (const [stream, level] of [
      [worker.stdout, 'info'],
      [worker.stderr, 'warn'],
    ] as const) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) this.#log(slot, slot.job?.id, level, line);
      });
    }
    worker.on('error', (error) => {
      // The worker could not start or load (tsx, the DAG file): reported with the task.
      slot.crash ??= {
        type: 'crash',
        kind: 'worker',
        cause: `the task worker failed: ${classifyError(error).cause}`,
        ...(error.stack && { stack: error.stack }),
      };
    });
    worker.on('exit', (code) => this.#exited(slot, code));
    worker.unref();
    return slot;
  }

  #post(slot: Slot, message: ToWorker): void {
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      // Arguments the structured clone cannot copy: JSON is what the state machine holds anyway.
      if (message.type !== 'run') throw error;
      slot.worker.postMessage({
        ...message,
        args: JSON.parse(JSON.stringify(message.args)) as unknown[],
      });
    }
  }

  #message(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        if (slot.stopping) break;
        this.#idle(slot);
        break;
      case 'log':
        this.#log(slot, m.job, m.level, m.message, m.fields);
        break;
      case 'connection': {
        const job = slot.job;
        if (!job || job.id !== m.job) return;
        job.call.context.connection(m.id).then(
          (connection) => this.#reply(slot, { type: 'connection', req: m.req, connection }),
          (error: unknown) =>
            this.#reply(slot, { type: 'connection', req: m.req, error: classifyError(error) }),
        );
        break;
      }
      case 'done':
        this.#finish(slot, m.job, (job) => {
          // Checked against the task's outlets by the runner's context: a bad one fails the try.
          for (const [dataset, extra] of m.extras ?? [])
            job.call.context.datasetExtra(dataset, extra as Record<string, unknown>);
          return m.json === undefined ? undefined : JSON.parse(m.json);
        });
        break;
      case 'failed':
        this.#finish(slot, m.job, () => {
          throw taskError(m.error, m.stack);
        });
        break;
      case 'crash':
        slot.crash = m;
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  }

  #reply(slot: Slot, message: ToWorker): void {
    if (!slot.stopping) this.#post(slot, message);
  }

  #log(
    slot: Slot,
    jobId: number | undefined,
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    const job = jobId !== undefined && slot.job?.id === jobId ? slot.job : slot.last;
    // Nothing ran in this worker yet: no task's log (and masking) to put the line in, so it is dropped.
    job?.call.context.log[level](message, fields);
  }

  #finish(slot: Slot, jobId: number, outcome: (job: Job) => unknown): void {
    const job = slot.job;
    if (!job || job.id !== jobId) return;
    slot.job = undefined;
    job.slot = undefined;
    try {
      this.#settle(job, undefined, outcome(job));
    } catch (error) {
      this.#settle(job, error as Error);
    }
    if (slot.stopping) return;
    slot.worker.unref();
    this.#idle(slot);
  }

  /** A worker free for the next task; one idle for IDLE_MS ends, as Lambda retires a container. */
  #idle(slot: Slot): void {
    if (slot.module.retired && slot.module.queue.length === 0) {
      void this.#stop(slot);
      return;
    }
    slot.module.idle.push(slot);
    slot.idleTimer = setTimeout(() => void this.#stop(slot), IDLE_MS).unref();
    this.#dispatch(slot.module);
  }

  #settle(job: Job, error: Error | undefined, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (error) job.reject(error);
    else job.resolve(value);
  }

  #timeout(job: Job): void {
    const { taskId } = job.call;
    const error = taskError({
      error: ERROR_NAMES.timeout,
      cause: `task "${taskId}" ran longer than its timeout (${job.call.timeoutSeconds}s); its worker was stopped`,
    });
    const slot = job.slot;
    if (slot) {
      slot.job = undefined;
      void this.#stop(slot);
    } else {
      const queue = this.#modules.get(job.file)?.queue ?? [];
      if (queue.includes(job)) queue.splice(queue.indexOf(job), 1);
    }
    this.#settle(job, error);
  }

  /** Terminates a worker (a busy loop included: V8 stops the running script). */
  async #stop(slot: Slot): Promise<void> {
    slot.stopping = true;
    clearTimeout(slot.idleTimer);
    this.#forget(slot);
    await slot.worker.terminate();
  }

  #forget(slot: Slot): void {
    const { module } = slot;
    module.slots.delete(slot);
    const i = module.idle.indexOf(slot);
    if (i >= 0) module.idle.splice(i, 1);
  }

  #exited(slot: Slot, code: number): void {
    this.#forget(slot);
    const job = slot.job;
    slot.job = undefined;
    const crash = slot.crash;
    if (!slot.stopping) {
      const cause = crashCause(crash, code);
      if (job) this.#settle(job, taskError({ error: TASK_FAILED, cause }, crash?.stack));
      // Between tasks: Lambda would log it in the function's log and start the next call cold.
      else
        slot.last?.call.context.log.warn(
          `the worker that ran this task ended after the task: ${cause}`,
        );
      // A worker that cannot even start (tsx missing …) would be started again forever: its waiting tasks fail with why.
      if (!slot.ready)
        for (const waiting of slot.module.queue.splice(0))
          this.#settle(waiting, taskError({ error: TASK_FAILED, cause }, crash?.stack));
    }
    if (!this.#closed) this.#dispatch(slot.module);
  }
}

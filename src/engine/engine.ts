/**
 * @module engine/engine
 * The embedded engine: starts, resumes and backfills DAG runs on the compiled state machine
 * (engine/run-machine) with run metadata in the store — the launcher's and recorder's work, done
 * in-process. Run ids are deterministic (`<dag>-<logical date key>`), so triggering an interval
 * twice gives one run and a backfill repeated starts nothing new. A run whose process died is
 * found by the next engine that opens the store, marked failed with the reason, and can be
 * resumed with `retry`, which reuses what already succeeded.
 *
 * Its parts, one file each: the API types (engine/engine-options), the task records that follow
 * a run (engine/task-records), built-in sensors checked locally (engine/local-sensors) and the
 * dead-run reaper (engine/reaper).
 */
import { hostname } from 'node:os';
import pLimit from 'p-limit';
import type { Connection } from '../sdk/context.ts';
import { ConfigError } from '../errors.ts';
import { compileDag, ERROR_NAMES, LIMITS, type CompileResult } from '../compiler/index.ts';
import { backfillIntervals, intervalFor } from '../schedule/index.ts';
import type { RunValues } from '../runtime/args.ts';
import { resolveParams } from '../runtime/params.ts';
import { queuedRunRecord, runIdOf, runValuesOf } from '../runtime/launch.ts';
import { findConnection, resolveConnection } from '../runtime/connections-file.ts';
import { notifySpecOf } from '../runtime/notify-due.ts';
import { RunNotifier } from './notifier.ts';
import type { RunNotifyDeps } from '../runtime/run-notifications.ts';
import type { ErrorInfo, RunRecord } from '../store/types.ts';
import { RealClock, VirtualClock, type Clock } from './clock.ts';
import { LogWriter } from './logs.ts';
import {
  runMachine,
  type EngineEvent,
  type RunMachineOptions,
  type RunMachineResult,
} from './run-machine.ts';
import { doneToBucket, resumeDone, type Done, type Resume } from '../runtime/resume.ts';
import type { ChildRun } from './native.ts';
import { WorkerPool } from './worker-pool.ts';
import { priorTries, runErrorOf, TaskRecords } from './task-records.ts';
import { checkLocally } from './local-sensors.ts';
import { reapDeadRuns } from './reaper.ts';
import { isDatasetConsumer, triggerDatasetConsumers } from '../runtime/dataset-triggers.ts';
import type {
  BackfillInterval,
  EngineDag,
  EngineOptions,
  RunOutcome,
  TriggerOptions,
} from './engine-options.ts';

export type {
  BackfillInterval,
  EngineDag,
  EngineOptions,
  RunOutcome,
  TriggerOptions,
} from './engine-options.ts';

export class LocalEngine {
  /** Its DAGs change only through `replaceDags` (`updraft dev` reloading the project). */
  options: EngineOptions;
  readonly logs: LogWriter;
  readonly #compiled = new Map<string, CompileResult>();
  readonly #inFlight = new Map<string, Promise<RunOutcome>>();
  readonly #outboxSeq = new Map<string, number>();
  /** The task records of executions under way (engine/task-records). */
  readonly #live = new Set<TaskRecords>();
  #pool: WorkerPool | undefined;

  constructor(options: EngineOptions) {
    this.options = options;
    this.logs = new LogWriter(options.logsDir);
  }

  /**
   * The project's DAGs from now on (`updraft dev` reloaded it): new runs use them; runs going on
   * finish with the DAG they started with. Workers of files no longer in use end when idle.
   */
  replaceDags(dags: readonly EngineDag[]): void {
    this.options = { ...this.options, dags };
    this.#compiled.clear();
    const keep = new Set(dags.flatMap((d) => (d.file ? [this.#moduleOf(d.ir.id)!] : [])));
    this.#pool?.retire(keep);
  }

  dag(dagId: string): EngineDag {
    const found = this.options.dags.find((d) => d.ir.id === dagId);
    if (!found) {
      const ids = this.options.dags.map((d) => d.ir.id);
      throw new ConfigError(
        `DAG "${dagId}" is not in this project (known: ${ids.join(', ') || 'none'}); updraft list shows them`,
      );
    }
    return found;
  }

  compiled(dagId: string): CompileResult {
    let c = this.#compiled.get(dagId);
    if (!c) {
      c = compileDag(this.dag(dagId).ir);
      this.#compiled.set(dagId, c);
    }
    return c;
  }

  /** The engine's wall clock (`options.wall`): nothing in the engine reads the system clock directly. */
  now(): number {
    return this.#now();
  }

  #now(): number {
    return (this.options.wall ?? Date.now)();
  }

  /** Starts (and finishes) a run for an interval, unless that interval already has one. */
  async trigger(dagId: string, options: TriggerOptions = {}): Promise<RunOutcome> {
    const { ir } = this.dag(dagId);
    const conf = options.conf ?? {};
    if (Buffer.byteLength(JSON.stringify(conf)) > LIMITS.payloadBytes) {
      throw new ConfigError(
        `the conf of DAG "${dagId}" is over Step Functions' 256 KiB input limit; pass a reference (an S3 key) instead of the data`,
      );
    }
    const params = resolveParams(ir, conf);
    const interval = options.interval ?? intervalFor(ir, options.date, new Date(this.#now()));
    const runId = options.runId ?? runIdOf(dagId, interval.logicalDate);
    const pending = this.#inFlight.get(runId);
    if (pending) return { ...(await pending), created: false };
    const values = runValuesOf({
      dagId,
      timezone: ir.timezone,
      timers: [],
      interval,
      params: {},
      triggeredBy: options.triggeredBy ?? 'manual',
      runId,
    });
    const record = queuedRunRecord(
      values,
      conf,
      new Date(this.#now()),
      options.parentRunId ? { parentRunId: options.parentRunId } : {},
    );
    const { created, run } = await this.options.store.createRun(record);
    if (!created) return { run, created: false };
    return this.#track(runId, this.#execute(run, params, { attempt: 1 }));
  }

  #track(runId: string, work: Promise<RunOutcome>): Promise<RunOutcome> {
    this.#inFlight.set(runId, work);
    return work.finally(() => this.#inFlight.delete(runId));
  }

  /**
   * Starts a queued run (a dataset-triggered run, for the scheduler): claimed from `queued` by one
   * conditional update, so of two processes starting it, one runs it and the other is told.
   */
  async startQueued(runId: string): Promise<RunOutcome> {
    const run = await this.options.store.getRun(runId);
    if (!run) throw new ConfigError(`run "${runId}" does not exist; updraft runs lists the runs`);
    const { ir } = this.dag(run.dagId);
    const owner = {
      pid: process.pid,
      host: hostname(),
      heartbeatAt: new Date(this.#now()).toISOString(),
    };
    const claimed = await this.options.store.updateRun(
      runId,
      { status: 'running', startedAt: owner.heartbeatAt, owner },
      { ifStatus: ['queued'] },
    );
    if (!claimed) {
      const now = (await this.options.store.getRun(runId))?.status ?? run.status;
      throw new ConfigError(
        `run "${runId}" is ${now}, not queued: another process started it, or it already ran`,
      );
    }
    return this.#track(runId, this.#execute(claimed, resolveParams(ir, run.conf), { attempt: 1 }));
  }

  /**
   * Resumes a failed run: failed and downstream tasks run again, succeeded ones are handed back
   * (with the setups and teardowns around what runs again, see runtime/resume).
   */
  async retry(runId: string): Promise<RunOutcome> {
    const run = await this.#resumable(runId);
    return this.#resume(run, { kind: 'retry' });
  }

  /** Re-runs chosen tasks (and, with `downstream`, what depends on them, and their setups and teardowns); the rest keep their outcome. */
  async clear(
    runId: string,
    taskIds: readonly string[],
    options: { readonly downstream?: boolean } = {},
  ): Promise<RunOutcome> {
    const run = await this.#resumable(runId, true);
    const { ir } = this.dag(run.dagId);
    const known = new Set(ir.tasks.map((t) => t.id));
    for (const id of taskIds) {
      if (!known.has(id))
        throw new ConfigError(
          `task "${id}" is not in DAG "${run.dagId}" (tasks: ${[...known].join(', ')})`,
        );
    }
    return this.#resume(run, {
      kind: 'clear',
      tasks: taskIds,
      downstream: Boolean(options.downstream),
    });
  }

  async #resumable(runId: string, finishedOk = false): Promise<RunRecord> {
    await this.reapDeadRuns();
    const run = await this.options.store.getRun(runId);
    if (!run)
      throw new ConfigError(`run "${runId}" not found; updraft runs <dag> lists the runs of a DAG`);
    const allowed: RunRecord['status'][] = finishedOk ? ['failed', 'success'] : ['failed'];
    if (!allowed.includes(run.status)) {
      throw new ConfigError(
        run.status === 'success'
          ? `run "${runId}" succeeded; nothing to retry (to run tasks again: updraft clear ${runId} --task <task>)`
          : `run "${runId}" is ${run.status}; wait for it to end before resuming it`,
      );
    }
    return run;
  }

  /** A new execution of the run's machine whose input hands back what must not run again (runtime/resume). */
  async #resume(run: RunRecord, resume: Resume): Promise<RunOutcome> {
    const { ir } = this.dag(run.dagId);
    const [tries, records] = await Promise.all([
      this.options.store.listTries(run.runId),
      this.options.store.listTasks(run.runId),
    ]);
    const earlier = resumeDone(
      ir,
      {
        states: new Map(records.map((r) => [r.taskId, r.state])),
        tries,
        operators: new Map(
          records.map((r) => [r.taskId, { output: r.output, ...(r.error && { error: r.error }) }]),
        ),
      },
      resume,
    );
    // Claim the run: of two resumes at once, one wins.
    const claimed = await this.options.store.updateRun(
      run.runId,
      { status: 'queued', attempt: run.attempt + 1, error: undefined, endedAt: undefined },
      { ifStatus: [run.status] },
    );
    if (!claimed)
      throw new ConfigError(`run "${run.runId}" is already being resumed by another command`);
    const params = resolveParams(ir, run.conf);
    const done = await doneToBucket(
      earlier,
      this.options.objects,
      (key) => `${run.runId}/${run.key}-${claimed.attempt}/done-${key}.json`,
      ir,
    );
    return this.#track(
      run.runId,
      this.#execute(claimed, params, {
        attempt: claimed.attempt,
        done,
        prior: priorTries(tries),
        earlier: new Map(
          records.flatMap((r) => (r.transitions ? [[r.taskId, r.transitions]] : [])),
        ),
      }),
    );
  }

  /** One execution of a run: claim it as running, run its machine, keep its records, end it. */
  async #execute(
    run: RunRecord,
    params: Record<string, unknown>,
    how: Execution,
  ): Promise<RunOutcome> {
    const { store } = this.options;
    this.#warmWorkers(run.dagId);
    const clock = this.options.realTime ? new RealClock() : new VirtualClock(this.options.wall);
    const startedAt = new Date(clock.now()).toISOString();
    const owner = { pid: process.pid, host: hostname(), heartbeatAt: startedAt };
    const current =
      (await store.updateRun(run.runId, { status: 'running', startedAt, owner })) ?? run;
    // Task records follow the run live (engine/task-records).
    const records = new TaskRecords(store, run, how.earlier);
    const notifier = this.#notifierFor(run.dagId);
    this.#live.add(records);
    try {
      const result = await this.#runMachine(current, params, how, clock, { records, notifier });
      return await this.#end(current, result, records, notifier);
    } finally {
      this.#live.delete(records);
    }
  }

  /** The run's machine to its end; a broken machine or an engine bug still ends the run. */
  async #runMachine(
    run: RunRecord,
    params: Record<string, unknown>,
    how: Execution,
    clock: Clock,
    hooks: { readonly records: TaskRecords; readonly notifier: RunNotifier | undefined },
  ): Promise<RunMachineResult> {
    try {
      return await runMachine(this.#machineOptions(run, params, how, clock, hooks));
    } catch (error) {
      const info: ErrorInfo = { error: ERROR_NAMES.internal, cause: (error as Error).message };
      const endedAt = new Date(clock.now()).toISOString();
      await this.options.store.updateRun(
        run.runId,
        { status: 'failed', endedAt, error: info, owner: undefined },
        { ifStatus: ['running'] },
      );
      await this.logs.flush();
      throw error;
    }
  }

  /** The run's end: its task records and its own, then notifications and the runs it queued. */
  async #end(
    run: RunRecord,
    result: RunMachineResult,
    records: TaskRecords,
    notifier: RunNotifier | undefined,
  ): Promise<RunOutcome> {
    const { store } = this.options;
    // A run ended meanwhile by someone else (Ctrl-C marked it interrupted, then the workers were
    // stopped) keeps that record: the tasks' failures here are the stop, not the run's story.
    const still = await store.getRun(run.runId);
    if (still && still.status !== 'running') {
      await this.logs.flush();
      return { run: still, created: true, result };
    }
    await records.finish(result);
    const ended =
      (await store.updateRun(
        run.runId,
        {
          status: result.status,
          endedAt: new Date(result.endedAt).toISOString(),
          // What the run cost: this execution's transitions and the earlier ones' (retry, clear).
          transitions: (run.transitions ?? 0) + result.transitions,
          historyEvents: result.historyEvents,
          error: runErrorOf(result),
          owner: undefined,
          taskStates: records.states(),
        },
        { ifStatus: ['running'] },
      )) ?? run;
    await this.logs.flush();
    if (records.writeError) throw records.writeError; // the run's own record is final; a task record could not be written
    const notifications = (await notifier?.end(ended)) ?? [];
    const datasetRuns = await this.#queueDatasetRuns(run.runId);
    return {
      run: ended,
      created: true,
      result,
      ...(datasetRuns.length > 0 && { datasetRuns }),
      ...(notifications.length > 0 && { notifications }),
    };
  }

  /** The run's notifier, when its DAG notifies anything (engine/notifier). */
  #notifierFor(dagId: string): RunNotifier | undefined {
    const spec = notifySpecOf(this.dag(dagId).ir);
    if (!RunNotifier.needed(spec)) return undefined;
    return new RunNotifier(spec, this.notifyDeps().send, this.options.store);
  }

  /**
   * How this engine notifies (runtime/run-notifications): real sends when a channel's connection
   * is set locally, else the outbox; each outcome is recorded on the run, so nothing is logged.
   */
  notifyDeps(): RunNotifyDeps {
    const where = {
      env: this.options.env ?? process.env,
      projectDir: this.options.projectDir ?? process.cwd(),
    };
    const known = new Map(this.options.dags.map((d) => [d.ir.id, d.ir]));
    return {
      store: this.options.store,
      spec: (dagId) => {
        const ir = known.get(dagId);
        return ir && notifySpecOf(ir);
      },
      send: {
        ...this.options.notify,
        store: this.options.store,
        environment: 'local',
        connection: async (id) => findConnection(id, where),
        now: () => this.#now(),
        log: { info: () => undefined, warn: () => undefined },
      },
    };
  }

  /**
   * After a run, success or not (a dataset is updated when its producing task succeeds, as in
   * Airflow): queues a run of each DAG whose dataset condition the run's updates made hold.
   */
  async #queueDatasetRuns(runId: string): Promise<RunRecord[]> {
    const consumers = this.options.dags.map((d) => d.ir).filter(isDatasetConsumer);
    if (consumers.length === 0) return []; // no read at all for a project without data-aware DAGs
    const lineage = await this.options.store.listLineage(runId);
    const updated = new Set(lineage.filter((l) => l.direction === 'out').map((l) => l.dataset));
    if (updated.size === 0) return [];
    return triggerDatasetConsumers(this.options.store, consumers, new Date(this.#now()), {
      updated,
    });
  }

  /** The DAG's module as the worker pool names it: its file, with the generation after a reload (loader/ts-hooks). */
  #moduleOf(dagId: string): string | undefined {
    const { file, generation } = this.dag(dagId);
    return file && (generation ? `${file}?updraft-gen=${generation}` : file);
  }

  /** Starts the DAG's task workers while the run is set up (~0.3 s of tsx and the DAG module). */
  #warmWorkers(dagId: string): void {
    const file = this.#moduleOf(dagId);
    const workers = this.options.workers ?? {};
    if (!file || !workers) return;
    this.#pool ??= new WorkerPool({
      ...workers,
      ...(this.options.env && { env: this.options.env }),
    });
    this.#pool.warm(file);
  }

  /** What the machine of one execution runs with: the run's values, the store, the clock, the engine's stand-ins. */
  #machineOptions(
    run: RunRecord,
    params: Record<string, unknown>,
    how: Execution,
    clock: Clock,
    follow: { readonly records: TaskRecords; readonly notifier: RunNotifier | undefined },
  ): RunMachineOptions {
    const { records, notifier } = follow;
    const { store } = this.options;
    const { dag, ir } = this.dag(run.dagId);
    const file = this.#moduleOf(run.dagId);
    const compiled = this.compiled(run.dagId);
    const values: RunValues = runValuesOf({
      dagId: run.dagId,
      timezone: ir.timezone,
      timers: compiled.manifest.timers,
      interval: {
        logicalDate: new Date(run.logicalDate),
        dataIntervalStart: new Date(run.dataIntervalStart),
        dataIntervalEnd: new Date(run.dataIntervalEnd),
      },
      params,
      triggeredBy: run.triggeredBy,
      runId: run.runId,
      ...(run.triggeringEvents && { triggeringEvents: run.triggeringEvents }),
    });
    return {
      dag,
      ir,
      compiled,
      run: values,
      clock,
      runAttempt: how.attempt,
      ...(how.prior && { priorTries: how.prior }),
      ...(how.done && { done: how.done }),
      objects: this.options.objects,
      recorder: {
        putTry: (t) => {
          const written = store.putTry(t);
          notifier?.onTry(run, t, written);
          return written;
        },
        putLineage: (l) => store.putLineage(l),
      },
      logs: this.logs.sinkFor(how.attempt, clock),
      connection: async (id): Promise<Connection> =>
        resolveConnection(id, {
          env: this.options.env ?? process.env,
          projectDir: this.options.projectDir ?? process.cwd(),
        }),
      overrides: this.options.overrides?.[run.dagId] ?? {},
      ...(this.options.mocks?.[run.dagId] && { mocks: this.options.mocks[run.dagId] }),
      native: {
        outbox: (m) => {
          const seq = (this.#outboxSeq.get(run.runId) ?? 0) + 1;
          this.#outboxSeq.set(run.runId, seq);
          return store.putOutbox({ ...m, runId: run.runId, seq: how.attempt * 1_000_000 + seq });
        },
        triggerDag: (req) => this.#child(run, req),
      },
      builtinCheck: (taskId, check, runValues) =>
        checkLocally(this.#sensorDeps(), taskId, check, runValues),
      pools: { slots: store, reap: () => this.reapDeadRuns() },
      onEvent: (e: EngineEvent) => {
        records.event(e);
        this.options.onEvent?.(run.runId, e);
      },
      ...(file && this.#pool && { invoke: this.#pool.invoker(file) }),
      ...(this.options.projectDir && { root: this.options.projectDir }),
    };
  }

  /** triggerDag: the child runs here, with the run id the state machine named. */
  async #child(
    parent: RunRecord,
    req: { dagId: string; name: string; input: Record<string, unknown>; wait: boolean },
  ): Promise<ChildRun> {
    const input = req.input as {
      run?: {
        logicalDate?: string;
        dataIntervalStart?: string;
        dataIntervalEnd?: string;
        params?: Record<string, unknown>;
      };
    };
    const r = input.run ?? {};
    const logical = new Date(r.logicalDate ?? parent.logicalDate);
    const work = this.trigger(req.dagId, {
      runId: req.name,
      triggeredBy: 'dag',
      parentRunId: parent.runId,
      conf: r.params ?? {},
      interval: {
        logicalDate: logical,
        dataIntervalStart: new Date(r.dataIntervalStart ?? logical),
        dataIntervalEnd: new Date(r.dataIntervalEnd ?? logical),
      },
    });
    if (!req.wait) {
      void work.catch(() => undefined);
      return { runId: req.name, status: 'success' };
    }
    const { run } = await work;
    const done =
      run.status === 'success' || run.status === 'failed' ? run : await this.#waitFor(run.runId);
    return {
      runId: done.runId,
      status: done.status === 'success' ? 'success' : 'failed',
      ...(done.error && { error: done.error }),
    };
  }

  async #waitFor(runId: string): Promise<RunRecord> {
    const pending = this.#inFlight.get(runId);
    if (pending) return (await pending).run;
    const run = await this.options.store.getRun(runId);
    if (!run) throw new ConfigError(`run "${runId}" vanished`);
    return run;
  }

  /**
   * Runs left queued/running by a process that is gone (killed, crashed): marked failed with the
   * reason, their running tasks too. Returns the ids it marked.
   */
  async reapDeadRuns(): Promise<string[]> {
    return reapDeadRuns({
      store: this.options.store,
      inFlight: (runId) => this.#inFlight.has(runId),
      now: () => this.#now(),
    });
  }

  /** What the built-in sensors read on this engine (engine/local-sensors). */
  #sensorDeps() {
    return {
      store: this.options.store,
      dag: (dagId: string) => this.dag(dagId),
      ...(this.options.s3Dir !== undefined && { s3Dir: this.options.s3Dir }),
    };
  }

  /**
   * Waits for a run another process is running to end (a duplicate `updraft run` attaches to it).
   * A run whose process dies meanwhile is marked failed by the dead-run check, which ends the wait.
   */
  async follow(runId: string, options: { readonly pollMs?: number } = {}): Promise<RunRecord> {
    const pollMs = options.pollMs ?? 100;
    for (let n = 0; ; n++) {
      const run = await this.options.store.getRun(runId);
      if (!run) throw new ConfigError(`run "${runId}" vanished while this command waited for it`);
      if (run.status !== 'queued' && run.status !== 'running') return run;
      if (n % 20 === 19) await this.reapDeadRuns();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Runs every interval of [from, to], at most `maxConcurrency` at once; intervals with a run are left as they are. */
  async backfill(
    dagId: string,
    from: string,
    to: string,
    options: {
      readonly maxConcurrency?: number;
      readonly onInterval?: (i: BackfillInterval) => void;
    } = {},
  ): Promise<BackfillInterval[]> {
    const intervals = backfillIntervals(this.dag(dagId).ir, from, to);
    const limit = pLimit(Math.max(1, options.maxConcurrency ?? 1));
    await this.reapDeadRuns();
    return Promise.all(
      intervals.map((interval) =>
        limit(async () => {
          const { run, created } = await this.trigger(dagId, { interval, triggeredBy: 'backfill' });
          const item: BackfillInterval = {
            runId: run.runId,
            logicalDate: run.logicalDate,
            status: run.status,
            action: created ? 'ran' : 'existing',
          };
          options.onInterval?.(item);
          return item;
        }),
      ),
    );
  }

  /**
   * Stops the task workers (idle ones never keep the process alive; this ends them at once). The
   * runs still going write no more task records: their tasks fail because of this stop.
   */
  async close(): Promise<void> {
    for (const records of this.#live) records.stop();
    await this.#pool?.close();
    this.#pool = undefined;
  }

  /** Waits for buffered log lines (store records are written as they happen). */
  async flush(): Promise<void> {
    await this.logs.flush();
  }
}
/** Which execution of a run this is: its attempt and, on a resume, what finished before. */
interface Execution {
  readonly attempt: number;
  readonly done?: Done;
  /** Tries each task made in earlier executions (try numbers continue). */
  readonly prior?: Map<string, number>;
  /** Each task's state transitions in earlier executions (a run's cost is all of them). */
  readonly earlier?: ReadonlyMap<string, number>;
}

/**
 * @module engine/task-worker
 * A worker thread of the engine's pool (engine/worker-pool): Lambda's container for one DAG
 * module. It installs a TypeScript loader (loader hooks of the engine's thread do not reach workers), imports
 * the DAG file as it starts (the file's top-level code runs once per worker, as once per
 * container), and runs one task at a time with a context rebuilt from plain data: `ctx.log` and
 * `console.*` post their lines to the engine, `ctx.connection` asks the engine. The value goes
 * back as `JSON.stringify` wrote it; a thrown error goes back classified (PermanentError …) with
 * its stack. `process.exit`, uncaught exceptions and unhandled rejections are reported, then
 * end this worker only.
 *
 * Only Node built-ins are imported statically: the rest loads once the TypeScript loader is in place.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { Connection, TaskContext, TriggerKind } from '../sdk/context.ts';
import type { Dag } from '../sdk/dag.ts';
import type { LogLevel } from '../runtime/task-logger.ts';
import type { ContextData, FromWorker, ToWorker } from './worker-protocol.ts';
import { moduleFileUrl } from '../loader/ts-hooks.ts';

const port = parentPort!;
// Run from the sources (tests), the worker's own modules need tsx; built (dist/), the DAG file
// loads through the same cached, in-thread hooks as the CLI's (loader/ts-hooks). Either stays
// installed: task code may import TypeScript modules as it runs.
const fromSources = import.meta.url.endsWith('.ts');
if (fromSources) (await import('tsx/esm/api')).register();
else (await import('../loader/ts-hooks.ts')).installTypeScriptHooks();
const [{ classifyError, describeCause, PERMANENT }, { PermanentError }, { isDag }] =
  await Promise.all([
    import('../runtime/errors.ts'),
    import('../errors.ts'),
    import('../sdk/dag.ts'),
  ]);

let current: number | undefined;
const post = (message: FromWorker) => port.postMessage(message);

/** The whole chain of stacks (`Caused by: …`); the engine makes paths relative and masks it. */
function stackOf(thrown: unknown): string | undefined {
  const parts: string[] = [];
  let e: unknown = thrown;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (typeof e.stack === 'string') parts.push(`${depth > 0 ? 'Caused by: ' : ''}${e.stack}`);
    e = e.cause;
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

function describe(thrown: unknown): string {
  return thrown instanceof Error
    ? describeCause(thrown)
    : typeof thrown === 'string'
      ? thrown
      : String(JSON.stringify(thrown));
}

// Lambda ends the container on these; here the worker reports them first, so its task fails with
// the reason (the engine's thread and the other tasks never see them).
const realExit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  post({ type: 'crash', kind: 'exit', code: Number(code ?? process.exitCode ?? 0) });
  realExit(code ?? undefined);
}) as typeof process.exit;
process.on('uncaughtException', (error) => {
  const stack = stackOf(error);
  post({ type: 'crash', kind: 'uncaught', cause: describe(error), ...(stack && { stack }) });
  realExit(1);
});
process.on('unhandledRejection', (reason) => {
  const stack = stackOf(reason);
  post({ type: 'crash', kind: 'rejection', cause: describe(reason), ...(stack && { stack }) });
  realExit(1);
});

/** A stream posting each line to the task's log at `level`. */
function lines(level: LogLevel): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const parts = (rest + String(chunk)).split('\n');
      rest = parts.pop()!;
      for (const message of parts)
        post({ type: 'log', ...(current !== undefined && { job: current }), level, message });
      done();
    },
  });
}
// console.* writes into the task's log (masked there) instead of the terminal; every method keeps
// its formatting (util.format, console.table …), each level its own stream.
const consoles = Object.fromEntries(
  (['debug', 'info', 'warn', 'error'] as const).map((level) => [
    level,
    new Console({ stdout: lines(level), stderr: lines(level) }),
  ]),
);
const captured = new Console({ stdout: lines('info'), stderr: lines('error') });
for (const [method, level] of [
  ['log', 'info'],
  ['info', 'info'],
  ['debug', 'debug'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['trace', 'error'],
] as const) {
  (captured as unknown as Record<string, unknown>)[method] = consoles[level]![method].bind(
    consoles[level],
  );
}
globalThis.console = captured;

const modules = new Map<string, Promise<Record<string, unknown>>>();
async function findDag(file: string, dagId: string): Promise<Dag> {
  let loading = modules.get(file);
  if (!loading) {
    loading = import(moduleFileUrl(file)) as Promise<Record<string, unknown>>;
    modules.set(file, loading);
  }
  const mod = await loading;
  for (const value of Object.values(mod)) {
    for (const v of Array.isArray(value) ? value : [value])
      if (isDag(v) && v.id === dagId) return v;
  }
  throw new Error(`DAG "${dagId}" is not exported by ${file} in the task worker`);
}

// Loaded while the engine still prepares the run; a failure is reported by the first task.
const { file } = workerData as { file: string };
modules.set(file, import(moduleFileUrl(file)) as Promise<Record<string, unknown>>);
await modules.get(file)!.catch(() => undefined);
post({ type: 'ready' });

let requests = 0;
const pending = new Map<number, { resolve: (c: Connection) => void; reject: (e: Error) => void }>();

/**
 * The task's `ctx.datasetExtra` calls, as plain data: sent back with its result, where the task
 * runner checks them against the task's outlets (runtime/dataset-extra).
 */
function buildContext(
  job: number,
  data: ContextData,
  extras: Map<string, unknown>,
): TaskContext<Record<string, unknown>> {
  const write = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    const line = {
      type: 'log' as const,
      job,
      level,
      message: String(message),
      ...(fields !== undefined && { fields }),
    };
    try {
      post(line);
    } catch {
      // Fields the structured clone cannot copy (functions, class instances with handles): as JSON.
      post({
        ...line,
        fields: JSON.parse(JSON.stringify(fields ?? {})) as Record<string, unknown>,
      });
    }
  };
  return {
    dagId: data.dagId,
    runId: data.runId,
    taskId: data.taskId,
    logicalDate: new Date(data.logicalDate),
    ds: data.ds,
    dataInterval: {
      start: new Date(data.dataInterval.start),
      end: new Date(data.dataInterval.end),
    },
    params: data.params as Record<string, unknown>,
    attempt: data.attempt,
    ...(data.mapIndex !== undefined && { mapIndex: data.mapIndex }),
    triggeredBy: data.triggeredBy as TriggerKind,
    ...(data.triggeringDatasetEvents && { triggeringDatasetEvents: data.triggeringDatasetEvents }),
    connection: (id: string) =>
      new Promise<Connection>((resolve, reject) => {
        const req = ++requests;
        pending.set(req, { resolve, reject });
        post({ type: 'connection', job, req, id });
      }),
    datasetExtra: (dataset, extra) => {
      const uri = typeof dataset === 'string' ? dataset : dataset.uri;
      extras.set(uri, extra === undefined ? undefined : JSON.parse(JSON.stringify(extra)));
    },
    log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
  };
}

async function run(m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  current = m.job;
  try {
    const dag = await findDag(m.file, m.context.dagId);
    const code = dag.taskCode(m.context.taskId);
    if (!code)
      throw new Error(
        `task "${m.context.taskId}" has no code in DAG "${m.context.dagId}" as loaded by the task worker`,
      );
    const extras = new Map<string, unknown>();
    const value = await code(buildContext(m.job, m.context, extras), ...m.args);
    // What Lambda's runtime does with a handler's value (Date → ISO string, NaN → null …).
    const json = JSON.stringify(value);
    post({
      type: 'done',
      job: m.job,
      ...(json !== undefined && { json }),
      ...(extras.size > 0 && { extras: [...extras] }),
    });
  } catch (thrown) {
    const stack = stackOf(thrown);
    post({ type: 'failed', job: m.job, error: classifyError(thrown), ...(stack && { stack }) });
  } finally {
    current = undefined;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'run') {
    void run(m);
    return;
  }
  const waiting = pending.get(m.req);
  pending.delete(m.req);
  if (!waiting) return;
  if (m.connection) waiting.resolve(m.connection);
  else
    waiting.reject(
      m.error?.error === PERMANENT
        ? new PermanentError(m.error.cause)
        : new Error(m.error?.cause ?? 'the connection could not be resolved'),
    );
});

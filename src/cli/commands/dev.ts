/**
 * @module cli/commands/dev
 * `updraft dev`: the local scheduler (engine/dev-loop) in one process. Every second it fires the
 * schedules' ticks that came due (EventBridge Scheduler's, DST included), queues and starts the
 * runs the launcher would (catchup, start and end dates, maxActiveRuns), starts the
 * dataset-triggered runs producers' updates queued and checks deadlines; a change in the DAG
 * folder reloads it (cli/dev-reload), a broken file keeping its DAGs' last good version. Ctrl-C stops it: with no run going it exits
 * 0; runs still going are marked interrupted, each with how to resume it (`updraft retry`), and
 * it exits 130.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { DevLoop, type DevEvent } from '../../engine/dev-loop.ts';
import { describeSchedule } from '../../schedule/index.ts';
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { reportInterrupt } from '../interrupt.ts';
import type { GlobalOptions } from '../project.ts';
import { openSession, type Session } from '../session.ts';
import { orderOf } from './run.ts';
import { notificationLines } from './show.ts';
import { DagReloader } from '../dev-reload.ts';
import { LOOPBACK, serveDevApi } from '../dev-api.ts';

/** How often the loop looks for due ticks and startable runs. */
const PASS_MS = 1000;
/** The API's port unless --port says otherwise. */
const DEFAULT_PORT = 8750;

/** Where the UI listens: `--host` (loopback unless given) and `--port`, with the token beyond loopback. */
export interface Listen {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
}

/** The token a server beyond loopback asks of every request. */
const TOKEN_VARIABLE = 'UPDRAFT_UI_TOKEN';
const TOKEN_MIN = 16;

/** `--host`/`--port` and, beyond loopback, UPDRAFT_UI_TOKEN (16 characters or more), or a usage error. */
export function listenOf(io: Io, opts: { port: string; host?: string }, example: number): Listen {
  const port = portOf(opts.port, example);
  const host = opts.host ?? '127.0.0.1';
  if (LOOPBACK.has(host)) return { host, port };
  const token = (io.env ?? process.env)[TOKEN_VARIABLE];
  if (!token || token.length < TOKEN_MIN)
    throw new UsageError(
      `--host ${host} serves the UI beyond this machine, so every request must carry a token: ${TOKEN_VARIABLE} is ${token ? `${token.length} characters` : 'not set'}`,
      {
        hint: `set ${TOKEN_VARIABLE} to a secret of ${TOKEN_MIN} characters or more (e.g. ${TOKEN_VARIABLE}=$(openssl rand -hex 16)), then open the address with ?token=<it>; or leave --host out to serve on 127.0.0.1`,
      },
    );
  return { host, port, token };
}

/** The `--host` option of `updraft dev` and `updraft ui`. */
export const HOST_OPTION = [
  '--host <address>',
  `serve on this address (default 127.0.0.1); beyond loopback every request needs ${TOKEN_VARIABLE}`,
] as const;

/** `--port`: 0 to 65535 (0: any free port), or a usage error. Shared with `updraft ui`. */
export function portOf(text: string, example = DEFAULT_PORT): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new UsageError(`--port must be a port number from 0 to 65535, got "${text}"`, {
      hint: `e.g. --port ${example}, or --port 0 for any free port`,
    });
  return port;
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('dev')
    .description(
      'run the local scheduler: schedules fire as EventBridge Scheduler fires them (DST included), with catchup and maxActiveRuns, and dataset-triggered runs start; Ctrl-C stops',
    )
    .option('--real-time', 'honour waits, poke intervals and retry delays inside runs')
    .option(
      '--port <port>',
      'serve the UI and its HTTP JSON API at this port (0: any free port)',
      String(DEFAULT_PORT),
    )
    .option(...HOST_OPTION)
    .action(async (opts: { realTime?: boolean; port: string; host?: string }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const listen = listenOf(io, opts, DEFAULT_PORT);
      const session = await openSession(io, options, { realTime: Boolean(opts.realTime) });
      const { engine } = session;
      const loop = new DevLoop(engine, {
        now: () => io.now().getTime(),
        onEvent: (event) => io.out(eventLine(event, io.now())),
      });
      const dags = engine.options.dags.map((d) => d.ir);
      const passes: { timer?: NodeJS.Timeout } = {};
      const reloader = new DagReloader(io, options, engine, loop);
      const api = await startServer(io, session, listen);
      // Listening before the first line is printed: a Ctrl-C right after start stops it cleanly.
      const stopped = new Promise<number>((resolve) => {
        process.once('SIGINT', () => {
          clearInterval(passes.timer);
          reloader.close();
          void api.close();
          if (loop.running === 0) {
            io.out('updraft dev stopped.');
            return resolve(EXIT_OK);
          }
          void reportInterrupt({ io, store: session.store, orderOf: (id) => orderOf(session, id) })
            .catch((error: unknown) =>
              io.err(`  (could not mark the runs: ${(error as Error).message})`),
            )
            .finally(() => resolve(EXIT_INTERRUPTED));
        });
      });
      io.out(
        `updraft dev: ${dags.length} DAG${dags.length === 1 ? '' : 's'}, the local scheduler is running (Ctrl-C stops it)`,
      );
      for (const ir of dags) io.out(`  ${ir.id}: ${describeSchedule(ir.schedule)}`);
      reloader.watch();
      io.out(`  watching ${options.dags}/: a change reloads the DAGs`);
      io.out(
        `  UI: ${api.url}${listen.token ? ' (open it with ?token=<your UPDRAFT_UI_TOKEN>)' : ''}  ·  API: ${api.url}/api/dags (docs/local-runs.md lists the endpoints)`,
      );
      let busy = false;
      passes.timer = setInterval(() => {
        if (busy) return;
        busy = true;
        loop
          .step()
          .catch((error: unknown) =>
            io.err(`✖ the scheduler's pass failed: ${(error as Error).message}`),
          )
          .finally(() => (busy = false));
      }, PASS_MS);
      const code = await stopped;
      await session.close();
      setExit(code);
      if (code === EXIT_INTERRUPTED) process.exit(code); // runs still going hold the event loop
    });
}

/** The UI and API on 127.0.0.1; a port in use is the user's to change. */
async function startServer(io: Io, session: Session, listen: Listen) {
  const { engine } = session;
  const { host, port, token } = listen;
  return serveDevApi(
    {
      store: session.store,
      dags: () => engine.options.dags.map((d) => d.ir),
      now: () => io.now(),
      logsDir: join(session.dir, 'logs'),
      objects: engine.options.objects,
      engine,
      onAction: (line) => io.out(`${io.now().toISOString().slice(11, 19)} ${line}`),
      ...(token && { token }),
    },
    port,
    host,
  ).catch(async (error: Error & { code?: string }) => {
    await session.close();
    throw new UsageError(
      error.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is in use (another updraft dev?)`
        : `the API could not listen on ${host}:${port}: ${error.message}`,
      { hint: 'choose another with --port <port>, or --port 0 for any free port' },
    );
  });
}

function eventLine(event: DevEvent, now: Date): string {
  const time = now.toISOString().slice(11, 19);
  switch (event.kind) {
    case 'queued':
      return `${time} ⧗ queued  ${event.run.runId} (${event.run.triggeredBy})`;
    case 'started':
      return `${time} ▶ started ${event.run.runId}`;
    case 'ended': {
      const { run } = event.outcome;
      const mark = run.status === 'success' ? '✔' : '✖';
      const queued = (event.outcome.datasetRuns ?? []).map((r) => r.runId);
      const lines = [
        `${time} ${mark} ${run.status} ${run.runId}${queued.length > 0 ? `; queued ${queued.join(', ')}` : ''}`,
        ...notificationLines(event.outcome.notifications ?? []).map((l) => `${time}   ${l}`),
      ];
      return lines.join('\n');
    }
    case 'deadline':
      return [
        `${time} ⏰ ${event.run.runId} missed its deadline (still ${event.run.status})`,
        ...notificationLines(event.notifications).map((l) => `${time}   ${l}`),
      ].join('\n');
    case 'error':
      return `${time} ✖ ${event.runId}: ${event.error.message}`;
  }
}

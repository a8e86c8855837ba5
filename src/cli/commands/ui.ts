/**
 * @module cli/commands/ui
 * `updraft ui [--target aws --env E] [--port N]`: the UI without the local scheduler — over the
 * project's run store, or over a deployment's run table and its task logs in CloudWatch Logs with
 * the caller's AWS credentials. Over a deployment it also triggers, retries and clears runs, as
 * `updraft trigger|retry|clear --target aws` do (each starts an execution; the run goes on in
 * AWS), and reads offloaded outputs from the payload bucket; a backfill is the CLI's. Locally it
 * only reads and pauses: `updraft dev` serves the same UI with the scheduler that runs them.
 * Ctrl-C stops it.
 */
import { compileDag } from '../../compiler/index.ts';
import type { Command } from 'commander';
import type { DagIR } from '../../ir/types.ts';
import { isValidDag } from '../../loader/load-project.ts';
import type { RunRecord, Store } from '../../store/types.ts';
import type { Cloud } from '../../cloud/context.ts';
import { serveDevApi, type CloudRuns, type DevApiDeps } from '../dev-api.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { load, type GlobalOptions } from '../project.ts';
import { withSession } from '../session.ts';
import { addTargetOptions, onCloud, targetOf, type Target } from '../target.ts';
import { join } from 'node:path';
import { HOST_OPTION, listenOf, type Listen } from './dev.ts';
import { checkClearTasks } from './retry.ts';

const DEFAULT_PORT = 8751;

/** Serves until Ctrl-C. */
async function serveUntilStopped(
  io: Io,
  deps: DevApiDeps,
  listen: Listen,
  where: string,
): Promise<void> {
  const { host, port, token } = listen;
  const server = await serveDevApi({ ...deps, ...(token && { token }) }, port, host).catch(
    (error: Error & { code?: string }) => {
      throw new UsageError(
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is in use`
          : `the UI could not listen on ${host}:${port}: ${error.message}`,
        { hint: 'choose another with --port <port>, or --port 0 for any free port' },
      );
    },
  );
  io.out(`updraft ui over ${where} (Ctrl-C stops it)`);
  io.out(
    `  UI: ${server.url}${token ? ' (open it with ?token=<your UPDRAFT_UI_TOKEN>)' : ''}  ·  API: ${server.url}/api/dags`,
  );
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await server.close();
  io.out('updraft ui stopped.');
}

function depsOf(
  io: Io,
  store: Store,
  dags: readonly DagIR[],
  target: Target,
  logs: Pick<DevApiDeps, 'logs' | 'logsDir'>,
): DevApiDeps {
  const flags = target.kind === 'local' ? '' : ` ${target.flags}`;
  return {
    store,
    dags: () => dags,
    now: () => io.now(),
    ...logs,
    noRuns:
      target.kind === 'local'
        ? 'updraft ui only shows runs: start, retry and clear them from updraft dev (the same UI, with the local scheduler) or the CLI'
        : `a backfill on a deployment is the CLI's: updraft backfill <dag> --from <date> --to <date>${flags}`,
  };
}

/** Offloaded outputs, read from the payload bucket their references name. */
async function cloudPayloads(cloud: Cloud): Promise<NonNullable<DevApiDeps['objects']>> {
  const { getS3Object } = await import('../../runtime/s3-objects.ts');
  return { get: (ref) => getS3Object(cloud.clients.s3, ref) };
}

/** Trigger, retry and clear on the deployment, with the `--target aws` commands' code and checks. */
export function cloudRuns(cloud: Cloud, dags: readonly DagIR[], now: () => Date): CloudRuns {
  return {
    async trigger(ir, conf, date) {
      const [{ compileDag }, { triggerRun }] = await Promise.all([
        import('../../compiler/index.ts'),
        import('../../cloud/trigger.ts'),
      ]);
      const { timers } = compileDag(ir).manifest;
      const result = await triggerRun(cloud, {
        ir,
        timers,
        conf,
        ...(date !== undefined && { date }),
        now: now(),
      });
      return {
        runId: result.run.runId,
        created: result.outcome !== 'existing',
        status: result.outcome === 'started' ? 'running' : result.run.status,
      };
    },
    async resume(run, resume) {
      const { resumeRun } = await import('../../cloud/executions.ts');
      const ir = dags.find((d) => d.id === run.dagId);
      if (!ir)
        throw new UsageError(
          `run "${run.runId}" is of DAG "${run.dagId}", which this project has not`,
          {
            hint: 'resume it from the project that deployed it',
          },
        );
      if (resume.kind === 'clear') checkClearTasks(ir, resume.tasks);
      const r = await resumeRun(cloud, run, ir, resume, compileDag(ir).parts);
      return { runId: run.runId, status: r.queued ? 'queued' : 'running', execution: r.attempt };
    },
  };
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('ui')
    .description(
      "serve the UI without the scheduler: over the local run store, or a deployment's run table and task logs (--target aws --env E)",
    )
    .option('--port <port>', 'serve at this port (0: any free port)', String(DEFAULT_PORT))
    .option(...HOST_OPTION);
  addTargetOptions(command).action(
    async (
      opts: { port: string; host?: string; target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const listen = listenOf(io, opts, DEFAULT_PORT);
      const target = targetOf(opts);
      const project = await load(io, options);
      const dags = project.dags.filter((d) => isValidDag(project, d.ir.id)).map((d) => d.ir);
      if (target.kind === 'local') {
        await withSession(io, options, { loadDags: false }, (session) =>
          serveUntilStopped(
            io,
            {
              ...depsOf(io, session.store, dags, target, { logsDir: join(session.dir, 'logs') }),
              objects: session.engine.options.objects,
            },
            listen,
            'the local run store',
          ),
        );
      } else {
        await onCloud(target, async (cloud) => {
          const { fetchRunLogs } = await import('../../cloud/logs.ts');
          const logs = (run: RunRecord, taskId?: string) => fetchRunLogs(cloud, run, taskId);
          await serveUntilStopped(
            io,
            {
              ...depsOf(io, cloud.store, dags, target, { logs }),
              cloud: cloudRuns(cloud, dags, () => io.now()),
              ...(cloud.region && { region: cloud.region }),
              objects: await cloudPayloads(cloud),
            },
            listen,
            cloud.where,
          );
        });
      }
      setExit(EXIT_OK);
    },
  );
}

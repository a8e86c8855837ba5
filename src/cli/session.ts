/**
 * @module cli/session
 * What commands that run or read runs share: the project's `.updraft/` folder (run database,
 * payload objects, task logs, local S3), the SQLite store, and the embedded engine over
 * the project's valid DAGs. Opening a session also finds runs left behind by a process that
 * died and marks them failed, saying so.
 */
import { join } from 'node:path';
import type { Store } from '../store/types.ts';
import { LocalObjectStore } from '../runtime/objects.ts';
import type { EngineOptions, LocalEngine } from '../engine/engine.ts';
import { isValidDag, type LoadResult, type LoadedDag } from '../loader/load-project.ts';
import { envOf, type Io } from './io.ts';
import { load, requireDag, type GlobalOptions } from './project.ts';

export interface Session {
  readonly engine: LocalEngine;
  readonly store: Store;
  readonly project: LoadResult | undefined;
  readonly dir: string;
  close(): Promise<void>;
}

export const UPDRAFT_DIR = '.updraft';

export async function openSession(
  io: Io,
  options: GlobalOptions,
  extra: {
    readonly loadDags?: boolean;
    /** A DAG the command needs valid: checked before the run database is opened (or created). */
    readonly requireDag?: string;
    /** Further checks of that DAG's input (a run's conf and date), also before anything is opened. */
    readonly checkDag?: (dag: LoadedDag) => void;
  } & Pick<EngineOptions, 'realTime' | 'onEvent'> = {},
): Promise<Session> {
  const project = extra.loadDags === false ? undefined : await load(io, options);
  if (project && extra.requireDag !== undefined)
    extra.checkDag?.(requireDag(io, project, extra.requireDag, options));
  const dir = join(io.cwd, UPDRAFT_DIR);
  // Loaded on first use: the store, the AWS SDK and the ASL interpreter would otherwise double the
  // start-up of every command (validate, list, graph …) that never touches a run.
  const [{ openLocalStore }, { LocalEngine }] = await Promise.all([
    import('../store/local.ts'),
    import('../engine/engine.ts'),
  ]);
  const local = await openLocalStore({ dir });
  const engine = new LocalEngine({
    store: local.store,
    objects: new LocalObjectStore(join(dir, 'objects')),
    // With its file, a DAG's task code runs in the engine's worker threads, as Lambda runs it.
    dags: project
      ? project.dags
          .filter((d) => isValidDag(project, d.ir.id))
          .map((d) => ({ dag: d.dag, ir: d.ir, file: join(io.cwd, d.file) }))
      : [],
    logsDir: join(dir, 'logs'),
    projectDir: io.cwd,
    env: envOf(io),
    s3Dir: join(dir, 's3'),
    wall: () => io.now().getTime(),
    ...(extra.realTime && { realTime: true }),
    ...(extra.onEvent && { onEvent: extra.onEvent }),
  });
  const close = async () => {
    await engine.flush();
    await engine.close();
    await local.close();
  };
  try {
    for (const runId of await engine.reapDeadRuns()) {
      io.err(
        `⚠ run ${runId} was left running by a process that ended (killed or crashed); marked failed — resume it with: updraft retry ${runId}`,
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { engine, store: local.store, project, dir, close };
}

/** Runs `work` in a session and always closes it. */
export async function withSession<T>(
  io: Io,
  options: GlobalOptions,
  extra: Parameters<typeof openSession>[2],
  work: (s: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(io, options, extra);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

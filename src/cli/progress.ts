/**
 * @module cli/progress
 * Live task states while a run executes: on a terminal, one redrawn line per task (log-update);
 * otherwise (CI logs, pipes) a plain line per change, so output stays readable as text. Tasks of
 * child runs (triggerDag) are tagged with their run id.
 */
import type { EngineEvent } from '../engine/run-machine.ts';
import type { Io } from './io.ts';
import { stateLabel } from './render-run.ts';

export interface Progress {
  readonly onEvent: (runId: string, event: EngineEvent) => void;
  done(): void;
}

interface Seen {
  readonly state: string;
  readonly attempt?: number;
}

export async function createProgress(
  io: Io,
  dagId: string,
  tasks: readonly string[],
  options: { readonly tty: boolean; readonly quiet?: boolean },
): Promise<Progress> {
  if (options.quiet) return { onEvent: () => undefined, done: () => undefined };
  const own = (runId: string) => runId.startsWith(`${dagId}-`);
  const states = new Map<string, Seen>();
  if (!options.tty) {
    const time = () => io.now().toISOString().slice(11, 19);
    return {
      onEvent: (runId, e) => {
        // Mapped instances: the first one stands for the task.
        if (e.mapIndex !== undefined && e.mapIndex > 0) return;
        const key = `${runId}|${e.taskId}`;
        const prev = states.get(key);
        if (prev?.state === e.state && prev.attempt === e.attempt) return;
        states.set(key, { state: e.state, ...(e.attempt !== undefined && { attempt: e.attempt }) });
        const extra = e.reused
          ? ' (reused from the earlier execution)'
          : e.state === 'running' && e.attempt && e.attempt > 1
            ? ` (try ${e.attempt})`
            : '';
        io.out(
          `${time()} ${stateLabel(e.state, io.color)} ${e.taskId}${extra}${own(runId) ? '' : `  [${runId}]`}`,
        );
      },
      done: () => undefined,
    };
  }
  // Only a terminal needs the redraw library (≈ 50 ms to load).
  const { default: logUpdate } = await import('log-update');
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const draw = () => {
    timer = undefined;
    const lines = tasks.map((id) => {
      const s = [...states].find(([k]) => k.endsWith(`|${id}`) && own(k))?.[1];
      return `  ${stateLabel(s?.state ?? 'queued', io.color)}  ${id}${s?.attempt && s.attempt > 1 ? ` (try ${s.attempt})` : ''}`;
    });
    logUpdate(lines.join('\n'));
  };
  return {
    onEvent: (runId, e) => {
      if (e.mapIndex !== undefined && e.mapIndex > 0) return;
      states.set(`${runId}|${e.taskId}`, {
        state: e.state,
        ...(e.attempt !== undefined && { attempt: e.attempt }),
      });
      if (!finished) timer ??= setTimeout(draw, 50);
    },
    done: () => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      draw();
      logUpdate.done();
    },
  };
}

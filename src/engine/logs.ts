/**
 * @module engine/logs
 * Task log lines on the embedded engine: one JSON-lines file per task and run under
 * `.updraft/logs/<runId>/<taskId>.log` (CloudWatch's role on AWS), appended in batches so a
 * chatty task does not cost a file write per line; or kept in memory (tests, the testing helper).
 *
 * Each line is stamped with the run's execution (1, then +1 per retry/clear) and, when the
 * virtual clock had skipped waits by then, `simulated: true`: its time is the one AWS would log,
 * ahead of the wall clock. A resumed execution starts on the wall clock again, so its lines can
 * carry earlier times than the first execution's simulated ones; lines are therefore read back
 * ordered by execution, then time.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine, LogSink } from '../runtime/task-logger.ts';
import type { Clock } from './clock.ts';

/** What the engine adds to a task's log line. */
export interface EngineLogFields {
  /** The run's execution the line was written in. */
  readonly execution?: number;
  /** The time is on the virtual clock, ahead of the wall clock (waits were skipped). */
  readonly simulated?: true;
}

export class LogWriter {
  readonly dir: string | undefined;
  readonly memory: LogLine[] = [];
  readonly #pending = new Map<string, string[]>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  /** Without a folder, lines stay in `memory`. */
  constructor(dir?: string) {
    this.dir = dir;
  }

  readonly sink = (line: LogLine): void => {
    if (!this.dir) {
      this.memory.push(line);
      return;
    }
    const file = join(this.dir, safe(line.run), `${safe(line.task)}.log`);
    const lines = this.#pending.get(file) ?? [];
    lines.push(JSON.stringify(line));
    this.#pending.set(file, lines);
    this.#timer ??= setTimeout(() => void this.flush(), 100);
  };

  /**
   * The sink for one execution of a run: lines get its number and, when their time is ahead of
   * the wall clock (the virtual clock skipped waits before they were written), `simulated`.
   */
  sinkFor(execution: number, clock: Clock): LogSink {
    return (line) => {
      const wall = clock.now() - clock.skippedMs;
      this.sink({ ...line, execution, ...(Date.parse(line.time) > wall && { simulated: true }) });
    };
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#writing = this.#writing.then(async () => {
      for (const [file, lines] of batch) {
        await mkdir(join(file, '..'), { recursive: true });
        await appendFile(file, `${lines.join('\n')}\n`);
      }
    });
    await this.#writing;
  }

  /** On exit: write what is left synchronously. */
  flushSync(): void {
    for (const [file, lines] of this.#pending) {
      mkdirSync(join(file, '..'), { recursive: true });
      appendFileSync(file, `${lines.join('\n')}\n`);
    }
    this.#pending.clear();
  }
}

/** File names keep ids readable but never escape the folder. */
function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
}

/** Every log line of a run (optionally one task), by execution, then oldest first. */
export function readRunLogs(dir: string, runId: string, taskId?: string): LogLine[] {
  const folder = join(dir, safe(runId));
  if (!existsSync(folder)) return [];
  const files = readdirSync(folder).filter(
    (f) => f.endsWith('.log') && (taskId === undefined || f === `${safe(taskId)}.log`),
  );
  const lines = files.flatMap((f) =>
    readFileSync(join(folder, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        // A process killed mid-append can leave half a line: skip it.
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      }),
  );
  return lines.sort((a, b) => executionOf(a) - executionOf(b) || a.time.localeCompare(b.time));
}

/** Lines written before executions were stamped count as the first. */
export function executionOf(line: LogLine): number {
  const execution = (line as EngineLogFields).execution;
  return typeof execution === 'number' ? execution : 1;
}

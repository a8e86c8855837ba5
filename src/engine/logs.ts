/**
 * @module engine/logs
 * Task log lines on the embedded engine: one JSON-lines file per task and run under
 * `.updraft/logs/<runId>/<taskId>.log` (CloudWatch's role on AWS), appended in batches so a
 * chatty task does not cost a file write per line; or kept in memory (tests, the testing helper).
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '../runtime/task-logger.ts';

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

/** Every log line of a run (optionally one task), oldest first. */
export function readRunLogs(dir: string, runId: string, taskId?: string): LogLine[] {
  const folder = join(dir, safe(runId));
  if (!existsSync(folder)) return [];
  const files = readdirSync(folder).filter((f) => f.endsWith('.log') && (taskId === undefined || f === `${safe(taskId)}.log`));
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
  return lines.sort((a, b) => a.time.localeCompare(b.time));
}

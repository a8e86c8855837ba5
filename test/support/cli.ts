/**
 * `updraft` for tests, two ways. In process through `main(argv, io)`: output captured line by
 * line, the environment and the project folder injected, no Node start-up (~0.5–1 s a call
 * spawned). As the real binary (`bin/updraft.js`, built `dist/`): for the one smoke test per
 * command family that proves the process works (exit code, stdout/stderr, no stack trace), and
 * for what needs a process of its own (signals, kill -9, worker isolation, paths shown relative
 * to the process's working directory).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  readonly code: number | null;
  /** stdout and stderr, each without its trailing newlines. */
  readonly out: string;
  readonly err: string;
}

export interface CliOptions {
  /** The project folder (the process's working directory when spawned). */
  readonly cwd: string;
  /** The whole environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The clock of the in-process CLI. @default the wall clock */
  readonly now?: () => Date;
}

export async function updraftInProcess(
  args: readonly string[],
  options: CliOptions,
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    color: false,
    cwd: options.cwd,
    now: options.now ?? (() => new Date()),
    env: options.env ?? process.env,
  };
  const code = await main(args, io);
  return { code, out: out.join('\n').trimEnd(), err: err.join('\n').trimEnd() };
}

export function updraftProcess(args: readonly string[], options: CliOptions): CliResult {
  const env = { ...(options.env ?? process.env), NO_COLOR: '1' };
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/updraft.js'), ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env,
  });
  return { code: r.status, out: r.stdout.trimEnd(), err: r.stderr.trimEnd() };
}

/** The cells of a cli-table3 table in printed output, row by row (the header row first). */
export function tableCells(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) =>
      l
        .split('│')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

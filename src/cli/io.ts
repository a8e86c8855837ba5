/**
 * @module cli/io
 * Where commands write: injectable so tests capture output, with colour only on a TTY
 * (and never when NO_COLOR is set or --no-color is given).
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly cwd: string;
  readonly now: () => Date;
  /** The environment connections come from (`UPDRAFT_CONN_<ID>`), for the commands, the masker and the engine. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `io.env`, else the process's. */
export const envOf = (io: Io): Readonly<Record<string, string | undefined>> =>
  io.env ?? process.env;

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
    now: () => new Date(),
    env: process.env,
  };
}

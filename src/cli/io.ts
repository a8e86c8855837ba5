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
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

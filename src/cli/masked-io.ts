/**
 * @module cli/masked-io
 * Every line the CLI prints passes the secrets masker, loaded with the project's local
 * connections (`UPDRAFT_CONN_*` and `updraft.connections.json`): task outputs and upstream inputs
 * shown by `show`/`test`/`--json`, conf, errors, anything a record holds is printed with each
 * connection's secret as `***`, in every encoding the masker knows. Logs were masked when
 * written; this is the last line of defence for what was not (a run recorded before a
 * connection's password was set, a secret typed into `--conf`).
 */
import type { Connection } from '../sdk/context.ts';
import { SecretMasker } from '../runtime/mask.ts';
import {
  connectionFromEntry,
  readConnectionsFile,
  type ConnectionEntry,
} from '../runtime/connections-file.ts';
import { parseConnection } from '../runtime/connections.ts';
import { envOf, type Io } from './io.ts';

/**
 * A masker with every connection defined locally. One broken entry (bad JSON, bad URI) cannot
 * name its password, so it is skipped; the commands that read connections report it.
 */
export function localMasker(
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
): SecretMasker {
  const masker = new SecretMasker();
  const add = (make: () => Connection) => {
    try {
      masker.addConnection(make());
    } catch {
      // Unreadable: nothing to mask by.
    }
  };
  let file: Readonly<Record<string, ConnectionEntry>> = {};
  try {
    file = readConnectionsFile(projectDir);
  } catch {
    // An unreadable file: the environment's connections are still masked.
  }
  for (const [id, entry] of Object.entries(file)) add(() => connectionFromEntry(id, entry));
  for (const [name, text] of Object.entries(env)) {
    if (name.startsWith('UPDRAFT_CONN_') && text?.trim())
      add(() => parseConnection(name.slice('UPDRAFT_CONN_'.length).toLowerCase(), text));
  }
  return masker;
}

/** `io` with every line masked; the masker is built when the first line is printed. */
export function maskedIo(
  io: Io,
  env: Readonly<Record<string, string | undefined>> = envOf(io),
): Io {
  let masker: SecretMasker | undefined;
  const mask = (text: string) => (masker ??= localMasker(io.cwd, env)).mask(text);
  return {
    get color() {
      return io.color;
    },
    cwd: io.cwd,
    now: io.now,
    env,
    out: (text) => io.out(mask(text)),
    err: (text) => io.err(mask(text)),
  };
}

/**
 * @module cli/dev-reload
 * `updraft dev` reloads the DAG folder when a file in it changes: every file is loaded again as a
 * new generation (loader/ts-hooks: fresh module instances of the DAG files and their relative
 * imports), valid DAGs replace their previous version, and a DAG whose file is now broken keeps
 * its last good version — its problems are printed, and its tasks run in this process, from the
 * module already loaded, until the file is fixed (a worker would load the broken file).
 */
import { watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DevLoop } from '../engine/dev-loop.ts';
import type { EngineDag, LocalEngine } from '../engine/engine.ts';
import { importFailures, isValidDag, loadProject } from '../loader/load-project.ts';
import { formatProblem } from '../problems.ts';
import type { Io } from './io.ts';
import type { GlobalOptions } from './project.ts';

/** How long the folder must be quiet before a reload (an editor's save is several events). */
const QUIET_MS = 250;

export class DagReloader {
  readonly #io: Io;
  readonly #options: GlobalOptions;
  readonly #engine: LocalEngine;
  readonly #loop: DevLoop;
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #again = false;
  #watcher: FSWatcher | undefined;

  constructor(io: Io, options: GlobalOptions, engine: LocalEngine, loop: DevLoop) {
    this.#io = io;
    this.#options = options;
    this.#engine = engine;
    this.#loop = loop;
  }

  /** Watches the DAG folder (and below) until `close`. */
  watch(): void {
    const dir = resolve(this.#io.cwd, this.#options.dags);
    this.#watcher = watch(dir, { recursive: true }, (_event, name) => {
      if (name && /(^|\/)(\.|node_modules)/.test(name)) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.reload(), QUIET_MS);
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
  }

  /** Loads the folder again now (one reload at a time: a change during one reloads once more after it). */
  async reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = this.#reloadOnce().finally(() => (this.#reloading = undefined));
    await this.#reloading;
    if (this.#again) {
      this.#again = false;
      await this.reload();
    }
  }

  async #reloadOnce(): Promise<void> {
    const io = this.#io;
    const generation = ++this.#generation;
    const result = await loadProject(this.#options.dags, { root: io.cwd, generation });
    const before = new Map(this.#engine.options.dags.map((d) => [d.ir.id, d]));
    const next = new Map<string, EngineDag>();
    for (const d of result.dags.filter((x) => isValidDag(result, x.ir.id)))
      next.set(d.ir.id, { dag: d.dag, ir: d.ir, file: join(io.cwd, d.file), generation });
    // A DAG now invalid, or in a file that no longer loads: its last good version stays.
    const failed = new Set(importFailures(result).map((p) => p.file?.replace(/:\d+$/, '')));
    const invalid = new Set(result.dags.map((d) => d.ir.id).filter((id) => !next.has(id)));
    const kept: string[] = [];
    for (const [id, old] of before) {
      if (next.has(id)) continue;
      const file = old.file && relativeTo(io.cwd, old.file);
      if (invalid.has(id) || (file !== undefined && failed.has(file))) {
        const { file: _file, generation: _generation, ...inProcess } = old;
        next.set(id, inProcess);
        kept.push(id);
      }
    }
    const color = io.color && this.#options.color !== false;
    const errors = result.problems.filter((p) => p.severity === 'error');
    const time = io.now().toISOString().slice(11, 19);
    const added = [...next.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !next.has(id));
    io.out(
      `${time} ↻ dags reloaded: ${next.size} DAG${next.size === 1 ? '' : 's'}${added.length > 0 ? `, new: ${added.join(', ')}` : ''}${removed.length > 0 ? `, removed: ${removed.join(', ')}` : ''}`,
    );
    for (const p of errors) io.out(formatProblem(p, { color }));
    for (const id of kept)
      io.out(
        `${time} ⚠ ${id} keeps its last good version until its file is fixed (its tasks run in this process meanwhile)`,
      );
    this.#engine.replaceDags([...next.values()]);
    this.#loop.dagsChanged();
  }
}

function relativeTo(root: string, file: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

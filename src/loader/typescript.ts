/**
 * @module loader/typescript
 * Imports a TypeScript DAG file. `bin/updraft.js` installs a hook that registers tsx's loader
 * only while DAG files load: left registered, its hooks slow every later import of the process
 * (the built CLI took 0.40–0.46 s to load with them, 0.14 s without). Node 24's own type
 * stripping was measured too and is slower here: its first use initialises a WebAssembly
 * transformer (≈ 0.13 s), where tsx reuses its on-disk cache of transformed files.
 *
 * Where TypeScript loads already (vitest runs sources through Vite), there is no hook and this
 * is a plain `import()`.
 */
const HOOK = Symbol.for('updraft.importTypeScript');

type Hook = (url: string) => Promise<Record<string, unknown>>;

export function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const hook = (globalThis as Record<symbol, Hook | undefined>)[HOOK];
  return hook ? hook(url) : (import(url) as Promise<Record<string, unknown>>);
}

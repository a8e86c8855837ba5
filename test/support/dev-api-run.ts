/**
 * One run of a DAG on an in-memory engine (SQLite in memory, objects in memory, task code in
 * process), and the UI's API over its store: what a test of an API endpoint about a run needs.
 */
import { expect } from 'vitest';
import { devApi } from '../../src/cli/dev-api.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import type { Dag } from '../../src/sdk/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

/** Triggers `dag` for 2026-11-20, checks the run succeeded, and serves the API over its store. */
export async function apiAfterRun(dag: Dag, file: string) {
  const store = new SqliteStore({ file: ':memory:' });
  const ir = buildDagIR(dag, file).ir;
  const engine = new LocalEngine({
    store,
    objects: new MemoryObjectStore(),
    dags: [{ dag, ir }],
    workers: false,
  });
  const { run } = await engine.trigger(ir.id, { date: '2026-11-20' });
  expect(run.status).toBe('success');
  return { store, ir, run, app: devApi({ store, dags: () => [ir], now: () => new Date() }) };
}

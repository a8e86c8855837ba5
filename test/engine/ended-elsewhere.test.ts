/**
 * A run ended by someone else while its machine still runs (Ctrl-C marks it interrupted, then
 * the workers are stopped and its tasks fail): the engine's own end must not overwrite that
 * record. `updraft dev` showed it as a flake: the run read `Updraft.InternalError`, the stop's
 * symptom, instead of `Updraft.Interrupted`, its cause.
 */
import { describe, expect, it } from 'vitest';
import { reportInterrupt } from '../../src/cli/interrupt.ts';
import { LocalEngine } from '../../src/engine/engine.ts';
import { MemoryObjectStore } from '../../src/runtime/objects.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { dag, task } from '../../src/sdk/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

let started: () => void = () => undefined;
const running = new Promise<void>((resolve) => (started = resolve));
let stop: (error: Error) => void = () => undefined;
const stopped = new Promise<never>((_, reject) => (stop = reject));

const long = dag('long', { startDate: '2026-11-01' }, () => {
  const slow = task('slow', async () => {
    started();
    return stopped;
  });
  task('after', async (_ctx, n: number) => n)(slow());
});

describe('a run ended elsewhere while it runs', () => {
  it('keeps the interrupt that ended it; the engine’s late end writes neither the run nor its tasks', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const engine = new LocalEngine({
      store,
      objects: new MemoryObjectStore(),
      dags: [{ dag: long, ir: buildDagIR(long, 'dags/long.ts').ir }],
      workers: false,
    });
    const outcome = engine.trigger('long', { date: '2026-11-20' });
    await running;
    const lines: string[] = [];
    const io = { err: (line: string) => lines.push(line), out: () => undefined };
    await reportInterrupt({ io: io as never, store, orderOf: () => ['slow', 'after'] });
    expect(lines[0]).toMatch(
      /^✖ Interrupted \(Ctrl-C\): run long-\S+ stopped and marked failed\.$/,
    );
    // As `updraft dev` does: the engine closes, its stopped workers fail the running tasks.
    await engine.close();
    stop(new Error('the engine was closed while the task was running; its worker was stopped'));
    const { run } = await outcome;
    expect(run.error?.error).toBe('Updraft.Interrupted');
    const stored = await store.getRun(run.runId);
    expect(stored).toMatchObject({ status: 'failed', error: { error: 'Updraft.Interrupted' } });
    const tasks = await store.listTasks(run.runId);
    expect(tasks.map((t) => [t.taskId, t.state, t.error?.error])).toEqual([
      ['slow', 'failed', 'Updraft.Interrupted'],
    ]);
    await store.close();
  });
});

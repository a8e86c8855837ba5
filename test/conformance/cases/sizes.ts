/**
 * Conformance: state size under Parallel and Map. A wide fan-out after tasks with large outputs
 * runs within 256 KiB because only one branch returns the document (the others return their own
 * records), and its merge stays within 10 intrinsic functions per field; the engine enforces both
 * as AWS does (test/engine/cloud-limits), so the old shapes fail here.
 */
import { expect } from 'vitest';
import { dag, task } from 'updraft';
import { defineCases } from '../case.ts';

/** a → b → c, each returning `bytes` characters, then `width` leaves after c (one Parallel). */
export const fanOut = (width: number, bytes: number) =>
  dag(`fan_${width}`, {}, () => {
    const a = task('a', async () => 'a'.repeat(bytes))();
    const b = task('b', async () => 'b'.repeat(bytes))();
    const c = task('c', async () => 'c'.repeat(bytes))();
    a.then(b).then(c);
    for (let i = 0; i < width; i++) c.then(task(`leaf${i}`, async () => i));
  });

export const sizes = defineCases('sizes', (it) => {
  it('12 branches after 3 outputs of 8 KiB (12 × the document would be 300 KiB) run, merging in two steps', {
    unsupported: {
      parts:
        'counts the transitions of one machine; parts add their starts and merges (the case after runs the shape in parts)',
    },
  }, async (run) => {
    // The compiled shape (one merge Pass) is checked in sizes.test.ts.
    const d = fanOut(12, 8500);
    const r = await run(d);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('success');
    expect(Object.values(r.states).every((s) => s === 'success')).toBe(true);
    expect(Object.keys(r.states)).toHaveLength(15);
    expect(r.tasks.leaf11!.output).toBe(11);
    expect(r.tasks.c!.output).toBe('c'.repeat(8500));
    expect(r.transitions).toBe(19); // a, b, c, the Parallel, 12 leaves, the merge, run failed?, run succeeded
  });

  it('130 branches (past 121) merge through two levels of merge Passes, each field within 10 intrinsic functions', async (run) => {
    // The compiled shape (two levels of merge Passes) is checked in sizes.test.ts.
    const d = fanOut(130, 10);
    const r = await run(d);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('success');
    expect(Object.keys(r.states)).toHaveLength(133);
    expect(r.tasks.leaf129!.output).toBe(129);
  });

  it('11 branches merge in the ResultSelector alone (10 intrinsic functions)', {
    unsupported: {
      parts: 'counts the transitions of one machine; parts add their starts and merges',
    },
  }, async (run) => {
    const d = fanOut(11, 10);
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.transitions).toBe(17); // no merge Pass
  });

  it('200 instances returning 2 KiB each (400 KiB) run: outputs over 512 bytes go to the payload store, downstream reads them whole', async (run) => {
    const d = dag('map_big', {}, () => {
      const list = task('list', async () => Array.from({ length: 200 }, (_, i) => i))();
      const each = task('each', async (_ctx, i: number) => String(i % 10).repeat(2000));
      const total = task('total', async (_ctx, outs: string[]) =>
        outs.reduce((n, o) => n + o.length, 0),
      );
      total(each.map(list));
    });
    const r = await run(d);
    expect(r.error).toBeUndefined();
    expect(r.states).toEqual({ list: 'success', each: 'success', total: 'success' });
    expect(r.tasks.total!.output).toBe(400_000);
  });
});

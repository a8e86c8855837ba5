import { describe, expect, it } from 'vitest';
import { DocumentSizes } from '../../src/engine/document-size.ts';
import type { State } from '../../src/compiler/asl.ts';

const exact = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** A chain's states: each writes its record at $.t.<key>. */
function states(keys: readonly string[]): Map<string, State> {
  return new Map(
    keys.map((k) => [
      `state_${k}`,
      { Type: 'Task', Resource: 'x', ResultPath: `$.t.${k}`, End: true } as unknown as State,
    ]),
  );
}

describe('DocumentSizes', () => {
  it('bounds every document of a run from above, and measures exactly once the bound passes the limit', () => {
    // Seeded records of growing and shrinking sizes, including rewrites of the same key and
    // multi-byte text; each state's output is the document after its write.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const sizes = new DocumentSizes(states(keys));
    const doc: { run: unknown; t: Record<string, unknown>; err?: unknown } = {
      run: { dagId: 'd', ds: '2026-01-01', params: { note: 'é'.repeat(50) } },
      t: {},
    };
    for (let step = 0; step < 400; step++) {
      const key = keys[Math.floor(rand() * keys.length)]!;
      doc.t[key] = { s: 'success', o: 'ü'.repeat(Math.floor(rand() * 2000)) };
      if (rand() < 0.1) doc.err = { Error: 'E', Cause: 'x'.repeat(Math.floor(rand() * 300)) };
      sizes.exited(`state_${key}`, doc);
      const limit = 30_000;
      const got = sizes.bytes(doc, limit);
      expect(got).toBeGreaterThanOrEqual(exact(doc));
      if (got > limit) expect(got).toBe(exact(doc));
    }
  });

  it('a branch holding a subset of the records, with an older version of one, stays under the bound', () => {
    const sizes = new DocumentSizes(states(['a', 'b']));
    const run = { dagId: 'd' };
    sizes.exited('state_a', { run, t: { a: { o: 'x'.repeat(500) } } });
    sizes.exited('state_a', { run, t: { a: { o: 'x' } } }); // rewritten smaller: the larger one still counts
    sizes.exited('state_b', { run, t: { b: { o: 'y'.repeat(10) } } });
    const older = { run, t: { a: { o: 'x'.repeat(500) }, b: { o: 'y'.repeat(10) } } };
    expect(sizes.bytes(older, 256 * 1024)).toBeGreaterThanOrEqual(exact(older));
  });

  it('measures exactly a document of another shape (a Map iteration, a field the compiler does not write)', () => {
    const sizes = new DocumentSizes(states(['a']));
    const item = { run: {}, t: {}, item: 'z'.repeat(100) };
    expect(sizes.bytes(item, 256 * 1024)).toBe(exact(item));
    expect(sizes.bytes(['a', 'b'], 256 * 1024)).toBe(exact(['a', 'b']));
    expect(sizes.bytes({ run: {}, t: 'text' }, 256 * 1024)).toBe(exact({ run: {}, t: 'text' }));
  });

  it('an output over the limit is reported with its exact size', () => {
    const sizes = new DocumentSizes(states(['big']));
    const doc = { run: {}, t: { big: { s: 'success', o: 'x'.repeat(300 * 1024) } } };
    sizes.exited('state_big', doc);
    expect(sizes.bytes(doc, 256 * 1024)).toBe(exact(doc));
  });
});

describe('DocumentSizes: records written other than at $.t.<key>', () => {
  const own = {
    Type: 'Task',
    Resource: 'x',
    ResultSelector: { c: {} },
    ResultPath: '$.t',
    OutputPath: '$.t',
    End: true,
  } as unknown as State;
  const marks = {
    Type: 'Pass',
    Parameters: { 'run.$': '$.run', 't.$': 'States.JsonMerge($.t, $.x, false)' },
    Next: 'n',
  } as unknown as State;

  it("a branch's own records (ResultPath/OutputPath $.t) and a Pass that rebuilds t count in the bound of the merged document", () => {
    const sizes = new DocumentSizes(new Map([...states(['a']), ['c_own', own], ['marks', marks]]));
    const run = { dagId: 'd' };
    sizes.exited('state_a', { run, t: { a: { o: 'a'.repeat(100) } } });
    sizes.exited('c_own', { c: { s: 'success', o: 'c'.repeat(5000) } });
    sizes.exited('marks', {
      run,
      t: {
        a: { o: 'a'.repeat(100) },
        c: { s: 'success', o: 'c'.repeat(5000) },
        d: { s: 'skipped', o: 'd'.repeat(3000) },
      },
    });
    const merged = {
      run,
      t: {
        a: { o: 'a'.repeat(100) },
        c: { s: 'success', o: 'c'.repeat(5000) },
        d: { s: 'skipped', o: 'd'.repeat(3000) },
      },
    };
    expect(sizes.bytes(merged, 256 * 1024)).toBeGreaterThanOrEqual(exact(merged));
  });

  // The last task of a branch whose runner answers the branch's own records (Parameters `b`):
  // its output is those records; caught, the document with its error as its state.
  const answers = {
    Type: 'Task',
    Resource: 'x',
    Parameters: { task: 'e', b: { 'a.$': '$.t.a' } },
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.t.e.s', Next: 'e failed' }],
    End: true,
  } as unknown as State;

  it("a task that answers its branch's records (b) counts them, and its failure record when caught", () => {
    const run = { dagId: 'd' };
    const answered = new DocumentSizes(new Map([...states(['a']), ['e', answers]]));
    answered.exited('state_a', { run, t: { a: { o: 'a'.repeat(100) } } });
    answered.exited('e', { a: { o: 'a'.repeat(100) }, e: { s: 'success', o: 'e'.repeat(4000) } });
    const merged = {
      run,
      t: { a: { o: 'a'.repeat(100) }, e: { s: 'success', o: 'e'.repeat(4000) } },
    };
    expect(answered.bytes(merged, 256 * 1024)).toBeGreaterThanOrEqual(exact(merged));
    const caught = new DocumentSizes(new Map([...states(['a']), ['e', answers]]));
    const error = { Error: 'Updraft.TaskFailed', Cause: 'x'.repeat(3000) };
    caught.exited('e', { run, t: { e: { s: error } } });
    const failed = { run, t: { e: { s: error } } };
    expect(caught.bytes(failed, 256 * 1024)).toBeGreaterThanOrEqual(exact(failed));
  });

  it('without those writes the bound would be below the document (the test above can fail)', () => {
    const sizes = new DocumentSizes(states(['a']));
    const run = { dagId: 'd' };
    sizes.exited('state_a', { run, t: { a: { o: 'a'.repeat(100) } } });
    const merged = {
      run,
      t: { a: { o: 'a'.repeat(100) }, c: { s: 'success', o: 'c'.repeat(5000) } },
    };
    expect(sizes.bytes(merged, 256 * 1024)).toBeLessThan(exact(merged));
  });
});

/**
 * Conformance: dynamic task mapping on compiled machines. One instance per element, extra
 * arguments passed to every instance, downstream tasks get the results in list order; an empty
 * list skips the mapped task; any failing instance fails it; maxConcurrency caps instances.
 */
import { expect } from 'vitest';
import { chain, dag, PermanentError, task } from 'updraft';
import { defineCases } from '../case.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const mapping = defineCases('mapping', (it) => {
  it('maps over a 3-element list with a constant argument; results arrive in order', async (run) => {
    const calls: { item: string; suffix: string; index: number | undefined }[] = [];
    const d = dag('map_three', {}, () => {
      const list = task('list', async () => ['a', 'b', 'c'])();
      const up = task('up', async (ctx, item: string, suffix: string) => {
        calls.push({ item, suffix, index: ctx.mapIndex });
        // Later items finish first: the collected order must still follow the list.
        await sleep(item === 'a' ? 30 : item === 'b' ? 15 : 0);
        return `${item.toUpperCase()}${suffix}`;
      }).map(list, '!');
      task('join', async (_ctx, xs: string[]) => xs.join(','))(up);
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ list: 'success', up: 'success', join: 'success' });
    expect(r.tasks.up!.output).toEqual(['A!', 'B!', 'C!']);
    expect(r.tasks.join!.output).toBe('A!,B!,C!');
    expect(calls.sort((x, y) => x.item.localeCompare(y.item))).toEqual([
      { item: 'a', suffix: '!', index: 0 },
      { item: 'b', suffix: '!', index: 1 },
      { item: 'c', suffix: '!', index: 2 },
    ]);
    expect(r.started).toEqual(['list', 'up', 'join']);
  });

  it('maps over a literal list', async (run) => {
    const d = dag('map_literal', {}, () => {
      task('sq', async (_ctx, n: number) => n * n).map([1, 2, 3, 4]);
    });
    const r = await run(d);
    expect(r.tasks.sq).toEqual({
      state: 'success',
      attempts: 1,
      output: [1, 4, 9, 16],
      mapped: { count: 4, failed: 0 },
    });
  });

  it('an extra argument from an upstream output reaches every instance', async (run) => {
    const d = dag('map_upstream_arg', {}, () => {
      const cfg = task('cfg', async () => ({ factor: 3 }))();
      const scaled = task('scale', async (_ctx, n: number, f: number) => n * f).map(
        [1, 2],
        cfg.get('factor'),
      );
      task('sum', async (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0))(scaled);
    });
    const r = await run(d);
    expect(r.states).toEqual({ cfg: 'success', scale: 'success', sum: 'success' });
    expect(r.tasks.scale!.output).toEqual([3, 6]);
    expect(r.tasks.sum!.output).toBe(9);
  });

  it('an empty list skips the mapped task and its all_success downstream', async (run) => {
    let ran = 0;
    const d = dag('map_empty', {}, () => {
      const list = task('list', async () => [] as number[])();
      const m = task('m', async (_ctx, n: number) => {
        ran++;
        return n;
      }).map(list);
      chain(
        m,
        task('after', async () => 1),
      );
      chain(
        m,
        task('cleanup', { triggerRule: 'all_done' }, async () => 'cleaned'),
      );
    });
    const r = await run(d);
    expect(ran).toBe(0);
    expect(r.states).toEqual({
      list: 'success',
      m: 'skipped',
      after: 'skipped',
      cleanup: 'success',
    });
    expect(r.started).toEqual(['list', 'cleanup']);
    expect(r.status).toBe('success');
  });

  it('an empty literal list skips the mapped task', async (run) => {
    const d = dag('map_empty_literal', {}, () => {
      task('m', async (_ctx, n: number) => n).map([]);
    });
    const r = await run(d);
    expect(r.states).toEqual({ m: 'skipped' });
    expect(r.status).toBe('success');
  });

  it('one failing instance does not stop the other instances', async (run) => {
    const seen: number[] = [];
    const d = dag('map_fail_siblings', {}, () => {
      task('m', async (_ctx, n: number) => {
        seen.push(n);
        if (n === 2) throw new PermanentError(`item ${n} is bad`);
        return n;
      }).map([1, 2, 3]);
    });
    const r = await run(d);
    expect(seen.sort()).toEqual([1, 2, 3]);
    expect(r.states).toEqual({ m: 'failed' });
  });

  it('one failing instance fails the mapped task; downstream upstream_failed; run failed', async (run) => {
    const d = dag('map_fail', {}, () => {
      const m = task('m', async (_ctx, n: number) => {
        if (n === 2) throw new PermanentError(`item ${n} is bad`);
        return n;
      }).map([1, 2, 3]);
      chain(
        m,
        task('after', async () => 1),
      );
      chain(
        m,
        task('alert', { triggerRule: 'one_failed' }, async () => 'alerted'),
      );
    });
    const r = await run(d);
    expect(r.states).toEqual({ m: 'failed', after: 'upstream_failed', alert: 'success' });
    expect(r.started).toEqual(['m', 'alert']);
    expect(r.status).toBe('failed');
  });

  it('a failed mapped leaf fails the run', async (run) => {
    const d = dag('map_fail_leaf', {}, () => {
      task('m', async (_ctx, n: number) => {
        if (n === 2) throw new PermanentError('bad');
        return n;
      }).map([1, 2]);
    });
    const r = await run(d);
    expect(r.states).toEqual({ m: 'failed' });
    expect(r.status).toBe('failed');
  });

  it('a mapped instance is retried on its own', async (run) => {
    const calls: string[] = [];
    const d = dag('map_retry', {}, () => {
      task('m', { retry: { attempts: 2, delay: '1s' } }, async (ctx, n: number) => {
        calls.push(`${n}#${ctx.attempt}`);
        if (n === 1 && ctx.attempt === 1) throw new Error('flaky');
        return n;
      }).map([0, 1, 2]);
    });
    const r = await run(d);
    expect(r.tasks.m).toEqual({
      state: 'success',
      attempts: 2,
      output: [0, 1, 2],
      mapped: { count: 3, failed: 0 },
    });
    expect(calls.sort()).toEqual(['0#1', '1#1', '1#2', '2#1']);
  });

  it('maxConcurrency caps the instances running at once', async (run) => {
    let running = 0;
    let maxSeen = 0;
    const d = dag('map_concurrency', {}, () => {
      task('m', { maxConcurrency: 2 }, async (_ctx, n: number) => {
        running++;
        maxSeen = Math.max(maxSeen, running);
        await sleep(20);
        running--;
        return n;
      }).map([1, 2, 3, 4, 5, 6]);
    });
    const r = await run(d);
    expect(r.tasks.m!.output).toEqual([1, 2, 3, 4, 5, 6]);
    expect(maxSeen).toBeLessThanOrEqual(2);
    expect(maxSeen).toBe(2);
  });

  it('without maxConcurrency instances run concurrently', async (run) => {
    let running = 0;
    let maxSeen = 0;
    const d = dag('map_unbounded', {}, () => {
      task('m', async (_ctx, n: number) => {
        running++;
        maxSeen = Math.max(maxSeen, running);
        await sleep(20);
        running--;
        return n;
      }).map([1, 2, 3, 4]);
    });
    await run(d);
    expect(maxSeen).toBeGreaterThan(2);
  });

  it("toleratedFailures: within it the mapped task succeeds, a failed instance's output null, and downstream runs", async (run) => {
    const d = dag('map_tolerated', {}, () => {
      const m = task('m', { toleratedFailures: 1 }, async (_ctx, n: number) => {
        if (n === 2) throw new PermanentError(`item ${n} is bad`);
        return n * 10;
      }).map([1, 2, 3, 4]);
      task('sum', async (_ctx, xs: (number | null)[]) =>
        xs.reduce((a: number, b) => a + (b ?? 0), 0),
      )(m);
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ m: 'success', sum: 'success' });
    expect(r.tasks.m).toMatchObject({
      output: [10, null, 30, 40],
      mapped: { count: 4, failed: 1 },
    });
    expect(r.tasks.sum!.output).toBe(80);
  });

  it("toleratedFailures as a percentage: 2 of 4 failed is within '50%'", async (run) => {
    const d = dag('map_tolerated_pct', {}, () => {
      task('m', { toleratedFailures: '50%' }, async (_ctx, n: number) => {
        if (n % 2 === 0) throw new PermanentError(`item ${n} is even`);
        return n;
      }).map([1, 2, 3, 4]);
    });
    const r = await run(d);
    expect(r.states).toEqual({ m: 'success' });
    expect(r.tasks.m!.output).toEqual([1, null, 3, null]);
  });

  it('past toleratedFailures the mapped task fails, no more instances start, and downstream is upstream_failed', async (run) => {
    const seen: number[] = [];
    const d = dag('map_over_tolerance', {}, () => {
      const m = task('m', { toleratedFailures: 1, maxConcurrency: 1 }, async (_ctx, n: number) => {
        seen.push(n);
        if (n === 1 || n === 2) throw new PermanentError(`item ${n} is bad`);
        return n;
      }).map([0, 1, 2, 3, 4, 5]);
      chain(
        m,
        task('after', async () => 1),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ m: 'failed', after: 'upstream_failed' });
    expect(seen).toEqual([0, 1, 2]);
    expect(r.tasks.m!.error).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold' });
    // How many instances ran is not in a failed Map Run's record: no counts, the error instead.
    expect(r.tasks.m!.mapped).toBeUndefined();
  });

  it('maps over a field of an upstream output (.get)', async (run) => {
    const d = dag('map_field', {}, () => {
      const listing = task('listing', async () => ({
        bucket: 'lake',
        files: ['a.csv', 'b.csv'],
      }))();
      const sizes = task(
        'size',
        async (_ctx, f: string, bucket: string) => `${bucket}/${f}:${f.length}`,
      ).map(listing.get('files'), listing.get('bucket'));
      task('report', async (_ctx, s: string[]) => s.length)(sizes);
    });
    const r = await run(d);
    expect(r.states).toEqual({ listing: 'success', size: 'success', report: 'success' });
    expect(r.tasks.size!.output).toEqual(['lake/a.csv:5', 'lake/b.csv:5']);
    expect(r.tasks.report!.output).toBe(2);
  });

  it('list items may be objects and mapped outputs may be objects', async (run) => {
    const d = dag('map_objects', {}, () => {
      const rows = task('rows', async () => [
        { id: 1, tags: ['x'] },
        { id: 2, tags: [] },
      ])();
      task('enrich', async (_ctx, row: { id: number; tags: string[] }) => ({
        id: row.id,
        tagged: row.tags.length > 0,
      })).map(rows);
    });
    const r = await run(d);
    expect(r.tasks.enrich!.output).toEqual([
      { id: 1, tagged: true },
      { id: 2, tagged: false },
    ]);
  });

  it('a mapped task downstream of a failure is upstream_failed without running', async (run) => {
    const d = dag('map_upstream_failed', {}, () => {
      const list = task('list', async (): Promise<number[]> => {
        throw new PermanentError('no list');
      })();
      task('m', async (_ctx, n: number) => n).map(list);
    });
    const r = await run(d);
    expect(r.states).toEqual({ list: 'failed', m: 'upstream_failed' });
    expect(r.started).toEqual(['list']);
  });

  const notLists: [string, unknown, string][] = [
    ['an object (an API answer)', { files: ['a.csv'] }, '{"files":["a.csv"]}'],
    ['null', null, 'null'],
    ['a string', 'a.csv', '"a.csv"'],
    ['a number', 3, '3'],
  ];
  for (const [name, value, shown] of notLists) {
    it(`mapping over ${name} fails the mapped task, naming the value; all_done downstream still runs`, async (run) => {
      const d = dag('not_a_list', {}, () => {
        const list = task('list_files', async () => value as unknown as string[]);
        const each = task('each', async (_ctx, key: string) => key);
        const after = task('after', { triggerRule: 'all_done' }, async () => 'after');
        const strict = task('strict', async () => 'strict');
        const mapped = each.map(list());
        mapped.then(after);
        mapped.then(strict);
      });
      const r = await run(d);
      expect(r.states).toEqual({
        list_files: 'success',
        each: 'failed',
        after: 'success',
        strict: 'upstream_failed',
      });
      expect(r.status).toBe('failed');
      expect(r.tasks.each!.error).toEqual({
        error: 'Updraft.NotAList',
        cause: `task "each" maps over the output of "list_files", which is not a list but ${shown}; return a list, or map over the field that holds one (for { files: [...] }: each.map(list_files().get('files')))`,
      });
      expect(r.started).toEqual(['list_files', 'after']);
    });
  }

  it('mapping over a field the output does not have fails the mapped task the same way', async (run) => {
    const d = dag('missing_list', {}, () => {
      const list = task(
        'list_files',
        async (): Promise<{ files: string[] }> => ({}) as { files: string[] },
      );
      const each = task('each', async (_ctx, key: string) => key);
      each.map(list().get('files'));
    });
    const r = await run(d);
    expect(r.states).toEqual({ list_files: 'success', each: 'failed' });
    expect(r.tasks.each!.error?.cause).toBe(
      `task "each" maps over the output of "list_files".files, which is not a list but nothing (no such field); return a list, or map over the field that holds one (for { files: [...] }: each.map(list_files().get('files')))`,
    );
  });
});

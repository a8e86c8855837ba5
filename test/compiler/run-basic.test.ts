import { describe, expect, it } from 'vitest';
import { chain, dag, PermanentError, task } from '../../src/sdk/index.ts';
import { runDag } from './harness.ts';

describe('compiled machines run', () => {
  it('a chain passes data and succeeds', async () => {
    const d = dag('chain', {}, () => {
      const a = task('a', async () => ({ n: 2 }));
      const b = task('b', async (_ctx, x: { n: number }) => x.n * 10);
      const c = task('c', async (_ctx, y: number) => `got ${y}`);
      c(b(a()));
    });
    const r = await runDag(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ a: 'success', b: 'success', c: 'success' });
    expect(r.tasks.c!.output).toBe('got 20');
    expect(r.started).toEqual(['a', 'b', 'c']);
  });

  it('a permanent failure marks downstream upstream_failed and fails the run', async () => {
    const d = dag('fail', { retry: { attempts: 3, delay: '1s' } }, () => {
      const a = task('a', async () => {
        throw new PermanentError('bad input');
      });
      chain(
        a,
        task('b', async () => 1),
        task('c', async () => 1),
      );
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ a: 'failed', b: 'upstream_failed', c: 'upstream_failed' });
    expect(r.tasks.a!.attempts).toBe(1);
    expect(r.tasks.a!.error).toEqual({ error: 'Updraft.PermanentError', cause: 'bad input' });
  });
});

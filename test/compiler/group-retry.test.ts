/**
 * Group-level retry: when a task in the group fails (after its own retries), the whole group
 * runs again after the group's delay, up to the group's attempts.
 */
import { describe, expect, it } from 'vitest';
import { dag, group, PermanentError, task } from './imports.ts';
import { runDag } from './harness.ts';

describe('group retry', () => {
  it('re-runs the whole group until it succeeds', async () => {
    let loads = 0;
    const calls: string[] = [];
    const d = dag('group_retry', {}, () => {
      const start = task('start', async () => 'go');
      const end = task('end', async () => 'done');
      const g = group('load', { retry: { attempts: 3, delay: '10s', backoff: 2 } }, () => {
        const stage = task('stage', async () => {
          calls.push('stage');
          return 1;
        });
        const commit = task('commit', async () => {
          calls.push('commit');
          loads++;
          if (loads < 3) throw new Error(`commit ${loads} fails`);
          return 'ok';
        });
        stage().then(commit);
      });
      start().then(g).then(end);
    });
    const r = await runDag(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      start: 'success',
      'load.stage': 'success',
      'load.commit': 'success',
      end: 'success',
    });
    expect(calls).toEqual(['stage', 'commit', 'stage', 'commit', 'stage', 'commit']);
    expect(r.tasks['load.commit']!.attempts).toBe(3);
    expect(r.started).toEqual(['start', 'load.stage', 'load.commit', 'end']);
  });

  it('gives up after the group attempts: the failure stays and flows downstream', async () => {
    const d = dag('group_gives_up', {}, () => {
      const end = task('end', async () => 'done');
      const g = group('load', { retry: { attempts: 2, delay: '5s' } }, () => {
        task('commit', async () => {
          throw new Error('always');
        })();
      });
      g.then(end);
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ 'load.commit': 'failed', end: 'upstream_failed' });
    expect(r.tasks['load.commit']!.attempts).toBe(2);
  });

  it('does not re-run the group for a permanent error (re-running cannot fix it)', async () => {
    let calls = 0;
    const d = dag('group_permanent', {}, () => {
      group('load', { retry: { attempts: 3, delay: '5s' } }, () => {
        task('commit', async () => {
          calls++;
          throw new PermanentError('the input is wrong');
        })();
      });
    });
    const r = await runDag(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ 'load.commit': 'failed' });
    expect(calls).toBe(1);
  });
});

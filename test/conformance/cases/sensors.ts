/**
 * Conformance: sensors on compiled machines. A sensor pokes until its condition holds (true or
 * `{ done: true, output }`), waiting between pokes with a growing interval; on timeout it fails
 * with Updraft.SensorTimeout, or ends skipped with `softFail`. Built-in sensors run through a
 * local override that answers whether the condition is met.
 */
import { expect } from 'vitest';
import { chain, dag, format, runValues, s3KeySensor, sensor, task, timeSensor } from 'updraft';
import { defineCases } from '../case.ts';

export const sensors = defineCases('sensors', (it) => {
  it('true on the 3rd poke: success, poked 3 times, downstream runs after it', async (run) => {
    let pokes = 0;
    const d = dag('sensor_third', {}, () => {
      chain(
        task('before', async () => 1),
        sensor('wait_file', { pokeInterval: '1m', timeout: '1h' }, async () => ++pokes === 3),
        task('after', async () => 'done'),
      );
    });
    const r = await run(d);
    expect(pokes).toBe(3);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ before: 'success', wait_file: 'success', after: 'success' });
    expect(r.tasks.wait_file!.attempts).toBe(3);
    expect(r.started).toEqual(['before', 'wait_file', 'after']);
  });

  it('the output of { done: true, output } flows downstream', async (run) => {
    let pokes = 0;
    const d = dag('sensor_output', {}, () => {
      const found = sensor('find', { pokeInterval: '30s', timeout: '10m' }, async () =>
        ++pokes < 2
          ? { done: false }
          : { done: true, output: { key: 'raw/2026-11-20.csv', size: 42 } },
      )();
      task('load', async (_ctx, f: { key: string; size: number }) => `${f.key}#${f.size}`)(found);
    });
    const r = await run(d);
    expect(r.states).toEqual({ find: 'success', load: 'success' });
    expect(r.tasks.find!.output).toEqual({ key: 'raw/2026-11-20.csv', size: 42 });
    expect(r.tasks.load!.output).toBe('raw/2026-11-20.csv#42');
  });

  it('a plain true makes the output true', async (run) => {
    const d = dag('sensor_true', {}, () => {
      const s = sensor('s', { pokeInterval: '1m', timeout: '5m' }, async () => true)();
      task('echo', async (_ctx, v: boolean) => v)(s);
    });
    const r = await run(d);
    expect(r.tasks.s).toEqual({ state: 'success', attempts: 1, output: true });
    expect(r.tasks.echo!.output).toBe(true);
  });

  it('timeout: failed with Updraft.SensorTimeout, downstream upstream_failed', async (run) => {
    let pokes = 0;
    const d = dag('sensor_timeout', {}, () => {
      chain(
        sensor('never', { pokeInterval: '1m', timeout: '5m' }, async () => {
          pokes++;
          return false;
        }),
        task('after', async () => 1),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('failed');
    expect(r.states).toEqual({ never: 'failed', after: 'upstream_failed' });
    expect(r.tasks.never!.error).toEqual({
      error: 'Updraft.SensorTimeout',
      cause: 'sensor never was not satisfied within 300s',
    });
    // Pokes at 0, 1, 2, 3, 4 and 5 minutes: the last one finds the timeout used up.
    expect(pokes).toBe(6);
    expect(r.started).toEqual(['never']);
  });

  it('a growing poke interval means fewer pokes before the timeout, capped by maxPokeInterval', async (run) => {
    let grow = 0;
    let capped = 0;
    const d = dag('sensor_backoff', {}, () => {
      // Waits 60, 120, 240, 480 s: pokes at 0, 60, 180, 420 and 900 s, when the 15m are used up → 5 pokes.
      sensor('grow', { pokeInterval: '1m', backoff: 2, timeout: '15m' }, async () => {
        grow++;
        return false;
      })();
      // Waits 60, 120, 120, 120 … (cap 2m): 0, 60, 180, 300, 420, 540, 660, 780, 900 → 9 pokes.
      sensor(
        'capped',
        { pokeInterval: '1m', backoff: 2, maxPokeInterval: '2m', timeout: '15m' },
        async () => {
          capped++;
          return false;
        },
      )();
    });
    const r = await run(d);
    expect(r.states).toEqual({ grow: 'failed', capped: 'failed' });
    expect({ grow, capped }).toEqual({ grow: 5, capped: 9 });
  });

  it('softFail: skipped on timeout, downstream skipped, the run succeeds', async (run) => {
    const d = dag('sensor_soft', {}, () => {
      const s = sensor(
        'maybe',
        { pokeInterval: '1m', timeout: '3m', softFail: true },
        async () => false,
      );
      chain(
        s,
        task('after', async () => 1),
        task('after2', async () => 2),
      );
      chain(
        s,
        task('cleanup', { triggerRule: 'all_done' }, async () => 'cleaned'),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({
      maybe: 'skipped',
      after: 'skipped',
      after2: 'skipped',
      cleanup: 'success',
    });
    expect(r.tasks.maybe!.error).toBeUndefined();
  });

  it('a poke that throws fails the sensor (after retries)', async (run) => {
    let pokes = 0;
    const d = dag('sensor_throws', {}, () => {
      sensor(
        's',
        { pokeInterval: '1m', timeout: '1h', retry: { attempts: 2, delay: '1s' } },
        async () => {
          pokes++;
          throw new Error('cannot list bucket');
        },
      )();
    });
    const r = await run(d);
    expect(r.states).toEqual({ s: 'failed' });
    expect(r.tasks.s!.error).toEqual({ error: 'Updraft.TaskFailed', cause: 'cannot list bucket' });
    expect(pokes).toBe(2);
  });

  it('built-in s3KeySensor with an override: pokes until the override answers true', async (run) => {
    const seen: Record<string, unknown>[] = [];
    const d = dag('s3_sensor', {}, () => {
      chain(
        s3KeySensor('landing', {
          bucket: 'lake',
          key: format`raw/${runValues.ds}/orders.csv`,
          pokeInterval: '5m',
          timeout: '1h',
        }),
        task('load', async () => 'loaded'),
      );
    });
    const r = await run(d, {
      overrides: {
        landing: (parameters) => {
          seen.push(parameters);
          return seen.length >= 2;
        },
      },
    });
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ landing: 'success', load: 'success' });
    expect(r.tasks.landing!.output).toBe(true);
    expect(seen).toHaveLength(2);
    expect(r.started).toEqual(['landing', 'load']);
  });

  it('built-in s3KeySensor: the poke receives the bucket and the key resolved for the run', async (run) => {
    const seen: Record<string, unknown>[] = [];
    const d = dag('s3_sensor_params', {}, () => {
      s3KeySensor('landing', {
        bucket: 'lake',
        key: format`raw/${runValues.ds}/orders.csv`,
        pokeInterval: '5m',
        timeout: '1h',
      });
    });
    await run(d, { overrides: { landing: (parameters) => seen.push(parameters) > 0 } });
    expect(JSON.stringify(seen[0])).toContain('"lake"');
    expect(JSON.stringify(seen[0])).toContain('"raw/2026-11-20/orders.csv"');
  });

  it('built-in s3KeySensor that never finds its key times out', async (run) => {
    const d = dag('s3_sensor_timeout', {}, () => {
      s3KeySensor('landing', { bucket: 'lake', key: 'k', pokeInterval: '5m', timeout: '10m' });
    });
    const r = await run(d, { overrides: { landing: () => false } });
    expect(r.states).toEqual({ landing: 'failed' });
    expect(r.tasks.landing!.error).toEqual({
      error: 'Updraft.SensorTimeout',
      cause: 'sensor landing was not satisfied within 600s',
    });
  });

  it('a built-in sensor without an override fails with Updraft.NoLocalOverride', {
    unsupported: {
      engine: 'the engine checks an s3KeySensor against its local S3 folder (the next case)',
    },
  }, async (run) => {
    const d = dag('s3_no_override', {}, () => {
      s3KeySensor('landing', { bucket: 'lake', key: 'k', pokeInterval: '5m', timeout: '10m' });
    });
    const r = await run(d);
    expect(r.states).toEqual({ landing: 'failed' });
    expect(r.tasks.landing!.error).toEqual({
      error: 'Updraft.NoLocalOverride',
      cause: `sensor "landing" (s3KeySensor) has nothing to check on the embedded engine. Give it a local stand-in that answers whether the condition holds: s3KeySensor('landing', { ..., local: (request) => true }), or pass overrides: { 'landing': (request) => true } to runDag() in a test.`,
    });
  });

  it('a built-in s3KeySensor without an override fails saying where the engine looks for the key', {
    unsupported: {
      runMachine:
        'runMachine has no local S3 folder: a built-in sensor without an override has nothing to check (the case before)',
      parts:
        'parts runs on runMachine, which has no local S3 folder: a built-in sensor without an override has nothing to check (the case before)',
    },
  }, async (run) => {
    const d = dag('s3_no_override_engine', {}, () => {
      s3KeySensor('landing', { bucket: 'lake', key: 'k', pokeInterval: '5m', timeout: '10m' });
    });
    const r = await run(d);
    expect(r.states).toEqual({ landing: 'failed' });
    expect(r.tasks.landing!.error).toEqual({
      error: 'Updraft.PermanentError',
      cause: `sensor "landing" checks S3 (s3://lake/k), which the embedded engine cannot reach. Give it a local stand-in: s3KeySensor('landing', { ..., local: (request) => true }), or put the file under .updraft/s3/lake/k.`,
    });
  });

  it('timeSensor succeeds and downstream runs', async (run) => {
    const d = dag('time_sensor', {}, () => {
      const at6 = timeSensor('at_six', { after: '6h' });
      chain(
        at6,
        task('report', async () => 'sent'),
      );
    });
    const r = await run(d);
    expect(r.status).toBe('success');
    expect(r.states).toEqual({ at_six: 'success', report: 'success' });
    expect(r.tasks.at_six!.output).toBe(true);
    expect(r.started).toEqual(['report']);
  });
});

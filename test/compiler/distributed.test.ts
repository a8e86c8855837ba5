/**
 * Where a mapped task's instances run (compiler/map-plan) and what explain says of it: inline for
 * a list written in the DAG, inline or distributed by the list's length for an upstream output,
 * always distributed past 40 at once or with toleratedFailures, inline in a retried group. The
 * lists the task runner may put in the bucket, the history a Distributed Map leaves in the run's
 * execution, and both AWS validators on every machine with Distributed Maps.
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../src/compiler/compile.ts';
import { bucketLists, mapPlans } from '../../src/compiler/map-plan.ts';
import { buildDagIR, dag, group, lambdaInvoke, task } from './imports.ts';
import { aslProblems } from '../support/validate-asl.ts';

const mapper = dag('mapper', {}, () => {
  const files = task('files', async () => ({ keys: ['a', 'b'], other: [1] }))();
  task('each_file', async (_c, k: string) => k).map(files.get('keys'));
  task('literal', async (_c, n: number) => n).map([1, 2, 3]);
  task('wide', { maxConcurrency: 100 }, async (_c, k: string) => k).map(files.get('keys'));
  task('lax', { toleratedFailures: 2 }, async (_c, n: number) => n).map(files.get('other'));
  group('again', { retry: { attempts: 2 } }, () => {
    task('inside', async (_c, k: string) => k).map(files.get('keys'));
  });
});
const { ir } = buildDagIR(mapper, 'mapper.ts');

describe('where mapped instances run', () => {
  it('each mapped task has a plan, and explain says why', () => {
    expect(mapPlans(ir).map((p) => [p.task, p.inDocument, p.fromBucket])).toEqual([
      ['each_file', 'INLINE', true],
      ['literal', 'INLINE', false],
      ['wide', 'DISTRIBUTED', true],
      ['lax', 'DISTRIBUTED', true],
      ['again.inside', 'INLINE', false],
    ]);
    const { maps } = compileDag(ir).analysis;
    expect(maps).toEqual([
      {
        task: 'each_file',
        mode: 'inline or distributed',
        why: 'inline up to 244 items; a longer list goes to the payload bucket and a Distributed Map reads it there (an execution per item, results written back to the bucket)',
      },
      { task: 'literal', mode: 'inline', why: 'inline: its list is written in the DAG' },
      {
        task: 'wide',
        mode: 'distributed',
        why: 'distributed: maxConcurrency 100 is over the 40 instances an inline Map runs at once; a list of over 244 items (or over the inline output limit) is read from the payload bucket',
      },
      {
        task: 'lax',
        mode: 'distributed',
        why: 'distributed: it tolerates failed instances (toleratedFailures), which a Distributed Map counts, starting no more past the threshold; a list of over 244 items (or over the inline output limit) is read from the payload bucket',
      },
      {
        task: 'again.inside',
        mode: 'inline',
        why: 'inline: it is in a retried group, which re-runs in one execution, so its list and results must fit the 256 KiB state document',
      },
    ]);
    // Only lists that always stay in the document bound the items a run can map.
    expect(compileDag(ir).analysis.document.mappedItemsMax.map((m) => m.task)).toEqual([
      'literal',
      'again.inside',
    ]);
  });

  it('the runner may put a list in the bucket only where every task mapping it reads it there, and no operator reads the output', () => {
    // files.keys is mapped by the retried group's task too (inline only): it stays in the document.
    expect(bucketLists(ir)).toEqual(new Map([['files', [['other']]]]));
    const withOperator = buildDagIR(
      dag('op', {}, () => {
        const list = task('list', async () => [1, 2]);
        const l = list();
        task('each', async (_c, n: number) => n).map(l);
        lambdaInvoke('notify', { functionName: 'f', payload: { items: l } });
      }),
      'op.ts',
    ).ir;
    expect(bucketLists(withOperator)).toEqual(new Map());
  });

  it("a Distributed Map adds the Map Run's events to the run's history, its instances each their own", () => {
    const wideOnly = buildDagIR(
      dag('w', {}, () => {
        task(
          'wide',
          { maxConcurrency: 100, retry: { attempts: 3 } },
          async (_c, n: number) => n,
        ).map([1, 2, 3]);
      }),
      'w.ts',
    ).ir;
    const inline = compileDag(wideOnly, {}).analysis;
    expect(inline.history.perMappedInstance).toBe(0);
    expect(inline.history.distributedChild).toBeGreaterThan(0);
    const all = compileDag(ir, { distributedMaps: true }).analysis;
    expect(all.maps.map((m) => m.mode)).toEqual([
      'distributed',
      'distributed',
      'distributed',
      'distributed',
      'inline',
    ]);
  });

  it('every machine with Distributed Maps passes both AWS validators', async () => {
    for (const options of [
      {},
      { distributedMaps: true },
      { distributedMaps: true, maxPartTasks: 2 },
    ]) {
      const c = compileDag(ir, options);
      for (const json of [c.json, ...c.parts.map((p) => p.json)])
        expect(await aslProblems(json)).toEqual([]);
    }
    // A tolerated percentage over a list in the bucket is read at a path (ToleratedFailurePercentagePath).
    const percent = dag('percent', {}, () => {
      const files = task('files', async () => [1, 2, 3]);
      task('lax', { toleratedFailures: '5%' }, async (_c, n: number) => n).map(files());
    });
    const c = compileDag(buildDagIR(percent, 'percent.ts').ir);
    expect(c.json).toContain('"ToleratedFailurePercentagePath": "$.t.lax.tp"');
    expect(await aslProblems(c.json)).toEqual([]);
  });
});

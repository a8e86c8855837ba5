/** The sizes cases on every runner, and the compiled shapes they run (runner-independent). */
import { describe, expect, it } from 'vitest';
import { dag, task } from 'updraft';
import { buildDagIR } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import type { State } from '../../src/compiler/asl.ts';
import { fanOut, sizes } from './cases/sizes.ts';
import { conform } from './conform.ts';

conform(sizes);

describe('sizes: the compiled shapes', () => {
  it('12 branches after 3 outputs of 8 KiB: 11 records merged in the ResultSelector, the 12th by one Pass', () => {
    const compiled = compileDag(buildDagIR(fanOut(12, 8500), 'x.ts').ir);
    expect(compiled.manifest.inlineOutputLimitBytes).toBeGreaterThan(8500);
    const fan = compiled.definition.States['parallel leaf0…'] as Extract<
      State,
      { Type: 'Parallel' }
    >;
    // 11 objects (10 JsonMerge) in `t`, the 12th in `m1`, merged by one Pass.
    expect(Object.keys(fan.ResultSelector as object)).toEqual(['run.$', 't.$', 'm1.$', 'done.$']);
    expect(fan.Next).toBe('parallel leaf0… merge');
    expect(compiled.definition.States['parallel leaf0… merge']).toEqual({
      Type: 'Pass',
      Parameters: {
        'run.$': '$.run',
        't.$': 'States.JsonMerge($.t, $.m1, false)',
        'done.$': '$.done',
      },
      Next: 'run failed?',
    });
  });

  it('130 branches (past 121): two levels of merge Passes, each field within 10 intrinsic functions', () => {
    const compiled = compileDag(buildDagIR(fanOut(130, 10), 'x.ts').ir);
    const first = compiled.definition.States['parallel leaf0… merge'] as Extract<
      State,
      { Type: 'Pass' }
    >;
    const second = compiled.definition.States['parallel leaf0… merge 2'] as Extract<
      State,
      { Type: 'Pass' }
    >;
    expect(Object.keys(first.Parameters as object)).toEqual(['run.$', 't.$', 'm1.$', 'done.$']);
    expect(first.Next).toBe('parallel leaf0… merge 2');
    expect(second.Parameters).toEqual({
      'run.$': '$.run',
      't.$': 'States.JsonMerge($.t, $.m1, false)',
      'done.$': '$.done',
    });
  });

  it('explain bounds the items a mapped task over a list in the DAG can take by the 512-byte inline cap and the document; over an output, none', () => {
    const d = dag('map_bound', {}, () => {
      task('list', async () => [1])();
      task('each', async (_ctx, i: number) => i).map([1, 2]);
    });
    const { ir } = buildDagIR(d, 'x.ts');
    const a = compileDag(ir).analysis;
    // A list an upstream task returns goes to a Distributed Map when it is long (compiler/map-plan).
    const overOutput = dag('map_unbound', {}, () => {
      task('each', async (_ctx, i: number) => i).map(task('list', async () => [1])());
    });
    expect(compileDag(buildDagIR(overOutput, 'x.ts').ir).analysis.document.mappedItemsMax).toEqual(
      [],
    );
    // 256 KiB less the other records at their cap (two tasks: 600 + 2 × 64 + ids + one 32 KiB cap), per 536 bytes.
    expect(a.document.mappedOutputLimitBytes).toBe(512);
    expect(a.document.mappedItemsMax).toEqual([
      { task: 'each', items: Math.floor((262_144 - (600 + 2 + 4 + 4 + 2 * 64 + 32_768)) / 536) },
    ]);
  });
});

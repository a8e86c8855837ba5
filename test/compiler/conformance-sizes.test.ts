/**
 * Conformance: state size under Parallel and Map. A wide fan-out after tasks with large outputs
 * runs within 256 KiB because only one branch returns the document (the others return their own
 * records), and its merge stays within 10 intrinsic functions per field; the engine enforces both
 * as AWS does (test/engine/cloud-limits), so the old shapes fail here.
 */
import { describe, expect, it } from 'vitest';
import { dag, task } from './imports.ts';
import { runDag } from './harness.ts';
import { buildDagIR } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import type { State } from '../../src/compiler/asl.ts';

const fanOut = (width: number, bytes: number) =>
  dag(`fan_${width}`, {}, () => {
    const a = task('a', async () => 'a'.repeat(bytes))();
    const b = task('b', async () => 'b'.repeat(bytes))();
    const c = task('c', async () => 'c'.repeat(bytes))();
    a.then(b).then(c);
    for (let i = 0; i < width; i++) c.then(task(`leaf${i}`, async () => i));
  });

describe('conformance: sizes under Parallel', () => {
  it('12 branches after 3 outputs of 8 KiB (12 × the document would be 300 KiB) run, merging in two steps', async () => {
    const d = fanOut(12, 8500);
    const { ir } = buildDagIR(d, 'x.ts');
    const compiled = compileDag(ir);
    expect(compiled.manifest.inlineOutputLimitBytes).toBeGreaterThan(8500);
    const fan = compiled.definition.States['parallel leaf0…'] as Extract<State, { Type: 'Parallel' }>;
    // 11 objects (10 JsonMerge) in `t`, the 12th in `m1`, merged by one Pass.
    expect(Object.keys(fan.ResultSelector as object)).toEqual(['run.$', 't.$', 'm1.$', 'done.$']);
    expect(fan.Next).toBe('parallel leaf0… merge');
    expect(compiled.definition.States['parallel leaf0… merge']).toEqual({ Type: 'Pass', Parameters: { 'run.$': '$.run', 't.$': 'States.JsonMerge($.t, $.m1, false)', 'done.$': '$.done' }, Next: 'run failed?' });
    const r = await runDag(d);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('success');
    expect(Object.values(r.states).every((s) => s === 'success')).toBe(true);
    expect(Object.keys(r.states)).toHaveLength(15);
    expect(r.tasks.leaf11!.output).toBe(11);
    expect(r.tasks.c!.output).toBe('c'.repeat(8500));
    expect(r.transitions).toBe(19); // a, b, c, the Parallel, 12 leaves, the merge, run failed?, run succeeded
  });

  it('130 branches (past 121) merge through two levels of merge Passes, each field within 10 intrinsic functions', async () => {
    const d = fanOut(130, 10);
    const { ir } = buildDagIR(d, 'x.ts');
    const compiled = compileDag(ir);
    const first = compiled.definition.States['parallel leaf0… merge'] as Extract<State, { Type: 'Pass' }>;
    const second = compiled.definition.States['parallel leaf0… merge 2'] as Extract<State, { Type: 'Pass' }>;
    expect(Object.keys(first.Parameters as object)).toEqual(['run.$', 't.$', 'm1.$', 'done.$']);
    expect(first.Next).toBe('parallel leaf0… merge 2');
    expect(second.Parameters).toEqual({ 'run.$': '$.run', 't.$': 'States.JsonMerge($.t, $.m1, false)', 'done.$': '$.done' });
    const r = await runDag(d);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('success');
    expect(Object.keys(r.states)).toHaveLength(133);
    expect(r.tasks.leaf129!.output).toBe(129);
  });

  it('11 branches merge in the ResultSelector alone (10 intrinsic functions)', async () => {
    const d = fanOut(11, 10);
    const r = await runDag(d);
    expect(r.status).toBe('success');
    expect(r.transitions).toBe(17); // no merge Pass
  });
});

describe('conformance: sizes under Map', () => {
  it('200 instances returning 2 KiB each (400 KiB) run: outputs over 512 bytes go to the payload store, downstream reads them whole', async () => {
    const d = dag('map_big', {}, () => {
      const list = task('list', async () => Array.from({ length: 200 }, (_, i) => i))();
      const each = task('each', async (_ctx, i: number) => String(i % 10).repeat(2000));
      const total = task('total', async (_ctx, outs: string[]) => outs.reduce((n, o) => n + o.length, 0));
      total(each.map(list));
    });
    const r = await runDag(d);
    expect(r.error).toBeUndefined();
    expect(r.states).toEqual({ list: 'success', each: 'success', total: 'success' });
    expect(r.tasks.total!.output).toBe(400_000);
  });

  it('explain bounds the items a mapped task can take by the 512-byte inline cap and the document', () => {
    const d = dag('map_bound', {}, () => {
      const list = task('list', async () => [1])();
      task('each', async (_ctx, i: number) => i).map(list);
    });
    const { ir } = buildDagIR(d, 'x.ts');
    const a = compileDag(ir).analysis;
    // 256 KiB less the other records at their cap (two tasks: 600 + 2 × 64 + ids + one 32 KiB cap), per 536 bytes.
    expect(a.document.mappedOutputLimitBytes).toBe(512);
    expect(a.document.mappedItemsMax).toEqual([{ task: 'each', items: Math.floor((262_144 - (600 + 2 + 4 + 4 + 2 * 64 + 32_768)) / 536) }]);
  });
});


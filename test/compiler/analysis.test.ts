/**
 * `updraft explain`'s transition count of an all-success run (what Standard workflows bill) is a
 * walk over the compiled machine; here it must equal what the engine counts running that machine,
 * for shapes with forks, a mapped task (10 instances, as explain assumes) and an operator.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { dag, lambdaInvoke, task, type Dag } from './imports.ts';
import { runDag } from './harness.ts';

const shapes: Record<string, () => Dag> = {
  chain: () =>
    dag('chain3', {}, () => {
      const a = task('a', async () => 1)();
      const b = task('b', async (_c, x: number) => x + 1)(a);
      task('c', async (_c, x: number) => x + 1)(b);
    }),
  diamond: () =>
    dag('diamond', {}, () => {
      const a = task('a', async () => 1)();
      const b = task('b', async (_c, x: number) => x)(a);
      const c = task('c', async (_c, x: number) => x)(a);
      task('d', async (_c, x: number, y: number) => x + y)(b, c);
    }),
  'mapped, 10 items': () =>
    dag('mapped10', {}, () => {
      const list = task('list', async () => Array.from({ length: 10 }, (_, i) => i))();
      const each = task('each', async (_c, n: number) => n * 2).map(list);
      task('sum', async (_c, xs: number[]) => xs.length)(each);
    }),
  operator: () =>
    dag('op', {}, () => {
      const inv = lambdaInvoke<{ n: number }>('inv', { functionName: 'f' });
      task('after', async (_c, v: { n: number }) => v.n)(inv);
    }),
  // A mapped task's state is known only at run time: the operator after it is behind a gate.
  'operator behind a gate': () =>
    dag('gated_op', {}, () => {
      const each = task('each', async (_c, n: number) => n).map([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      each.then(lambdaInvoke('inv', { functionName: 'f' }));
    }),
};

describe('explain counts the transitions the engine runs', () => {
  it.each(Object.keys(shapes))('%s', async (name) => {
    const d = shapes[name]!();
    const predicted = compileDag(buildDagIR(d, 'x.ts').ir).analysis.transitions.allSuccess;
    const r = await runDag(d, { overrides: { inv: () => ({ Payload: { n: 1 } }) } });
    expect(r.status).toBe('success');
    expect(predicted).toBe(r.transitions);
  });
});

import { it } from 'vitest';
import { chain, dag, task } from './imports.ts';
import { runDag } from './harness.ts';
it('probe', async () => {
  const d = dag('timeout', {}, () => {
    chain(task('slow', { timeout: '1s' }, async () => { await new Promise((r) => setTimeout(r, 1500)); return 1; }), task('after', async () => 1));
  });
  const r = await runDag(d);
  console.log(JSON.stringify(r.tasks));
});

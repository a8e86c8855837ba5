/**
 * A mapped task over long lists, end to end on the embedded engine (`runDag` of updraft/testing:
 * the SQLite store, task code in process): at each list length, whether the instances ran inline
 * or as a Distributed Map's child executions, the run's own history events, the transitions per
 * instance, and the wall time per instance against the raw interpreter running one Pass state
 * in the same process (the reference). Inline, a few hundred instances fill the 256 KiB
 * document (a Map's result holds every answer) and 25,000 history events; distributed, the
 * run's history stays at a few dozen events whatever the length. Prints a Markdown table.
 *
 *   npx tsx bench/distributed.ts      # ≈ 1 min on 2 cores
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { dag, task } from '../src/sdk/index.ts';
import { runDag } from '../src/testing/index.ts';

const LENGTHS = [100, 244, 245, 1000, 5000, 20000];

/** The raw interpreter: ms per execution of a one-Pass machine (the same process, the same run). */
async function reference(): Promise<number> {
  const machine = new StateMachine(
    { StartAt: 'p', States: { p: { Type: 'Pass', End: true } } } as never,
    { validationOptions: { noValidate: true } as never },
  );
  const n = 500;
  const t = performance.now();
  for (let i = 0; i < n; i++) await machine.run({} as never).result;
  return (performance.now() - t) / n;
}

const ref = await reference();
const rows = [
  "| items | Map | run history events | transitions per instance (the run's other states too) | ms per instance | × raw interpreter per execution |",
  '|---|---|---|---|---|---|',
];
for (const n of LENGTHS) {
  const d = dag(`map_${n}`, {}, () => {
    const list = task('list', async () =>
      Array.from({ length: n }, (_, i) => `inbox/file-${i}.csv`),
    );
    const each = task('each', async (_c, key: string) => key.length);
    task('total', async (_c, xs: number[]) => xs.reduce((a, b) => a + b, 0))(each.map(list()));
  });
  const t = performance.now();
  const r = await runDag(d, { date: '2026-11-20', env: {} });
  const ms = performance.now() - t;
  if (r.status !== 'success') throw new Error(`${n} items: ${r.status} ${JSON.stringify(r.error)}`);
  const distributed =
    typeof r.tasks.list?.output === 'object' && !Array.isArray(r.tasks.list?.output);
  console.error(`${n} items: ${(ms / 1000).toFixed(1)} s`);
  rows.push(
    `| ${n.toLocaleString('en-US')} | ${distributed ? 'distributed' : 'inline'} | ${r.historyEvents.toLocaleString('en-US')} | ${(r.transitions / n).toFixed(2)} | ${(ms / n).toFixed(2)} | ${(ms / n / ref).toFixed(1)} |`,
  );
}
console.log(`Reference: the raw interpreter runs a one-Pass machine in ${ref.toFixed(3)} ms.\n`);
console.log(rows.join('\n'));

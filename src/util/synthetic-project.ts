/**
 * @module util/synthetic-project
 * A project folder with many generated DAGs, for the synth-at-scale test and bench: one DAG file
 * exporting `count` DAGs (each an extract → 4-way fan-out → join → load chain with a connection
 * and a daily cron), the way teams generate DAGs from config. The folder lives inside the
 * repository so the files' `import 'updraft'` resolves to this package.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeSyntheticProject(root: string, count: number): Promise<string> {
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, 'dags'), { recursive: true });
  const source = `import { chain, cron, dag, task } from 'updraft';

export default Array.from({ length: ${count} }, (_, i) =>
  dag(\`synthetic_\${String(i).padStart(4, '0')}\`, { schedule: cron(\`\${i % 60} \${i % 24} * * *\`, { timezone: 'UTC' }), startDate: '2026-01-01', catchup: false }, () => {
    const extract = task('extract', { connections: [\`source_\${i % 10}\`], retry: { attempts: 3, delay: '1m' } }, async (ctx) => ({ rows: i, ds: ctx.ds }));
    const parts = [0, 1, 2, 3].map((p) => task(\`part_\${p}\`, async (_ctx, e: { rows: number }) => ({ rows: e.rows + p })));
    const join = task('join', async () => ({ ok: true }));
    const load = task('load', { connections: ['warehouse'] }, async () => ({ loaded: true }));
    const e = extract();
    chain(parts.map((p) => p(e)), join(), load());
  }),
);
`;
  await writeFile(path.join(root, 'dags', 'synthetic.ts'), source);
  return root;
}

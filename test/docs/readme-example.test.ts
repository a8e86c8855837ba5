/**
 * The DAG README.md shows under "A DAG" loads without a problem and runs as the README says:
 * the test takes the code from the README itself, so the two cannot drift apart.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runDag } from 'updraft/testing';
import { loadProject } from '../../src/loader/load-project.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repository (git-ignored test/.tmp-*), so the DAG file's `import 'updraft'` resolves.
const project = mkdtempSync(path.join(root, 'test', '.tmp-readme-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

it("README.md's DAG validates and runs: extract → check → load, all succeed", async () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## A DAG\n'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, 'README.md has a ```ts block under "## A DAG"').toBeDefined();
  mkdirSync(path.join(project, 'dags'));
  writeFileSync(path.join(project, 'dags', 'orders.ts'), code!);

  const loaded = await loadProject('dags', { root: project });
  expect(loaded.problems).toEqual([]);
  expect(loaded.dags.map((d) => d.ir.id)).toEqual(['orders']);

  const r = await runDag(loaded.dags[0]!.dag, {
    date: '2026-11-20',
    env: { UPDRAFT_CONN_WAREHOUSE: 'postgres://etl:pw@localhost:5432/dw' },
  });
  expect(r.status).toBe('success');
  expect(r.runId).toBe('orders-2026-11-20T01-00-00Z');
  expect(r.states).toEqual({ extract: 'success', check: 'success', load: 'success' });
});

import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { loadProject } from '../../src/loader/load-project.ts';
import { formatProblem } from '../../src/ir/problems.ts';

it('dump', async () => {
  const base = path.resolve('test/fixtures/invalid');
  const out: string[] = [];
  for (const c of readdirSync(base).sort()) {
    const r = await loadProject('.', { root: path.join(base, c) });
    out.push(`=== ${c} files=${JSON.stringify(r.files)}`);
    for (const p of r.problems) out.push(JSON.stringify(p), formatProblem(p));
  }
  writeFileSync('/tmp/dump.txt', out.join('\n'));
});

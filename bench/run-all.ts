/**
 * Runs every bench script in this folder in turn (each prints a Markdown table).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && f !== 'shapes.ts')
  .sort()) {
  console.log(`\n## ${file}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exitCode = 1;
}

/**
 * Runs npm scripts at the same time and fails if any fails: `npm test` checks types and lint
 * together. Each runs on one core (tsc ~25 s, eslint ~11 s of CPU, measured on the 2-core machine),
 * so side by side they take as long as the longer one instead of both. Each script's output is
 * printed whole when it ends, in the order given, so the two never interleave.
 *
 *   node scripts/parallel.mjs typecheck lint
 */
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) =>
      resolve({ script, code: 1, output: Buffer.from(`${error.message}\n`) }),
    );
    child.on('close', (code, signal) =>
      resolve({ script, code: code ?? (signal ? 1 : 0), output: Buffer.concat(output) }),
    );
  });
}

const results = await Promise.all(scripts.map(run));
for (const { script, code, output } of results) {
  process.stdout.write(output);
  if (code !== 0) process.stdout.write(`✖ npm run ${script} failed (exit ${code})\n`);
}
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;

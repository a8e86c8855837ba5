#!/usr/bin/env node
// The `updraft` command. Runs the CLI built into dist/ at install time (npm's `prepare`); DAG
// files (TypeScript) load directly. Needs Node 24; `npx updraft` uses the
// project's pinned Node 24.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `✖ updraft needs Node.js 24 or newer, but this is ${process.version}.\n` +
      '    ↳ run it through npm (npx updraft …, npm run …), which uses the Node 24 pinned in devDependencies, or install Node 24.',
  );
  process.exit(1);
}
// `updraft list --json | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const src = fileURLToPath(new URL('../src/', import.meta.url));
const stamp = fileURLToPath(new URL('../dist/.built', import.meta.url));
if (isStale()) {
  const { rebuild } = await import('../scripts/rebuild.mjs');
  await rebuild();
}
// DAG files are TypeScript: in-thread hooks transform them, cached (see src/loader/ts-hooks.ts).
const { installTypeScriptHooks } = await import('../dist/ts-hooks.js');
installTypeScriptHooks();
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));

/** No build, or a source file changed after it (someone works on Updraft itself): ≈ 2 ms to check. */
function isStale() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return true;
  }
  const newer = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = `${dir}${entry.name}`;
      if (entry.isDirectory() ? newer(`${full}/`) : fs.statSync(full).mtimeMs > built) return true;
    }
    return false;
  };
  try {
    return newer(src);
  } catch {
    return false; // no sources shipped: the build is all there is
  }
}

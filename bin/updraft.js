#!/usr/bin/env node
// The `updraft` command. Runs the CLI built into dist/ at install time (npm's `prepare`); DAG
// files (TypeScript) load directly. Needs Node 24; `npx updraft` uses the
// project's pinned Node 24.

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

// Working on Updraft itself, a source file newer than the build rebuilds dist/ first.
const { loadBuiltCli } = await import('../scripts/rebuild.mjs');
const main = await loadBuiltCli();
process.exitCode = await main(process.argv.slice(2));

/**
 * Rebuilds `dist/` for `bin/updraft.js` when the sources changed after the last build, once even
 * when many `updraft` processes start at once: the first takes `dist/.building` (created
 * exclusively, holding its pid), the others wait for it to finish — or take over at once when
 * that process is gone (killed mid-build). Old chunks are never deleted here, so a process still
 * loading the previous build finds its files (their names carry content hashes).
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DIST, STAMP, UI_INDEX, UI_SRC, buildDist, buildUi } from './build.mjs';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The CLI's `main` as `npx updraft` runs it: `dist/` brought up to date, DAG files loading through
 * the cached TypeScript hooks (src/loader/ts-hooks.ts). For bin/updraft.js and `npm start`.
 */
export async function loadBuiltCli() {
  await ensureBuilt();
  const { installTypeScriptHooks } = await import('../dist/ts-hooks.js');
  installTypeScriptHooks();
  return (await import('../dist/cli.js')).main;
}

/** Rebuilds `dist/` if it is missing or older than a file under `src/` (≈ 2 ms to check), and the UI if one of its sources changed. */
export async function ensureBuilt() {
  if (isStale()) await rebuild();
  if (uiStale()) await buildUi();
}

/** The UI's build is missing or older than a file under `ui/` (a checkout of Updraft itself). */
function uiStale() {
  if (!fs.existsSync(UI_SRC)) return false; // no UI sources shipped: the build is all there is
  let built = 0;
  try {
    built = fs.statSync(UI_INDEX).mtimeMs;
  } catch {
    return true;
  }
  const newer = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const full = `${dir}/${entry.name}`;
      return entry.isDirectory() ? newer(full) : fs.statSync(full).mtimeMs > built;
    });
  return newer(UI_SRC);
}

function isStale() {
  const built = stampTime();
  if (built === 0) return true;
  const newer = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = `${dir}${entry.name}`;
      if (entry.isDirectory() ? newer(`${full}/`) : fs.statSync(full).mtimeMs > built) return true;
    }
    return false;
  };
  try {
    return newer(SRC);
  } catch {
    return false; // no sources shipped: the build is all there is
  }
}

const LOCK = `${DIST}.building`;
const STALE_LOCK_MS = 60_000;

export async function rebuild() {
  fs.mkdirSync(DIST, { recursive: true });
  const before = stampTime();
  for (;;) {
    let fd;
    try {
      fd = fs.openSync(LOCK, 'wx');
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (builderGone(LOCK) || Date.now() - lockTime() > STALE_LOCK_MS)
        fs.rmSync(LOCK, { force: true }); // its builder died
      await new Promise((r) => setTimeout(r, 50));
      if (stampTime() > before) return; // another process built it meanwhile
      continue;
    }
    try {
      fs.writeSync(fd, `${process.pid} ${os.hostname()}\n`);
      if (stampTime() > before) return;
      await buildDist();
      return;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(LOCK, { force: true });
    }
  }
}

/** The lock's builder was killed (kill -9 leaves the lock behind): its process is gone from this host. */
export function builderGone(lock) {
  let owner;
  try {
    owner = fs.readFileSync(lock, 'utf8').trim().split(' ');
  } catch {
    return false;
  }
  const pid = Number(owner[0]);
  if (!Number.isInteger(pid) || pid <= 0 || owner[1] !== os.hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return e.code === 'ESRCH';
  }
}

function stampTime() {
  try {
    return fs.statSync(STAMP).mtimeMs;
  } catch {
    return 0;
  }
}

function lockTime() {
  try {
    return fs.statSync(LOCK).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * `updraft validate` end to end: in process through `main(argv, io)` with captured output, and
 * once through the real binary (`bin/updraft.js`, tsx) to prove the exit code of the process and
 * that no stack trace reaches the user. The cwd is test/fixtures, never the repository root (whose
 * updraft.connections.json, a user's, must not change what these tests see); paths are relative to it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const FIXTURES = `${REPO}/test/fixtures`;
const BROKEN = 'invalid/_cli-project';
const SYNTAX_ERROR = 'invalid/_syntax-error';

/** A stack frame as Node prints it. */
const STACK_FRAME = '    at ';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function validate(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    color: false,
    cwd: FIXTURES,
    now: () => new Date('2026-03-01T00:00:00Z'),
  };
  const code = await main(['validate', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Everything `updraft validate --dags invalid/_cli-project` prints: 5 errors and 1 warning in 3 files, one file valid. */
const BROKEN_OUTPUT = [
  `✖ the DAG file failed to load: Cannot read properties of undefined (reading 'tables')  → ${BROKEN}/broken.ts:4`,
  '    ↳ fix the error above; the file is imported to find its DAGs, so code at its top level runs',
  `✖ orders › load: trigger rule "all_sucess" is not one of Airflow's (did you mean "all_success"?)  → ${BROKEN}/orders.ts:5`,
  '    ↳ use one of: all_success, all_failed, all_done, all_skipped, one_success, one_failed, one_done, none_failed, none_failed_min_one_success, none_skipped, always',
  `⚠ orders › audit: task "audit" is declared but never called, so it is not part of the DAG  → ${BROKEN}/orders.ts:6`,
  '    ↳ call it in the build function (audit()) or remove it',
  `✖ orders › extract: has a cycle: extract → load → extract  → ${BROKEN}/orders.ts:4`,
  '    ↳ a DAG cannot loop back; remove one of these dependencies (e.g. load → extract)',
  `✖ reports: cron expression "0 0 6 * * *" is not valid: has 6 fields but a cron expression has 5 (minute hour day-of-month month day-of-week); remove the seconds field (AWS-style year fields are not supported either)  → ${BROKEN}/reports.ts:3`,
  `    ↳ write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 2 * * *' for 02:00 daily`,
  `✖ reports › export_ready: sensor "export_ready" has no timeout, so it could poke forever  → ${BROKEN}/reports.ts:4`,
  `    ↳ add timeout: '6h' (and softFail: true to skip instead of fail when it runs out)`,
  '',
  '✖ 5 errors and 1 warning in 3 files',
].join('\n');

describe('updraft validate (in process)', () => {
  it('prints every problem with its hint and a summary, and exits 1, on a folder of broken DAG files', async () => {
    const run = await validate('--dags', BROKEN);

    expect(run.code).toBe(1);
    expect(run.out).toBe(BROKEN_OUTPUT);
    expect(run.err).toBe('');
    expect(run.out).not.toContain(STACK_FRAME);
  });

  it('prints { ok: false, … } as JSON with --json', async () => {
    const run = await validate('--dags', BROKEN, '--json');
    const report = JSON.parse(run.out) as {
      ok: boolean;
      files: string[];
      dags: string[];
      errors: number;
      warnings: number;
      problems: { code: string; file?: string }[];
    };

    expect(run.code).toBe(1);
    expect(report).toMatchObject({
      ok: false,
      files: [
        `${BROKEN}/broken.ts`,
        `${BROKEN}/ok.ts`,
        `${BROKEN}/orders.ts`,
        `${BROKEN}/reports.ts`,
      ],
      dags: ['ok_report', 'orders', 'reports'],
      errors: 5,
      warnings: 1,
    });
    expect(report.problems.map((p) => [p.code, p.file])).toEqual([
      ['import-failed', `${BROKEN}/broken.ts:4`],
      ['unknown-trigger-rule', `${BROKEN}/orders.ts:5`],
      ['unused-task', `${BROKEN}/orders.ts:6`],
      ['cycle', `${BROKEN}/orders.ts:4`],
      ['invalid-cron', `${BROKEN}/reports.ts:3`],
      ['sensor-without-timeout', `${BROKEN}/reports.ts:4`],
    ]);
    expect(run.out).not.toContain(REPO);
  });

  it('says the example DAGs are valid and exits 0', async () => {
    const run = await validate('--dags', 'examples/dags');

    expect(run).toEqual({ code: 0, out: '✔ 9 DAGs in 7 files valid', err: '' });
  });

  it('exits 1 with one line, no stack trace, when the DAG folder does not exist', async () => {
    const run = await validate('--dags', 'no-such-folder');

    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toMatch(
      /^✖ DAG folder "no-such-folder" does not exist \(looked in .+\)\. Create it, or point to yours with --dags DIR\.$/,
    );
  });
});

describe('updraft validate (the real binary)', () => {
  const updraft = (dags: string) =>
    spawnSync(process.execPath, [`${REPO}/bin/updraft.js`, 'validate', '--dags', dags], {
      cwd: FIXTURES,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('exits 1 and prints the same problems, without a stack trace, on broken DAG files', () => {
    const run = updraft(BROKEN);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`${BROKEN_OUTPUT}\n`);
    expect(run.stderr).not.toContain(STACK_FRAME);
    expect(run.stdout).not.toContain(STACK_FRAME);
  });

  it('exits 1 without a stack trace on a DAG file that does not parse', () => {
    const run = updraft(SYNTAX_ERROR);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('✖ the DAG file failed to load: Transform failed with 1 error:');
    expect(run.stdout).toContain(`→ ${SYNTAX_ERROR}/dag.ts:4`);
    expect(run.stdout).toContain('✖ 1 error in 1 file');
    expect(`${run.stdout}${run.stderr}`).not.toContain(STACK_FRAME);
  });

  // Before: exit 0 with no output at all (the file's process.exit ended updraft).
  it('exits 1 and names the file and line when a DAG file calls process.exit while loading', () => {
    const dags = 'invalid/import-process-exit';
    const run = updraft(dags);

    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 1,
      stdout: [
        `✖ the DAG file called process.exit(1) while loading, which would end updraft itself  → ${dags}/dag.ts:3`,
        '    ↳ remove the process.exit call (throw an Error to fail instead): the file is imported to find its DAGs and again to run each task, so code at its top level must not end the process',
        '',
        '✖ 1 error in 1 file',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  // Before: Node's "unsettled top-level await" warning and exit 13. Said as soon as nothing is left to wait on
  // (were it to wait instead, the test would fail by its timeout: no wall-clock bound here, it fails under load).
  it('exits 1 and names the await when a DAG file never finishes loading', () => {
    const dags = 'invalid/import-never-settles';
    const run = updraft(dags);

    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 1,
      stdout: [
        `✖ the DAG file never finished loading: a top-level await is waiting for a promise that can never settle (nothing is left for it to wait on)  → ${dags}/dag.ts:3`,
        '    ↳ make the awaited promise settle, or move the work into a task: the file is imported to find its DAGs and again to run each task, so its top level must finish quickly',
        '',
        '✖ 1 error in 1 file',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('updraft run of a DAG whose file called process.exit names that file, exits 1 and writes nothing', () => {
    const project = `${REPO}/test/fixtures/invalid/import-process-exit`;
    const run = spawnSync(
      process.execPath,
      [`${REPO}/bin/updraft.js`, 'run', 'import_process_exit', '--dags', '.'],
      { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );

    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        '✖ DAG "import_process_exit" not found in ./',
        '    ↳ dag.ts did not load (called process.exit(1) while loading, which would end updraft itself), so the DAGs it declares are unknown; updraft validate shows how to fix it',
        '',
      ].join('\n'),
    });
    expect(readdirSync(project)).toEqual(['dag.ts']);
  });

  // Before: exit 2, "Internal error in Updraft (a bug, not your DAG)" and a stack trace from the compiler.
  it('exits 1 with the cross-DAG way to say it when then()/chain() link tasks of two DAGs', () => {
    const dags = 'invalid/cross-dag-edge';
    const run = updraft(dags);

    expect(run.status).toBe(1);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      `✖ report › build: task "load" of DAG "orders" is set to run before task "build" of DAG "report", but then() and chain() only connect tasks of the same DAG  → ${dags}/dag.ts:11`,
      `    ↳ to make DAG "report" wait for DAG "orders", put externalDagSensor('wait_for_orders', { dagId: 'orders', taskId: 'load', pokeInterval: '5m', timeout: '6h' }) in "report" before task "build"; or start "report" from "orders" with triggerDag()`,
    ]);
    expect(run.stdout).toContain('✖ 2 errors in 1 file');
    expect(`${run.stdout}${run.stderr}`).not.toContain(STACK_FRAME);
  });

  // tsx/esbuild names the file by absolute path; like `file`, it is made relative to the root.
  it('names a file that does not parse relative to the project root', () => {
    const run = updraft(SYNTAX_ERROR);

    expect(run.stdout).toContain(`${SYNTAX_ERROR}/dag.ts:4:38: ERROR: Expected ";" but found ")"`);
    expect(run.stdout).not.toContain(REPO);
  });
});

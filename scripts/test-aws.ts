/**
 * Opt-in end-to-end check on a real AWS account (`npm run test:aws`, never part of `npm test`):
 * deploys a throwaway Updraft environment with the DAGs of test/fixtures/aws-suite, runs them
 * through the CLI as a user would, checks what the runs recorded, then destroys the stacks.
 *
 *   UPDRAFT_TEST_AWS_ENV=staging AWS_PROFILE=sandbox npm run test:aws
 *
 * - `aws_suite`: a mapped task, a triggerDag that waits for `aws_suite_child`, a sensor; must succeed.
 * - `aws_suite_flaky`: fails on its first try, then `updraft retry` resumes it as execution
 *   `<runId>-r2`, which hands `first`'s output back and runs `second` again: must succeed with
 *   `first` tried once.
 * - `aws_suite_wide`: a Distributed Map over 300 items (ItemReader, child executions,
 *   ResultWriter, `ToleratedFailurePercentagePath`): must succeed with the 2 failed instances
 *   tolerated (null outputs).
 * - `updraft logs` has the tasks' lines; `updraft doctor` finds the dead-letter queue empty.
 *
 * UPDRAFT_TEST_AWS_ENV names the environment (dev, staging or prod) to deploy and destroy: the
 * suite refuses one that already has state machines in the account, so it never touches a live
 * deployment. Without credentials or without that variable it prints one line saying why it
 * skipped and exits 0. It costs a few cents (Lambda, Step Functions, DynamoDB on demand).
 *
 * It has NOT been run in the project's own environment, which reaches no AWS account.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DAGS = 'test/fixtures/aws-suite/dags';

/** Why the suite cannot run here, or undefined. Reads no network: environment and files only. */
export function skipReason(
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string | undefined {
  const credentials =
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    existsSync(path.join(home, '.aws', 'credentials')) ||
    existsSync(path.join(home, '.aws', 'config'));
  if (!credentials)
    return 'test:aws skipped: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID); it deploys a throwaway environment, runs DAGs on it and destroys it';
  const target = env.UPDRAFT_TEST_AWS_ENV;
  if (!target)
    return 'test:aws skipped: set UPDRAFT_TEST_AWS_ENV=dev|staging|prod to an environment not deployed in this account (the suite deploys it, then destroys it)';
  if (!['dev', 'staging', 'prod'].includes(target))
    return `test:aws skipped: UPDRAFT_TEST_AWS_ENV is "${target}"; use dev, staging or prod`;
  return undefined;
}

function sh(
  command: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): { code: number; out: string; err: string } {
  const r = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...extraEnv },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

function must(what: string, r: { code: number; out: string; err: string }): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.out}${r.err}`);
  return r.out;
}

function check(what: string, ok: boolean, detail = ''): void {
  console.log(`${ok ? '✔' : '✖'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) process.exitCode = 1;
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the opt-in AWS suite as a script, step after step
async function main(): Promise<void> {
  const reason = skipReason();
  if (reason) {
    console.log(reason);
    return;
  }
  const env = process.env.UPDRAFT_TEST_AWS_ENV!;
  const cli = (...args: string[]) =>
    sh('npx', ['updraft', ...args, '--dags', DAGS, '--target', 'aws', '--env', env]);
  const cdk = (...args: string[]) =>
    sh('npx', ['cdk', ...args, '-c', `env=${env}`, '--no-notices'], {
      UPDRAFT_DAGS: DAGS,
      UPDRAFT_PLACEMENT_DIR: 'none',
    });

  const { SFNClient, ListStateMachinesCommand } = await import('@aws-sdk/client-sfn');
  const machines =
    (await new SFNClient({}).send(new ListStateMachinesCommand({ maxResults: 1000 })))
      .stateMachines ?? [];
  const live = machines.filter((m) => m.name?.startsWith(`updraft-${env}-`));
  if (live.length > 0) {
    console.log(
      `test:aws refused: environment ${env} is deployed in this account (${live.map((m) => m.name).join(', ')}); pick an environment that is not`,
    );
    process.exitCode = 1;
    return;
  }

  console.log(`deploying environment ${env} with ${DAGS} …`);
  try {
    must('cdk deploy', cdk('deploy', '--all', '--require-approval', 'never'));
    const date = '2026-11-20';
    const runOf = (dagId: string) => `${dagId}-${date}T00-00-00Z`;
    must('trigger aws_suite', cli('trigger', 'aws_suite', '--date', date));
    must('trigger aws_suite_flaky', cli('trigger', 'aws_suite_flaky', '--date', date));
    must('trigger aws_suite_wide', cli('trigger', 'aws_suite_wide', '--date', date));

    type Shown = {
      status: string;
      attempt: number;
      tasks: Record<string, { state: string; tries: number; output?: unknown }>;
    };
    const show = (runId: string) =>
      JSON.parse(must(`show ${runId}`, cli('show', runId, '--json'))) as Shown;
    const settle = async (runId: string) => {
      for (let i = 0; i < 120; i++) {
        const run = show(runId);
        if (run.status === 'success' || run.status === 'failed') return run;
        await new Promise((r) => setTimeout(r, 5000));
      }
      throw new Error(`run ${runId} did not end within 10 minutes`);
    };

    const suite = await settle(runOf('aws_suite'));
    check(
      'aws_suite succeeds (mapped task, triggerDag with wait, sensor)',
      suite.status === 'success',
      suite.status,
    );
    const states = Object.entries(suite.tasks);
    check(
      'every task of aws_suite succeeded',
      states.length === 5 && states.every(([, t]) => t.state === 'success'),
      states.map(([id, t]) => `${id}:${t.state}`).join(' '),
    );

    const flaky = await settle(runOf('aws_suite_flaky'));
    check('aws_suite_flaky fails on its first try', flaky.status === 'failed', flaky.status);
    // `second` fails in place: its Catch writes the error as its state ($.t.second.s).
    check(
      'its failed task is recorded failed',
      flaky.tasks.second?.state === 'failed',
      `second: ${flaky.tasks.second?.state}`,
    );
    must('retry aws_suite_flaky', cli('retry', runOf('aws_suite_flaky')));
    const resumed = await settle(runOf('aws_suite_flaky'));
    check(
      'retry resumes it to success as execution 2',
      resumed.status === 'success' && resumed.attempt === 2,
      `${resumed.status}, attempt ${resumed.attempt}`,
    );
    const first = resumed.tasks.first;
    check(
      'the task that succeeded was not run again',
      first?.tries === 1,
      `first: ${first?.tries} tries`,
    );

    const wide = await settle(runOf('aws_suite_wide'));
    check(
      'aws_suite_wide succeeds: a Distributed Map over 300 items tolerates its 2 failed instances',
      wide.status === 'success' && wide.tasks.nulls?.output === 2,
      `${wide.status}, nulls: ${JSON.stringify(wide.tasks.nulls?.output)}`,
    );

    const logs = cli('logs', runOf('aws_suite_flaky'));
    check(
      'updraft logs shows the failed try',
      logs.code === 0 && logs.out.includes('first try fails on purpose'),
    );
    const doctor = cli('doctor', '--json');
    const failures =
      doctor.code === 0 ? (JSON.parse(doctor.out) as { failures: unknown[] }).failures : undefined;
    check(
      'the dead-letter queue is empty',
      failures?.length === 0,
      doctor.out.trim().slice(0, 200),
    );
  } finally {
    console.log(`destroying environment ${env} …`);
    const destroyed = cdk('destroy', '--all', '--force');
    if (destroyed.code !== 0) {
      console.log(
        `✖ cdk destroy failed: remove the Updraft-${env}-* stacks by hand\n${destroyed.err}`,
      );
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`✖ ${(error as Error).message}`);
    process.exitCode = 1;
  });
}

import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files that patch something for the whole process — an AWS SDK client (aws-sdk-client-mock
 * replaces the client class's `send`), an environment variable, fake timers — each run in a fresh
 * module graph (`isolated`). Every other file shares its fork's (`shared`): the compiler, the engine
 * and aws-cdk-lib are imported once per fork, not once per file (CDK's first synth in a process
 * alone costs ~4 s). test/lint/isolation.test.ts fails when a file patches and is not listed.
 */
export const ISOLATED = [
  'test/cli/cloud-connections.test.ts',
  'test/cli/cloud-doctor.test.ts',
  'test/cli/cloud-pause.test.ts',
  'test/cli/cloud-resume.test.ts',
  'test/cli/cloud-runs.test.ts',
  'test/cli/cloud-trigger.test.ts',
  'test/cli/cloud-ui.test.ts',
  'test/engine/isolation.test.ts',
  'test/infra/recorder-bundle.test.ts',
  'test/runtime/lambda-task-runner.test.ts',
  'test/runtime/launcher.test.ts',
  'test/runtime/recorder-notifications.test.ts',
  'test/runtime/recorder.test.ts',
  'test/runtime/run-queue.test.ts',
  'test/runtime/s3-objects.test.ts',
  'test/runtime/secrets.test.ts',
];

export default defineConfig({
  resolve: {
    // DAG files import the SDK as 'updraft' (package self-reference); resolve it to the very
    // module the tests import, so there is one SDK instance.
    alias: [
      {
        find: /^updraft$/,
        replacement: fileURLToPath(new URL('./src/sdk/index.ts', import.meta.url)),
      },
      {
        find: /^updraft\/ir$/,
        replacement: fileURLToPath(new URL('./src/ir/index.ts', import.meta.url)),
      },
      {
        find: /^updraft\/testing$/,
        replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    // `npm test` runs the shared and isolated projects; `npm run test:slow` the slow one (.ci/run runs both): tests
    // that are slow by nature and not about a common path, named `*.slow.test.ts`.
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.slow.test.ts', ...ISOLATED],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ISOLATED,
          // No vitest typecheck: `npm run typecheck` (tsc over tsconfig.json, which includes test/) already
          // checks the *.test-d.ts type tests; vitest's ran the same tsc a second time, beside the tests.
        },
      },
      { extends: true, test: { name: 'slow', include: ['test/**/*.slow.test.ts'] } },
    ],
    testTimeout: 30_000,
    // On CI also write a JSON report, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.vitest-results.json' } : undefined,
    pool: 'forks',
    // One fork per core. Vitest's default is cores − 1, a single fork on the 2-core machines this
    // project is tested on; many files wait on child processes and I/O, so two forks took the unit
    // project from 216 s to 159 s there (three: 149 s, within noise of two).
    maxWorkers: '100%',
  },
});

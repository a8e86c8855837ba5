import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/** Test files that neither mock modules nor change globals: the `shared` project runs them without isolation. */
const SHARED = [
  'test/conformance/**/*.test.ts',
  'test/compiler/**/*.test.ts',
  'test/infra/**/*.test.ts',
  'test/validation/invalid-dags.test.ts',
  'test/sdk/**/*.test.ts',
  'test/schedule/**/*.test.ts',
  'test/docs/**/*.test.ts',
  'test/testing/**/*.test.ts',
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
    // `npm test` runs the unit project; `npm run test:slow` the slow one (.ci/run runs both): tests
    // that are slow by nature and not about a common path, named `*.slow.test.ts`.
    projects: [
      {
        // Files that neither mock modules nor change globals share their worker (isolate: false):
        // each fork imports the compiler, the engine and aws-cdk-lib once, not once per file (CDK's
        // first synth in a process alone costs ~4 s). Anything that mocks or stubs stays in `unit`.
        extends: true,
        test: {
          name: 'shared',
          include: SHARED,
          exclude: [...configDefaults.exclude, 'test/**/*.slow.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.slow.test.ts', ...SHARED],
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

// Lint: recommended JS/TS rules, plus the purity rule of CONTRIBUTING.md#pure-core —
// src/sdk, src/ir, src/schedule and src/compiler import no AWS SDK, CDK, middy or file system.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const impure = [
  {
    group: [
      '@aws-sdk/*',
      'aws-sdk',
      'aws-cdk-lib',
      'aws-cdk-lib/*',
      'constructs',
      '@middy/*',
      'cdk-nag',
    ],
    message:
      'The pure core (sdk, ir, schedule, compiler) must not depend on AWS SDK, CDK or middy: move this to src/runtime, src/engine or infra.',
  },
];
const fsModules = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
  name,
  message:
    'The pure core (sdk, ir, schedule, compiler) must not touch the file system: pass data in from src/loader or the CLI.',
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'cdk.out/**',
      '.updraft/**',
      'coverage/**',
      'test/fixtures/**',
      // The user's DAGs: type-checked by tsc and checked by updraft validate, not held to our lint
      // rules (a valid DAG of a user's must not fail npm test).
      'dags/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The UI runs in the browser.
    files: ['ui/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // A function longer than this says why in an eslint-disable comment (CONTRIBUTING.md#code-practices).
    // Tests are left out: a describe block is long by nature.
    files: ['src/**', 'infra/**', 'functions/**', 'scripts/**', 'bin/**'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
  {
    files: ['src/sdk/**', 'src/ir/**', 'src/schedule/**', 'src/compiler/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: fsModules, patterns: impure }],
    },
  },
);

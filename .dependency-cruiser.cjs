// Import direction, checked by `npm run check:imports` (part of `npm test`): no circles, and each
// layer imports only the layers below it. CONTRIBUTING.md ("Layout and import direction") draws
// the picture; this file is what keeps it true.
//
//   util, errors, problems            leaves: import nothing of Updraft's but each other
//   ir → sdk, schedule → compiler     the pure core (also no AWS SDK/CDK/fs: biome.jsonc)
//   store                             run records; knows no runtime, engine or CLI
//   runtime                           runs in Lambda and in the engine; sees the compiler only
//                                     through compiler/contract.ts
//   engine, cloud, loader, testing    the two targets and what loads/tests DAGs
//   cli, infra, functions             the shells
const layer = (name, pathRe, forbidden, comment) => ({
  name: `${name}-imports-upward`,
  comment,
  severity: 'error',
  from: { path: pathRe },
  to: { path: forbidden },
});

const ABOVE_CORE = '^src/(runtime|engine|cloud|loader|testing|cli|store)/|^infra/|^functions/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle means two files are one concept or a shared piece wants its own file.',
      from: {},
      to: { circular: true },
    },
    layer(
      'util',
      '^src/util/',
      '^src/(?!util/)|^infra/|^functions/',
      'src/util holds leaves: plain helpers with no Updraft imports.',
    ),
    layer(
      'errors',
      '^src/(errors|problems)\\.ts$',
      '^src/(?!util/|problems\\.ts$)|^infra/|^functions/',
      'The error module and the problems it carries sit below every layer.',
    ),
    layer(
      'ir',
      '^src/ir/',
      `^src/(sdk|compiler|schedule)/|${ABOVE_CORE}`,
      'The IR is the data the SDK produces and the compiler reads.',
    ),
    layer(
      'schedule',
      '^src/schedule/',
      `^src/(sdk|compiler)/|${ABOVE_CORE}`,
      'Schedules are pure computations over dates.',
    ),
    layer(
      'sdk',
      '^src/sdk/',
      `^src/compiler/|${ABOVE_CORE}`,
      'The SDK builds IR; it never compiles or runs.',
    ),
    layer(
      'compiler',
      '^src/compiler/',
      `^src/sdk/|${ABOVE_CORE}`,
      'The compiler reads IR only: every user mistake is caught in the SDK/validator first.',
    ),
    layer(
      'store',
      '^src/store/',
      '^src/(sdk|compiler|runtime|engine|cloud|loader|testing|cli)/|^infra/|^functions/',
      'The store knows records, not who writes them.',
    ),
    {
      name: 'outside-compiler-uses-contract',
      comment:
        'Runtime, cloud, infra and functions see compiled output only through compiler/contract.ts (the engine, loader and CLI may also compile, through compiler/index.ts).',
      severity: 'error',
      from: { path: '^src/(runtime|cloud)/|^infra/|^functions/' },
      to: { path: '^src/compiler/', pathNot: '^src/compiler/(contract|index)\\.ts$' },
    },
    {
      name: 'runtime-imports-upward',
      comment:
        'src/runtime runs inside Lambda and inside the engine alike: it cannot depend on either shell.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(engine|cloud|loader|testing|cli)/|^infra/|^functions/' },
    },
    {
      name: 'targets-import-shells',
      comment:
        'The engine, the cloud client, the loader and the testing API are used by the CLI and infra, never the other way.',
      severity: 'error',
      from: { path: '^src/(engine|cloud|loader|testing)/' },
      to: { path: '^src/cli/|^infra/|^functions/' },
    },
    {
      name: 'engine-and-cloud-apart',
      comment: 'The two targets share runtime and store, not each other.',
      severity: 'error',
      from: { path: '^src/(engine|cloud)/' },
      to: { path: '^src/(engine|cloud)/', pathNot: '^src/$1/' },
    },
    {
      name: 'functions-and-infra-stay-out-of-the-laptop',
      comment:
        'Lambda entry points and the CDK app do not reach into the CLI or the embedded engine.',
      severity: 'error',
      from: { path: '^infra/|^functions/' },
      to: { path: '^src/(cli|engine|testing)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules|^dist/|^test/fixtures/' },
  },
};

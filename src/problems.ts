/**
 * @module problems
 * Problems as data — what is wrong with a DAG or a project, found before anything runs — and the
 * one formatter that renders them (zod's issues and its pretty-printer, in our terms):
 *   ✖ daily_orders › load: depends on unknown task "transfrom" (did you mean "transform"?)  → dags/daily.ts
 *     ↳ fix the id, or declare the task
 * A leaf module: `DagDefinitionError` (src/errors.ts) carries problems, the validator (src/ir,
 * src/sdk) and the loader produce them, the CLI prints them.
 */

/**
 * Every problem code, stable across releases: tests, `--json` output and users' scripts match on
 * them. A new check adds its code here first.
 */
export const PROBLEM_CODES = [
  'branch-never-chosen',
  'branch-target-not-downstream',
  'branch-without-downstream',
  'build-failed',
  'catchup-without-start',
  'chain-too-long',
  'compile-refused',
  'conflicting-option',
  'cross-dag-edge',
  'cycle',
  'dag-id-too-long',
  'dataset-never-produced',
  'definition-over-limit',
  'duplicate-dag-id',
  'duplicate-group-id',
  'duplicate-task-id',
  'duration-too-long',
  'ecs-container-required',
  'ecs-environment-not-object',
  'empty-dataset-schedule',
  'empty-group',
  'end-before-start',
  'export-not-dag',
  'group-cycle',
  'foreign-output',
  'group-as-value',
  'group-task-id-clash',
  'history-over-limit',
  'import-exit',
  'import-failed',
  'import-unsettled',
  'internal',
  'invalid-catchup',
  'invalid-connection-id',
  'invalid-connections',
  'invalid-cron',
  'invalid-dag-id',
  'invalid-dataset-uri',
  'invalid-datasets',
  'invalid-date',
  'invalid-duration',
  'invalid-group-id',
  'invalid-max-active-runs',
  'invalid-max-concurrency',
  'invalid-memory',
  'invalid-notify',
  'invalid-notify-event',
  'invalid-option',
  'invalid-param',
  'invalid-params',
  'invalid-pool',
  'invalid-pool-slots',
  'invalid-retry',
  'invalid-retry-attempts',
  'invalid-retry-backoff',
  'invalid-retry-jitter',
  'invalid-schedule',
  'invalid-sensor-backoff',
  'invalid-task-id',
  'invalid-tolerated-failures',
  'map-over-non-list',
  'max-concurrency-unmapped',
  'missing-option',
  'nested-dag',
  'no-dag-files',
  'no-dags',
  'no-tasks',
  'non-positive-duration',
  'not-serializable',
  'param-default-enum',
  'param-default-range',
  'param-default-type',
  'param-range',
  'param-without-default',
  'pool-slots-conflict',
  'retry-max-delay-below-delay',
  'run-timeout-over-limit',
  'self-dependency',
  'sensor-poke-over-timeout',
  'sensor-waits-for-itself',
  'sensor-without-poke-interval',
  'sensor-without-timeout',
  'short-circuit-without-downstream',
  'skipped-file',
  'task-called-again',
  'task-id-too-long',
  'teardown-setup-not-setup',
  'teardown-trigger-rule',
  'teardown-without-setup',
  'timeout-over-lambda-limit',
  'tolerated-failures-unmapped',
  'trigger-rule-without-upstream',
  'trigger-self',
  'uncalled-task',
  'unknown-dag',
  'unknown-operator',
  'unknown-option',
  'unknown-task',
  'unknown-timezone',
  'unknown-trigger-rule',
  'unsupported-parameter-value',
  'unused-task',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export function isProblemCode(value: unknown): value is ProblemCode {
  return (PROBLEM_CODES as readonly unknown[]).includes(value);
}

export type Severity = 'error' | 'warning';

/** One thing wrong with a DAG or a project, as data; `formatProblem` renders it. */
export interface Problem {
  /** Stable machine-readable code (`cycle`, `unknown-task` …). */
  readonly code: ProblemCode;
  readonly severity: Severity;
  /** What is wrong, in the user's terms, with the value given and what is allowed. */
  readonly message: string;
  /** How to fix it. */
  readonly hint?: string;
  readonly file?: string;
  readonly dagId?: string;
  readonly taskId?: string;
  /** Where inside the DAG (`tasks.load.retry.attempts`). */
  readonly path?: string;
}

export function formatProblem(p: Problem, options: { color?: boolean } = {}): string {
  const paint = (code: string, text: string) =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const mark = p.severity === 'error' ? paint('31', '✖') : paint('33', '⚠');
  const who = [p.dagId, p.taskId].filter(Boolean).join(' › ');
  const where = p.file ? paint('2', `  → ${p.file}`) : '';
  const head = `${mark} ${who ? `${paint('1', who)}: ` : ''}${p.message}${where}`;
  return p.hint ? `${head}\n    ${paint('36', '↳')} ${p.hint}` : head;
}

/** Problems one per line (each with its hint), errors first. */
export function formatProblems(
  problems: readonly Problem[],
  options: { color?: boolean } = {},
): string {
  const ordered = [
    ...problems.filter((p) => p.severity === 'error'),
    ...problems.filter((p) => p.severity !== 'error'),
  ];
  return ordered.map((p) => formatProblem(p, options)).join('\n');
}

export function countBySeverity(problems: readonly Problem[]): {
  errors: number;
  warnings: number;
} {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { errors, warnings: problems.length - errors };
}

/**
 * @module sdk/build-ir
 * A declared `Dag` → `DagIR` plus every problem found, all at once. This step checks what can
 * only be seen in the raw declarations (option keys, durations, ids, dates, values); graph-level
 * rules (cycles, unknown tasks, branches, mapping) are checked on the IR by `ir/validate.ts`.
 */
import type {
  DagIR,
  EdgeIR,
  GroupIR,
  ParamIR,
  Problem,
  RetryPolicyIR,
  Schedule,
  SensorIR,
  TaskBodyIR,
  TaskIR,
  TaskRole,
  TriggerRule,
  ValueIR,
} from '../ir/types.ts';
import { ProblemCollector, didYouMean, type ProblemDetails } from '../ir/problems.ts';
import { validateDag } from '../ir/validate.ts';
import {
  cronProblem,
  datasetsOf,
  expandPreset,
  isValidTimezone,
  parseDateInZone,
} from '../schedule/index.ts';
import type { Dag } from './dag.ts';
import { DagDefinitionError } from '../errors.ts';
import { formatDuration } from './duration.ts';
import { DAG_OPTION_KEYS } from './dag.ts';
import { OutputRef, isSdkFrame, type RawGroup, type RawTask } from './builder.ts';
import { isTaskFn } from './nodes.ts';
import { GROUP_OPTION_KEYS, TASK_DEFAULT_KEYS, TASK_OPTION_KEYS } from './options.ts';
import { SENSOR_TIMING_KEYS } from './task.ts';
import { toValue, type ValueContext } from './build-values.ts';
import { resolveEdges } from './build-edges.ts';
import { toOperator } from './build-operators.ts';
import {
  checkDagId,
  checkKeys,
  checkNodeId,
  isPositiveInteger,
  toConnections,
  toDatasetCondition,
  toDatasets,
  toDeadline,
  toNotifications,
  toPool,
  toleratedFailuresOf,
  toRetry,
  toSeconds,
  toTriggerRule,
} from './build-checks.ts';

export interface BuildResult {
  readonly ir: DagIR;
  readonly problems: Problem[];
}

/** Lambda's hard limit: task code (function, branch, short-circuit, sensor poke) runs at most 15 minutes. */
export const LAMBDA_MAX_SECONDS = 900;
/** A Standard workflow execution runs at most 1 year (Step Functions quotas), though TimeoutSeconds accepts up to 99,999,999. */
export const SFN_MAX_EXECUTION_SECONDS = 365 * 86_400;
const AIRFLOW_DEFAULT_MAX_ACTIVE_RUNS = 16;

interface Defaults {
  retry?: RetryPolicyIR | false;
  timeoutSeconds?: number;
  triggerRule?: TriggerRule;
  pool?: TaskIR['pool'];
  connections: string[];
}

/**
 * Build the IR of one DAG declared in `file` (relative path, for messages) and validate it.
 * Source locations under `root` are made relative to it, so the IR is the same on every machine.
 * Problems are found in the order a reader meets them: the id, the build function, the options,
 * the defaults, then groups, tasks and edges.
 */
export function buildDagIR(
  dag: Dag,
  file: string,
  options: { readonly root?: string } = {},
): BuildResult {
  const prefix = options.root ? `${options.root.replace(/\/+$/, '')}/` : undefined;
  const rel = (source: string) =>
    prefix && source.startsWith(prefix) ? source.slice(prefix.length) : source;
  // DAG-level problems point at the dag(...) call.
  const out = new ProblemCollector(
    dag.source && rel(dag.source).startsWith(file) ? rel(dag.source) : file,
    dag.id,
  );
  const o = dag.options as Record<string, unknown>;

  checkDagId(dag.id, out);
  if (dag.buildError !== undefined) reportBuildError(dag.buildError, out, rel);
  checkKeys('the DAG options', o, DAG_OPTION_KEYS, out, {});
  const run = toRunOptions(o, out);
  const deadline = toDeadline(o.deadline, out);
  const dagDefaults = toDagDefaults(o, out);
  const graph = toGraph(dag, dagDefaults, out, rel);

  const ir: DagIR = {
    id: dag.id,
    file,
    ...(dag.source && { source: rel(dag.source) }),
    ...(typeof o.description === 'string' && { description: o.description }),
    ...(typeof o.owner === 'string' && { owner: o.owner }),
    ...run,
    notifications: toNotifications(o.notify, out, {}),
    ...deadline,
    ...graph,
  };
  if (dag.buildError === undefined) validateDag(ir, out);
  return { ir, problems: out.problems };
}

/** The build function threw: where, and what (our own DagDefinitionError's message as it is). */
function reportBuildError(
  error: unknown,
  out: ProblemCollector,
  rel: (source: string) => string,
): void {
  const e = error as Error;
  const located = e?.stack ? locate(e.stack) : undefined;
  const where = located && rel(located);
  const ours = e instanceof DagDefinitionError;
  out.error(
    'build-failed',
    ours ? e.message : `the build function threw: ${e?.message ?? String(e)}`,
    {
      ...(where && { file: where }),
      hint: 'fix the error in the DAG file; tasks are declared inside the build function and run later',
    },
  );
}

type RunOptions = Pick<
  DagIR,
  | 'tags'
  | 'timezone'
  | 'schedule'
  | 'startDate'
  | 'endDate'
  | 'catchup'
  | 'maxActiveRuns'
  | 'runTimeoutSeconds'
  | 'params'
>;

/** When and how runs happen: timezone, schedule, dates, catchup, limits, params, tags. */
function toRunOptions(o: Record<string, unknown>, out: ProblemCollector): RunOptions {
  // The DAG's zone: as given, else the schedule's (cron('…', { timezone })), else UTC.
  // On datasets or a time schedule: the time schedule's zone.
  const spec = o.schedule as { timezone?: unknown; or?: { timezone?: unknown } } | undefined;
  const scheduleZone = spec?.timezone ?? spec?.or?.timezone;
  const timezone =
    typeof o.timezone === 'string'
      ? o.timezone
      : typeof scheduleZone === 'string' && isValidTimezone(scheduleZone)
        ? scheduleZone
        : 'UTC';
  if (
    o.timezone !== undefined &&
    (typeof o.timezone !== 'string' || !isValidTimezone(o.timezone))
  ) {
    out.error(
      'unknown-timezone',
      `timezone ${JSON.stringify(o.timezone)} is not an IANA timezone${typeof o.timezone === 'string' ? didYouMean(o.timezone, Intl.supportedValuesOf('timeZone')) : ''}`,
      {
        path: 'timezone',
        hint: "use a name such as 'UTC', 'Europe/Berlin' or 'America/New_York'",
      },
    );
  }
  const schedule = toSchedule(o.schedule, timezone, out);

  const startDate = toDate('startDate', o.startDate, timezone, out);
  const endDate = toDate('endDate', o.endDate, timezone, out);
  if (startDate && endDate && endDate < startDate) {
    out.error(
      'end-before-start',
      `endDate ${JSON.stringify(o.endDate)} is before startDate ${JSON.stringify(o.startDate)}`,
      {
        path: 'endDate',
        hint: 'set endDate after startDate, or remove it to run without an end',
      },
    );
  }
  const catchup = o.catchup ?? false;
  if (typeof catchup !== 'boolean')
    out.error(
      'invalid-catchup',
      `catchup must be true or false, got ${JSON.stringify(o.catchup)}`,
      { path: 'catchup' },
    );
  if (catchup === true && !o.startDate && (schedule.kind === 'cron' || schedule.kind === 'rate')) {
    out.error('catchup-without-start', 'catchup is on but there is no startDate to catch up from', {
      path: 'catchup',
      hint: "add startDate: 'YYYY-MM-DD', or set catchup: false",
    });
  }
  const maxActiveRuns = o.maxActiveRuns ?? AIRFLOW_DEFAULT_MAX_ACTIVE_RUNS;
  if (!isPositiveInteger(maxActiveRuns)) {
    out.error(
      'invalid-max-active-runs',
      `maxActiveRuns is ${JSON.stringify(o.maxActiveRuns)} but must be a whole number of at least 1`,
      { path: 'maxActiveRuns' },
    );
  }
  const runTimeoutSeconds = toSeconds('runTimeout', o.runTimeout, out, { path: 'runTimeout' });
  if (runTimeoutSeconds !== undefined && runTimeoutSeconds > SFN_MAX_EXECUTION_SECONDS) {
    out.error(
      'run-timeout-over-limit',
      `runTimeout is ${formatDuration(runTimeoutSeconds)} but a Step Functions execution lasts at most 1 year (${formatDuration(SFN_MAX_EXECUTION_SECONDS)})`,
      {
        path: 'runTimeout',
        hint: `use at most '${formatDuration(SFN_MAX_EXECUTION_SECONDS)}' (Step Functions stops any run after a year anyway), or remove it`,
      },
    );
  }
  const params = toParams(o.params, schedule, out);
  const tags = toStrings('tags', o.tags, out);
  for (const key of ['description', 'owner'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string')
      out.error('invalid-option', `${key} must be a string, got ${JSON.stringify(o[key])}`, {
        path: key,
      });
  }
  return {
    tags,
    timezone: isValidTimezone(timezone) ? timezone : 'UTC',
    schedule,
    ...(startDate && { startDate: startDate.toISOString() }),
    ...(endDate && { endDate: endDate.toISOString() }),
    catchup: catchup === true,
    maxActiveRuns: isPositiveInteger(maxActiveRuns)
      ? maxActiveRuns
      : AIRFLOW_DEFAULT_MAX_ACTIVE_RUNS,
    ...(runTimeoutSeconds !== undefined && { runTimeoutSeconds }),
    params,
  };
}

/** The DAG's task defaults, with its `retry` option (the same thing said at DAG level). */
function toDagDefaults(o: Record<string, unknown>, out: ProblemCollector): Defaults {
  const rawDefaults = (o.defaults ?? {}) as Record<string, unknown>;
  checkKeys('the DAG defaults', rawDefaults, TASK_DEFAULT_KEYS, out, { path: 'defaults' });
  if (o.retry !== undefined && rawDefaults.retry !== undefined) {
    out.error('conflicting-option', 'retry is set both in the DAG options and in its defaults', {
      path: 'retry',
      hint: 'keep one of them',
    });
  }
  const dagDefaults = toDefaults(rawDefaults, 'dag defaults', out, { path: 'defaults' });
  if (o.retry !== undefined)
    dagDefaults.retry =
      o.retry === false ? false : toRetry('dag retry', o.retry, out, { path: 'retry' });
  return dagDefaults;
}

/** Groups (parents before children), tasks and edges, with the builder's own problems. */
function toGraph(
  dag: Dag,
  dagDefaults: Defaults,
  out: ProblemCollector,
  rel: (source: string) => string,
): Pick<DagIR, 'tasks' | 'groups' | 'edges'> {
  const { builder } = dag;
  const at = (source?: string): ProblemDetails => (source ? { file: rel(source) } : {});
  const groups: GroupIR[] = [];
  const groupDefaults = new Map<string, Defaults>();
  for (const g of builder.groups) if (g.source) g.source = rel(g.source);
  for (const e of builder.edges) if (e.source) e.source = rel(e.source);
  for (const g of builder.groups) groups.push(toGroup(g, dagDefaults, groupDefaults, out));

  const tasks: TaskIR[] = [];
  const dataRefs = new Map<string, Set<string>>();
  for (const raw of builder.tasks) {
    const refs = new Set<string>();
    if (raw.source) raw.source = rel(raw.source);
    const task = toTask(raw, groupDefaults.get(raw.group ?? '') ?? dagDefaults, {
      builder,
      out,
      details: { taskId: raw.id, ...at(raw.source) },
      refs,
    });
    dataRefs.set(raw.id, refs);
    tasks.push(task);
  }

  // Declarations never called.
  for (const { decl, source } of builder.declared) {
    if (!builder.instances.has(decl)) {
      out.warn(
        'unused-task',
        `task "${decl.taskId}" is declared but never called, so it is not part of the DAG`,
        {
          taskId: decl.taskId,
          ...at(source),
          hint: `call it in the build function (${decl.taskId}()) or remove it`,
        },
      );
    }
  }

  const edges: EdgeIR[] = resolveEdges(builder, tasks, dataRefs, out);
  for (const p of builder.problems) {
    const file = p.file ? rel(p.file) : undefined;
    (p.severity === 'error' ? out.error : out.warn).call(out, p.code, p.message, {
      ...(p.taskId && { taskId: p.taskId }),
      ...(p.hint && { hint: p.hint }),
      ...(file && { file }),
    });
  }
  return { tasks, groups, edges };
}

/** The DAG author's frame of a stack trace (first frame outside the SDK). */
function locate(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    const file = m?.[1]?.replace(/^file:\/\//, '').replace(/\?updraft-gen=\d+$/, '');
    if (file && !isSdkFrame(file)) return `${file}:${m![2]}`;
  }
  return undefined;
}

function toStrings(label: string, value: unknown, out: ProblemCollector): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    out.error(
      'invalid-option',
      `${label} must be a list of strings, got ${JSON.stringify(value)}`,
      { path: label },
    );
    return [];
  }
  return [...new Set(value as string[])];
}

function toDate(
  label: string,
  value: unknown,
  timezone: string,
  out: ProblemCollector,
): Date | undefined {
  if (value === undefined) return undefined;
  // With a bad timezone (reported already) the date is still checked, read in UTC.
  const date =
    typeof value === 'string'
      ? parseDateInZone(value, isValidTimezone(timezone) ? timezone : 'UTC')
      : undefined;
  if (!date) {
    out.error('invalid-date', `${label} ${JSON.stringify(value)} is not a date`, {
      path: label,
      hint: "write it as 'YYYY-MM-DD' (midnight in the DAG's timezone) or an ISO-8601 date-time such as '2026-01-01T02:00'",
    });
  }
  return date;
}

const PRESET_NAMES = ['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually'];

function toSchedule(value: unknown, dagTimezone: string, out: ProblemCollector): Schedule {
  const details = { path: 'schedule' };
  if (value === undefined || value === null) return { kind: 'manual' };
  if (typeof value === 'string')
    return toSchedule({ kind: 'cron', expression: value }, dagTimezone, out);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.error(
        'empty-dataset-schedule',
        'schedule is an empty list of datasets, so the DAG would never run',
        { ...details, hint: 'list the datasets it consumes, or use manual()' },
      );
      return { kind: 'manual' };
    }
    return datasetSchedule({ kind: 'all', of: value }, undefined, dagTimezone, out);
  }
  const s = value as {
    kind?: unknown;
    expression?: unknown;
    timezone?: unknown;
    every?: unknown;
    condition?: unknown;
    or?: unknown;
  };
  const timezone = s.timezone === undefined ? dagTimezone : s.timezone;
  if (s.kind === 'cron' || s.kind === 'rate') {
    if (typeof timezone !== 'string' || !isValidTimezone(timezone)) {
      if (s.timezone !== undefined) {
        out.error(
          'unknown-timezone',
          `schedule timezone ${JSON.stringify(timezone)} is not an IANA timezone${typeof timezone === 'string' ? didYouMean(timezone, Intl.supportedValuesOf('timeZone')) : ''}`,
          {
            ...details,
            hint: "use a name such as 'UTC', 'Europe/Berlin' or 'America/New_York'",
          },
        );
      }
    }
  }
  switch (s.kind) {
    case 'cron': {
      const expression = typeof s.expression === 'string' ? s.expression.trim() : '';
      const problem =
        typeof s.expression === 'string'
          ? cronProblem(expression)
          : `${JSON.stringify(s.expression)} is not a string`;
      if (problem) {
        const presetHint = expression.startsWith('@')
          ? `presets: ${PRESET_NAMES.join(', ')}`
          : "write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 2 * * *' for 02:00 daily";
        out.error(
          'invalid-cron',
          `cron expression ${JSON.stringify(s.expression)} is not valid: ${problem}`,
          { ...details, hint: presetHint },
        );
      }
      return {
        kind: 'cron',
        expression: problem
          ? expression
          : expression.startsWith('@')
            ? expression
            : expandPreset(expression),
        timezone: String(timezone),
      };
    }
    case 'rate': {
      const seconds = toSeconds('schedule rate', s.every, out, {
        ...details,
        hint: "write rate('6h'), rate('30m') or rate('1d')",
      });
      return {
        kind: 'rate',
        everySeconds: seconds ?? 0,
        expression: String(s.every),
        timezone: String(timezone),
      };
    }
    case 'manual':
      return { kind: 'manual' };
    case 'datasets':
      return datasetSchedule(s.condition, s.or, dagTimezone, out);
    default:
      out.error('invalid-schedule', `schedule ${JSON.stringify(value)} is not a schedule`, {
        ...details,
        hint: "use cron('0 2 * * *'), a preset such as '@daily', rate('6h'), [dataset('s3://...')] or manual()",
      });
      return { kind: 'manual' };
  }
}

/** A data-aware schedule, or manual when its condition cannot be read (the problem is reported). */
function datasetSchedule(
  condition: unknown,
  or: unknown,
  timezone: string,
  out: ProblemCollector,
): Schedule {
  const read = toDatasetCondition(condition, out, { path: 'schedule' });
  if (!read) return { kind: 'manual' };
  const time = or === undefined ? undefined : toSchedule(or, timezone, out);
  if (time && time.kind !== 'cron' && time.kind !== 'rate') {
    out.error(
      'invalid-schedule',
      `onDatasets(..., { or }) must be a time schedule, not ${time.kind}`,
      {
        path: 'schedule',
        hint: "write { or: cron('0 6 * * *') }, { or: '@daily' } or { or: rate('6h') }",
      },
    );
  }
  return {
    kind: 'datasets',
    condition: read,
    datasets: datasetsOf(read),
    ...(time && (time.kind === 'cron' || time.kind === 'rate') && { time }),
  };
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: reads every param option in the order its problems are reported
function toParams(
  value: unknown,
  schedule: Schedule,
  out: ProblemCollector,
): Record<string, ParamIR> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.error(
      'invalid-params',
      `params must be an object of param.string(), param.number()… specs, got ${JSON.stringify(value)}`,
      { path: 'params' },
    );
    return {};
  }
  const result: [string, ParamIR][] = [];
  for (const [name, spec] of Object.entries(
    value as Record<
      string,
      {
        kind?: unknown;
        type: ParamIR['type'];
        default?: unknown;
        description?: string;
        enum?: unknown[];
        minimum?: number;
        maximum?: number;
      }
    >,
  )) {
    const path = `params.${name}`;
    if (spec?.kind !== 'param') {
      out.error(
        'invalid-param',
        `param "${name}" must be declared with param.string(), param.number(), param.integer(), param.boolean(), param.object() or param.array(), got ${JSON.stringify(spec)}`,
        { path },
      );
      continue;
    }
    const hasDefault = spec.default !== undefined;
    if (hasDefault && !matchesType(spec.default, spec.type)) {
      const a = /^[aeiou]/.test(spec.type) ? 'an' : 'a';
      out.error(
        'param-default-type',
        `param "${name}" is ${a} ${spec.type} but its default ${JSON.stringify(spec.default)} is not`,
        { path, hint: `give ${a} ${spec.type} default` },
      );
    }
    if (
      hasDefault &&
      spec.enum &&
      !spec.enum.some((e) => JSON.stringify(e) === JSON.stringify(spec.default))
    ) {
      out.error(
        'param-default-enum',
        `param "${name}" has default ${JSON.stringify(spec.default)}, which is not one of its allowed values ${JSON.stringify(spec.enum)}`,
        { path },
      );
    }
    const inverted =
      spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum;
    if (inverted) {
      out.error(
        'param-range',
        `param "${name}" has minimum ${spec.minimum} above maximum ${spec.maximum}, so no value is allowed`,
        {
          path,
          hint: `swap them (param.${spec.type}({ minimum: ${spec.maximum}, maximum: ${spec.minimum} })) or fix the one that is wrong`,
        },
      );
    }
    // With an inverted range every default is "outside" it: the range is the one problem.
    if (
      !inverted &&
      hasDefault &&
      typeof spec.default === 'number' &&
      ((spec.minimum !== undefined && spec.default < spec.minimum) ||
        (spec.maximum !== undefined && spec.default > spec.maximum))
    ) {
      out.error(
        'param-default-range',
        `param "${name}" has default ${spec.default} outside its range [${spec.minimum ?? '-∞'}, ${spec.maximum ?? '∞'}]`,
        { path },
      );
    }
    if (!hasDefault && schedule.kind !== 'manual') {
      out.error(
        'param-without-default',
        `param "${name}" has no default, but scheduled runs cannot supply values`,
        {
          path,
          hint: `give it a default (param.${spec.type}({ default: ... })) or make the DAG manual()`,
        },
      );
    }
    result.push([
      name,
      {
        type: spec.type,
        required: !hasDefault,
        ...(hasDefault && { default: spec.default }),
        ...(spec.description !== undefined && { description: spec.description }),
        ...(spec.enum !== undefined && { enum: spec.enum }),
        ...(spec.minimum !== undefined && { minimum: spec.minimum }),
        ...(spec.maximum !== undefined && { maximum: spec.maximum }),
      },
    ]);
  }
  // fromEntries keeps every name an own key, "__proto__" included (assigning it would set the prototype).
  return Object.fromEntries(result);
}

export function matchesType(value: unknown, type: ParamIR['type']): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function toDefaults(
  raw: Record<string, unknown>,
  label: string,
  out: ProblemCollector,
  details: ProblemDetails,
  parent?: Defaults,
): Defaults {
  const retry =
    raw.retry === false
      ? false
      : toRetry(`${label} retry`, raw.retry, out, { ...details, path: `${details.path}.retry` });
  return {
    retry: raw.retry === undefined ? parent?.retry : retry,
    timeoutSeconds:
      toSeconds(`${label} timeout`, raw.timeout, out, {
        ...details,
        path: `${details.path}.timeout`,
      }) ?? parent?.timeoutSeconds,
    triggerRule:
      toTriggerRule(raw.triggerRule, out, { ...details, path: `${details.path}.triggerRule` }) ??
      parent?.triggerRule,
    pool: toPool(raw.pool, out, details) ?? parent?.pool,
    connections: [
      ...new Set([...(parent?.connections ?? []), ...toConnections(raw.connections, out, details)]),
    ],
  };
}

function toGroup(
  g: RawGroup,
  dagDefaults: Defaults,
  all: Map<string, Defaults>,
  out: ProblemCollector,
): GroupIR {
  const details: ProblemDetails = { ...(g.source && { file: g.source }), path: `groups.${g.id}` };
  checkNodeId('group', g.localId, g.id, out, details);
  checkKeys(`the options of group "${g.id}"`, g.options, GROUP_OPTION_KEYS, out, details);
  const parent = g.parent ? all.get(g.parent) : dagDefaults;
  const rawDefaults = (g.options.defaults ?? {}) as Record<string, unknown>;
  checkKeys(`the defaults of group "${g.id}"`, rawDefaults, TASK_DEFAULT_KEYS, out, {
    ...details,
    path: `${details.path}.defaults`,
  });
  all.set(
    g.id,
    toDefaults(
      rawDefaults,
      `group "${g.id}" defaults`,
      out,
      { ...details, path: `${details.path}.defaults` },
      parent,
    ),
  );
  const retry = toRetry(`group "${g.id}" retry`, g.options.retry, out, {
    ...details,
    path: `${details.path}.retry`,
  });
  return {
    id: g.id,
    ...(g.parent && { parent: g.parent }),
    ...(retry && { retry }),
    ...(typeof g.options.doc === 'string' && { doc: g.options.doc }),
  };
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: reads every task option in the order its problems are reported
function toTask(raw: RawTask, defaults: Defaults, ctx: ValueContext): TaskIR {
  const { out, details } = ctx;
  const o = raw.options ?? {};
  checkNodeId('task', raw.localId, raw.id, out, details);
  const label = `task "${raw.id}"`;
  const allowed = new Set<string>([
    ...TASK_OPTION_KEYS,
    ...(raw.body.kind === 'sensor' ? SENSOR_TIMING_KEYS : []),
    ...(raw.ownKeys ?? []),
  ]);
  checkKeys(`the options of ${label}`, o, [...allowed], out, details);

  const args: ValueIR[] = [];
  raw.args.forEach((a, i) => {
    const v = toValue(a, `argument ${i + 1} of ${label}`, ctx);
    if (v) args.push(v);
  });
  const body = toBody(raw, ctx);
  const runsCode =
    body.kind !== 'operator' && !(body.kind === 'sensor' && body.sensor.check.kind !== 'function');

  const explicitTrigger = toTriggerRule(o.triggerRule, out, details);
  const retry =
    o.retry === false
      ? undefined
      : (toRetry(`${label} retry`, o.retry, out, details) ??
        (o.retry === undefined && defaults.retry ? defaults.retry : undefined));
  // A sensor's `timeout` is its total waiting time (SensorIR.timeoutSeconds); it does not take
  // the per-try timeout that other tasks inherit from DAG or group defaults.
  const timeoutSeconds =
    body.kind === 'sensor'
      ? undefined
      : (toSeconds(`${label} timeout`, o.timeout, out, { ...details, path: 'timeout' }) ??
        defaults.timeoutSeconds);
  if (
    runsCode &&
    body.kind !== 'sensor' &&
    timeoutSeconds !== undefined &&
    timeoutSeconds > LAMBDA_MAX_SECONDS
  ) {
    out.error(
      'timeout-over-lambda-limit',
      `${label} has a timeout of ${formatDuration(timeoutSeconds)} but its code runs in AWS Lambda, which stops after 15m`,
      {
        ...details,
        path: 'timeout',
        hint: "use at most '15m', split the work, or run it as ecsTask()/batchJob()/glueJob()",
      },
    );
  }
  const expectedDurationSeconds = toSeconds(`${label} expectedDuration`, o.expectedDuration, out, {
    ...details,
    path: 'expectedDuration',
  });

  let mapping: TaskIR['mapping'];
  if (raw.mapping) {
    const over = args[raw.mapping.argIndex];
    const mc = o.maxConcurrency ?? 0;
    if (
      o.maxConcurrency !== undefined &&
      (typeof mc !== 'number' || !Number.isInteger(mc) || mc < 1)
    ) {
      out.error(
        'invalid-max-concurrency',
        `${label} maxConcurrency is ${JSON.stringify(o.maxConcurrency)} but must be a whole number of at least 1`,
        { ...details, path: 'maxConcurrency' },
      );
    }
    const tolerated = toleratedFailuresOf(o.toleratedFailures, label, out, details);
    if (over)
      mapping = {
        over,
        argIndex: raw.mapping.argIndex,
        maxConcurrency: typeof mc === 'number' && mc > 0 ? Math.floor(mc) : 0,
        ...(tolerated && { toleratedFailures: tolerated }),
      };
  } else if (o.toleratedFailures !== undefined) {
    out.error(
      'tolerated-failures-unmapped',
      `${label} sets toleratedFailures but is not mapped: only a mapped task's instances can fail apart`,
      {
        ...details,
        path: 'toleratedFailures',
        hint: `map it with ${raw.localId}.map(list), or remove toleratedFailures and use retry`,
      },
    );
  } else if (o.maxConcurrency !== undefined) {
    out.warn(
      'max-concurrency-unmapped',
      `${label} sets maxConcurrency but is not mapped, so it has no effect`,
      {
        ...details,
        path: 'maxConcurrency',
        hint: `map it with ${raw.localId}.map(list) or remove maxConcurrency`,
      },
    );
  }

  let role: TaskRole | undefined;
  if (raw.role?.kind === 'setup') role = { kind: 'setup' };
  if (raw.role?.kind === 'teardown') {
    if (o.triggerRule !== undefined)
      out.error(
        'teardown-trigger-rule',
        `${label} is a teardown, whose trigger rule is fixed (it runs when its setups succeeded, whatever happened in between)`,
        { ...details, path: 'triggerRule', hint: 'remove triggerRule' },
      );
    role = {
      kind: 'teardown',
      setups: raw.role.setups.map((s) => setupId(s, ctx)),
      onFailureFailDagrun: raw.role.onFailureFailDagrun === true,
    };
  }

  const pool = toPool(o.pool, out, details) ?? defaults.pool;
  const memory = o.memoryMiB;
  if (
    memory !== undefined &&
    (!Number.isInteger(memory) || (memory as number) < 128 || (memory as number) > 10_240)
  ) {
    out.error(
      'invalid-memory',
      `${label} memoryMiB is ${JSON.stringify(memory)} but Lambda allows whole numbers from 128 to 10240`,
      { ...details, path: 'memoryMiB' },
    );
  }

  return {
    id: raw.id,
    ...(raw.group && { group: raw.group }),
    body,
    args,
    ...(mapping && { mapping }),
    triggerRule:
      role?.kind === 'teardown'
        ? 'all_done'
        : (explicitTrigger ??
          (o.triggerRule === undefined ? defaults.triggerRule : undefined) ??
          'all_success'),
    ...(retry && { retry }),
    ...(timeoutSeconds !== undefined && { timeoutSeconds }),
    ...(expectedDurationSeconds !== undefined && { expectedDurationSeconds }),
    ...(role && { role }),
    connections: [
      ...new Set([...defaults.connections, ...toConnections(o.connections, out, details)]),
    ],
    inlets: toDatasets('inlets', o.inlets, out, details),
    outlets: toDatasets('outlets', o.outlets, out, details),
    ...(pool && { pool }),
    notifications: toNotifications(o.notify, out, details),
    ...(typeof memory === 'number' && { memoryMiB: memory }),
    ...(typeof o.doc === 'string' && { doc: o.doc }),
    ...(raw.source && { source: raw.source }),
  };
}

/** A teardown's `setups` entry (task, declaration or id) → task id. */
function setupId(target: unknown, ctx: ValueContext): string {
  if (target instanceof OutputRef) return target.taskId;
  if (isTaskFn(target)) return ctx.builder.instances.get(target)?.[0] ?? target.taskId;
  return String(target);
}

function toBody(raw: RawTask, ctx: ValueContext): TaskBodyIR {
  const { out, details } = ctx;
  const body = raw.body;
  switch (body.kind) {
    case 'function':
      return { kind: 'function' };
    case 'branch': {
      if (!Array.isArray(body.choices) || body.choices.some((c) => typeof c !== 'string')) {
        const ids = (Array.isArray(body.choices) ? body.choices : [body.choices]).filter(
          (c) => typeof c === 'string',
        );
        out.error(
          'invalid-option',
          `branch "${raw.id}" choices must be a list of task ids, got ${JSON.stringify(body.choices)}`,
          {
            ...details,
            path: 'choices',
            hint: ids.length
              ? `write choices: [${ids.map((c) => `'${c}'`).join(', ')}]`
              : "write choices: ['task_a', 'task_b'] (the ids of its direct downstream tasks)",
          },
        );
        return { kind: 'branch', choices: [] };
      }
      return { kind: 'branch', choices: body.choices as string[] };
    }
    case 'short_circuit':
      return {
        kind: 'short_circuit',
        ignoreDownstreamTriggerRules: body.ignoreDownstreamTriggerRules !== false,
      };
    case 'sensor':
      return { kind: 'sensor', sensor: toSensor(raw, body, ctx) };
    case 'operator': {
      const operator = toOperator(body.operator, raw.id, ctx);
      if (operator) return { kind: 'operator', operator };
      return { kind: 'function' };
    }
  }
  out.error('internal', `unknown task body ${JSON.stringify(body)}`, details);
  return { kind: 'function' };
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: reads every sensor option in the order its problems are reported
function toSensor(
  raw: RawTask,
  body: Extract<RawTask['body'], { kind: 'sensor' }>,
  ctx: ValueContext,
): SensorIR {
  const { out, details } = ctx;
  const t = body.timing;
  const label = `sensor "${raw.id}"`;
  const check = body.check;
  const isTime = check.kind === 'time';
  const poke =
    t.pokeInterval === undefined && isTime
      ? 60
      : toSeconds(`${label} pokeInterval`, t.pokeInterval, out, {
          ...details,
          path: 'pokeInterval',
        });
  if (t.pokeInterval === undefined && !isTime) {
    out.error('sensor-without-poke-interval', `${label} has no pokeInterval`, {
      ...details,
      path: 'pokeInterval',
      hint: "add pokeInterval: '1m' (how long to wait between pokes)",
    });
  }
  let timeout = toSeconds(`${label} timeout`, t.timeout, out, { ...details, path: 'timeout' });
  let afterSeconds = 0;
  if (check.kind === 'time')
    afterSeconds =
      toSeconds(`${label} after`, check.after, out, {
        ...details,
        path: 'after',
        allowZero: true,
      }) ?? 0;
  if (t.timeout === undefined) {
    if (isTime) timeout = afterSeconds + 3600;
    else
      out.error('sensor-without-timeout', `${label} has no timeout, so it could poke forever`, {
        ...details,
        path: 'timeout',
        hint: "add timeout: '6h' (and softFail: true to skip instead of fail when it runs out)",
      });
  }
  if (poke !== undefined && timeout !== undefined && !isTime && poke > timeout) {
    out.error(
      'sensor-poke-over-timeout',
      `${label} pokes every ${formatDuration(poke)} but times out after ${formatDuration(timeout)}, so it would poke once at most`,
      { ...details, path: 'pokeInterval', hint: 'make pokeInterval shorter than timeout' },
    );
  }
  const backoff = t.backoff ?? 1;
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 1) {
    out.error(
      'invalid-sensor-backoff',
      `${label} backoff is ${JSON.stringify(t.backoff)} but must be a number of at least 1 (1 = constant interval)`,
      { ...details, path: 'backoff' },
    );
  }
  const maxPoke = toSeconds(`${label} maxPokeInterval`, t.maxPokeInterval, out, {
    ...details,
    path: 'maxPokeInterval',
  });
  if (t.softFail !== undefined && typeof t.softFail !== 'boolean')
    out.error('invalid-option', `${label} softFail must be true or false`, {
      ...details,
      path: 'softFail',
    });

  let checkIR: SensorIR['check'] = { kind: 'function' };
  switch (check.kind) {
    case 'function':
      break;
    case 's3_key': {
      const bucket = toValue(check.bucket, `${label} bucket`, ctx);
      const key = toValue(check.key, `${label} key`, ctx);
      for (const [name, v] of [
        ['bucket', check.bucket],
        ['key', check.key],
      ] as const) {
        if (v === undefined || v === '')
          out.error('missing-option', `${label} needs a ${name}`, { ...details, path: name });
      }
      if (bucket && key) checkIR = { kind: 's3_key', bucket, key };
      break;
    }
    case 'external_dag': {
      if (typeof check.dagId !== 'string' || !check.dagId)
        out.error('missing-option', `${label} needs the dagId of the DAG to wait for`, {
          ...details,
          path: 'dagId',
        });
      const offset =
        toSeconds(`${label} offset`, check.offset, out, {
          ...details,
          path: 'offset',
          allowZero: true,
        }) ?? 0;
      checkIR = {
        kind: 'external_dag',
        dagId: String(check.dagId),
        ...(typeof check.taskId === 'string' && { taskId: check.taskId }),
        offsetSeconds: offset,
      };
      break;
    }
    case 'time':
      checkIR = { kind: 'time', afterIntervalEndSeconds: afterSeconds };
      break;
  }
  return {
    check: checkIR,
    pokeIntervalSeconds: poke ?? 60,
    pokeBackoffRate: typeof backoff === 'number' && backoff >= 1 ? backoff : 1,
    ...(maxPoke !== undefined && { maxPokeIntervalSeconds: maxPoke }),
    timeoutSeconds: timeout ?? 0,
    softFail: t.softFail === true,
  };
}

/**
 * @module sdk/build-checks
 * Field-level conversions shared by `build-ir.ts`: ids, durations, retry policies, option keys,
 * datasets, connections, pools and notifications. Each converter returns the IR value or
 * `undefined` after reporting exactly what is wrong with the value given and how to fix it.
 */
import type {
  DagIR,
  DatasetCondition,
  NotificationIR,
  PoolIR,
  RetryPolicyIR,
  TriggerRule,
} from '../ir/types.ts';
import { TRIGGER_RULES } from '../ir/types.ts';
import { didYouMean, type ProblemCollector, type ProblemDetails } from '../ir/problems.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { DATASET_URI } from './dataset.ts';
import { NOTIFY_EVENTS } from './notify.ts';

/** Step Functions names allow 80 characters; execution names are `<dag>-<YYYY-MM-DDTHH-MM-SSZ>`. */
export const MAX_DAG_ID = 48;
/** Full task ids (group prefixes included) leave 16 of the 80 characters of a state name for Updraft's suffixes. */
export const MAX_TASK_ID = 64;
export const MAX_CONNECTION_ID = 64;

const DAG_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
const NODE_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const CONNECTION_ID = /^[a-z][a-z0-9_]*$/;

/** Step Functions' largest TimeoutSeconds / IntervalSeconds. */
const SFN_MAX_SECONDS = 99_999_999;
/** Step Functions' largest MaxDelaySeconds (366 days). */
const SFN_MAX_DELAY_SECONDS = 31_622_400;

function badChars(id: string, pattern: RegExp): string {
  return [...new Set([...id].filter((c) => !pattern.test(c)))]
    .map((c) => JSON.stringify(c))
    .join(' ');
}

function sanitized(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'my_id';
}

export function checkDagId(id: string, out: ProblemCollector): void {
  if (!id) {
    out.error('invalid-dag-id', 'DAG id is empty', {
      hint: 'give the DAG a name: dag("daily_orders", { ... }, () => { ... })',
    });
    return;
  }
  if (!DAG_ID.test(id)) {
    out.error(
      'invalid-dag-id',
      `DAG id "${id}" has characters a state machine name cannot have (${badChars(id, /[A-Za-z0-9_-]/) || 'must start with a letter'})`,
      {
        hint: `use letters, digits, "_" and "-", starting with a letter, e.g. "${/^[A-Za-z]/.test(sanitized(id)) ? sanitized(id) : `dag_${sanitized(id)}`}"`,
      },
    );
  }
  if (id.length > MAX_DAG_ID) {
    out.error(
      'dag-id-too-long',
      `DAG id "${id}" is ${id.length} characters long; at most ${MAX_DAG_ID} fit in Step Functions execution names (80 characters with the logical date)`,
      {
        hint: `shorten it to ${MAX_DAG_ID} characters or fewer`,
      },
    );
  }
}

/** A task or group id as written (without group prefix). */
export function checkNodeId(
  kind: 'task' | 'group',
  localId: string,
  fullId: string,
  out: ProblemCollector,
  details: ProblemDetails,
): void {
  if (typeof localId !== 'string' || !localId) {
    out.error(`invalid-${kind}-id`, `${kind} id is empty`, {
      ...details,
      hint: `give every ${kind} a name`,
    });
    return;
  }
  if (!NODE_ID.test(localId)) {
    const dot = localId.includes('.') ? '; "." separates group ids and is added by group()' : '';
    out.error(
      `invalid-${kind}-id`,
      `${kind} id "${localId}" has characters Step Functions state names cannot have (${badChars(localId, /[A-Za-z0-9_-]/)})${dot}`,
      {
        ...details,
        hint: `use letters, digits, "_" and "-", e.g. "${sanitized(localId)}"`,
      },
    );
  }
  if (kind === 'task' && fullId.length > MAX_TASK_ID) {
    out.error(
      'task-id-too-long',
      `task id "${fullId}" is ${fullId.length} characters long (group prefixes included); at most ${MAX_TASK_ID} fit in a Step Functions state name`,
      {
        ...details,
        hint: 'shorten the task id or its group ids',
      },
    );
  }
}

/** Airflow's names for Updraft options, so an Airflow user's habit gets a precise hint. */
const AIRFLOW_NAMES: Readonly<Record<string, string>> = {
  retries: 'retry',
  retry_delay: 'retry',
  retry_exponential_backoff: 'retry',
  max_retry_delay: 'retry',
  schedule_interval: 'schedule',
  start_date: 'startDate',
  end_date: 'endDate',
  max_active_runs: 'maxActiveRuns',
  dagrun_timeout: 'runTimeout',
  execution_timeout: 'timeout',
  trigger_rule: 'triggerRule',
  default_args: 'defaults',
  doc_md: 'description',
  sla: 'deadline',
  on_failure_callback: 'notify',
  on_success_callback: 'notify',
  on_retry_callback: 'notify',
  max_active_tis_per_dagrun: 'maxConcurrency',
  max_active_tis_per_dag: 'maxConcurrency',
  poke_interval: 'pokeInterval',
  soft_fail: 'softFail',
  exponential_backoff: 'backoff',
  max_wait: 'maxPokeInterval',
  timezone: 'timezone',
};

/** Report keys that are not options, with the nearest known one (or the Updraft name of an Airflow option). */
export function checkKeys(
  what: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
  out: ProblemCollector,
  details: ProblemDetails,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const airflow = AIRFLOW_NAMES[key];
      const suggestion =
        airflow && allowed.includes(airflow)
          ? ` (Airflow's "${key}" is "${airflow}" in Updraft)`
          : didYouMean(key, allowed);
      out.error('unknown-option', `unknown option "${key}" in ${what}${suggestion}`, {
        ...details,
        path: details.path ? `${details.path}.${key}` : key,
        hint: `allowed options: ${allowed.join(', ')}`,
      });
    }
  }
}

/** A positive duration, in seconds. */
/** `deadline: '2h'` or `{ after: '2h', from: 'interval_end' | 'run_start' }` → the IR's deadline fields. */
export function toDeadline(
  value: unknown,
  out: ProblemCollector,
): Pick<DagIR, 'deadlineSeconds' | 'deadlineFrom'> {
  if (value === undefined) return {};
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const { after, from, ...rest } = (isObject ? value : { after: value }) as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (
    unknown.length > 0 ||
    (from !== undefined && from !== 'interval_end' && from !== 'run_start')
  ) {
    out.error(
      'invalid-option',
      unknown.length > 0
        ? `deadline has unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}`
        : `deadline.from is ${JSON.stringify(from)}`,
      {
        path: 'deadline',
        hint: "write deadline: '2h' (after the data interval ends), or { after: '2h', from: 'interval_end' | 'run_start' }",
      },
    );
    return {};
  }
  const label = isObject ? 'deadline.after' : 'deadline';
  if (isObject && after === undefined) {
    out.error('invalid-option', 'deadline.after is missing', {
      path: 'deadline',
      hint: "say how long after, e.g. { after: '2h', from: 'run_start' }",
    });
    return {};
  }
  const deadlineSeconds = toSeconds(label, after, out, { path: 'deadline' });
  if (deadlineSeconds === undefined) return {};
  return { deadlineSeconds, ...(from === 'run_start' && { deadlineFrom: 'run_start' as const }) };
}

export function toSeconds(
  label: string,
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails & { allowZero?: boolean; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  if (!parsed.ok) {
    out.error('invalid-duration', `${label}: ${parsed.message}`, {
      ...details,
      hint:
        details.hint ??
        `write it with a unit, e.g. ${label.endsWith('timeout') ? "'30m'" : "'5m'"}`,
    });
    return undefined;
  }
  if (parsed.seconds < 0 || (parsed.seconds === 0 && !details.allowZero)) {
    out.error(
      'non-positive-duration',
      `${label} is ${JSON.stringify(value)} but must be longer than zero`,
      { ...details, hint: details.hint ?? `use at least '1s'` },
    );
    return undefined;
  }
  const max = details.max ?? SFN_MAX_SECONDS;
  if (parsed.seconds > max) {
    out.error(
      'duration-too-long',
      `${label} is ${formatDuration(parsed.seconds)} but Step Functions allows at most ${formatDuration(max)}`,
      { ...details, hint: `use at most '${formatDuration(max)}'` },
    );
    return undefined;
  }
  return parsed.seconds;
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

export const RETRY_KEYS = ['attempts', 'delay', 'backoff', 'maxDelay', 'jitter'] as const;
/** Airflow's default retry_delay is 5 minutes and its backoff is off (constant delay). */
export const DEFAULT_RETRY_DELAY_SECONDS = 300;

/** A retry policy as written → IR; `false` → undefined (explicitly no retry). */
export function toRetry(
  label: string,
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): RetryPolicyIR | undefined {
  if (value === undefined || value === false) return undefined;
  const path = details.path ?? 'retry';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.error(
      'invalid-retry',
      `${label} must be an object like { attempts: 3, delay: '1m' } or false, got ${JSON.stringify(value)}`,
      { ...details, path },
    );
    return undefined;
  }
  const r = value as Record<string, unknown>;
  checkKeys(label, r, RETRY_KEYS, out, { ...details, path });
  let ok = true;
  if (!isPositiveInt(r.attempts)) {
    ok = false;
    out.error(
      'invalid-retry-attempts',
      `${label}.attempts is ${JSON.stringify(r.attempts)} but must be a whole number of at least 1 (it counts every try, the first included)`,
      {
        ...details,
        path: `${path}.attempts`,
        hint: 'use attempts: 1 for no retries, attempts: 3 for up to two retries',
      },
    );
  }
  const delay =
    r.delay === undefined
      ? DEFAULT_RETRY_DELAY_SECONDS
      : toSeconds(`${label}.delay`, r.delay, out, {
          ...details,
          path: `${path}.delay`,
          hint: "use a positive delay such as '30s' or '5m'",
        });
  const maxDelay = toSeconds(`${label}.maxDelay`, r.maxDelay, out, {
    ...details,
    path: `${path}.maxDelay`,
    max: SFN_MAX_DELAY_SECONDS,
  });
  if (delay === undefined || (r.maxDelay !== undefined && maxDelay === undefined)) ok = false;
  const backoff = r.backoff ?? 1;
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 1) {
    ok = false;
    out.error(
      'invalid-retry-backoff',
      `${label}.backoff is ${JSON.stringify(r.backoff)} but must be a number of at least 1 (1 = constant delay, 2 = doubling)`,
      {
        ...details,
        path: `${path}.backoff`,
      },
    );
  }
  const jitter = r.jitter ?? 'none';
  if (jitter !== 'none' && jitter !== 'full') {
    ok = false;
    out.error(
      'invalid-retry-jitter',
      `${label}.jitter is ${JSON.stringify(r.jitter)} but must be "none" or "full"`,
      { ...details, path: `${path}.jitter` },
    );
  }
  if (ok && maxDelay !== undefined && delay !== undefined && maxDelay < delay) {
    ok = false;
    out.error(
      'retry-max-delay-below-delay',
      `${label}.maxDelay (${formatDuration(maxDelay)}) is shorter than its delay (${formatDuration(delay)})`,
      {
        ...details,
        path: `${path}.maxDelay`,
        hint: 'make maxDelay at least the initial delay, or drop it',
      },
    );
  }
  if (!ok) return undefined;
  return {
    attempts: r.attempts as number,
    delaySeconds: delay!,
    backoffRate: backoff as number,
    ...(maxDelay !== undefined && { maxDelaySeconds: maxDelay }),
    jitter: jitter as 'none' | 'full',
  };
}

export function toTriggerRule(
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): TriggerRule | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (TRIGGER_RULES as readonly string[]).includes(value))
    return value as TriggerRule;
  out.error(
    'unknown-trigger-rule',
    `trigger rule ${JSON.stringify(value)} is not one of Airflow's${typeof value === 'string' ? didYouMean(value, TRIGGER_RULES) : ''}`,
    {
      ...details,
      path: details.path ?? 'triggerRule',
      hint: `use one of: ${TRIGGER_RULES.join(', ')}`,
    },
  );
  return undefined;
}

export function checkConnectionId(
  id: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): id is string {
  if (typeof id === 'string' && CONNECTION_ID.test(id) && id.length <= MAX_CONNECTION_ID)
    return true;
  const shown = JSON.stringify(id);
  const fixed =
    typeof id === 'string'
      ? id
          .toLowerCase()
          .replace(/[^a-z0-9_]+/g, '_')
          .replace(/^[^a-z]+/, '')
      : '';
  out.error(
    'invalid-connection-id',
    `connection id ${shown} is not valid: connection ids are lowercase letters, digits and "_", start with a letter and have at most ${MAX_CONNECTION_ID} characters (they become UPDRAFT_CONN_<ID> variables and Secrets Manager names)`,
    {
      ...details,
      hint: fixed ? `rename it to "${fixed}"` : 'use a name such as "warehouse"',
    },
  );
  return false;
}

export function toConnections(
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    out.error(
      'invalid-connections',
      `connections must be a list of connection ids, got ${JSON.stringify(value)}`,
      { ...details, path: 'connections', hint: "write connections: ['warehouse']" },
    );
    return [];
  }
  return value.filter((id) => checkConnectionId(id, out, { ...details, path: 'connections' }));
}

export function toDatasets(
  label: 'inlets' | 'outlets' | 'schedule',
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    out.error(
      'invalid-datasets',
      `${label} must be a list of dataset('scheme://...') values, got ${JSON.stringify(value)}`,
      { ...details, path: label },
    );
    return [];
  }
  const uris: string[] = [];
  for (const item of value) {
    const uri = typeof item === 'string' ? item : (item as { uri?: unknown } | null)?.uri;
    if (typeof uri !== 'string' || !DATASET_URI.test(uri)) {
      out.error(
        'invalid-dataset-uri',
        `${label} has dataset ${JSON.stringify(uri ?? item)}, which is not a URI with a scheme`,
        {
          ...details,
          path: label,
          hint: "name datasets by URI, e.g. dataset('s3://lake/orders') or dataset('postgres://warehouse/public.orders')",
        },
      );
    } else {
      uris.push(uri);
    }
  }
  return [...new Set(uris)];
}

/**
 * A data-aware schedule's condition: a dataset (or its URI), or `{ kind: 'all' | 'any', of }`
 * nested. Undefined (with the problem reported) when it cannot be read.
 */
export function toDatasetCondition(
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): DatasetCondition | undefined {
  const c = value as { kind?: unknown; of?: unknown; uri?: unknown } | null;
  if (typeof value === 'string' || c?.kind === 'dataset') {
    const [uri] = toDatasets('schedule', [value], out, details);
    return uri === undefined ? undefined : { kind: 'dataset', uri };
  }
  if ((c?.kind === 'all' || c?.kind === 'any') && Array.isArray(c.of)) {
    if (c.of.length === 0) {
      out.error(
        'empty-dataset-schedule',
        `schedule has an empty ${c.kind === 'all' ? 'allOf()' : 'anyOf()'}, so the DAG would never run`,
        { ...details, hint: 'list the datasets it consumes, or use manual()' },
      );
      return undefined;
    }
    const of = c.of.map((item) => toDatasetCondition(item, out, details));
    if (of.some((item) => item === undefined)) return undefined;
    return { kind: c.kind, of: of as DatasetCondition[] };
  }
  out.error(
    'invalid-schedule',
    `dataset schedule ${JSON.stringify(value)} is not a dataset, allOf(...) or anyOf(...)`,
    {
      ...details,
      hint: "write onDatasets([dataset('s3://lake/orders')]) or onDatasets(anyOf(a, allOf(b, c)))",
    },
  );
  return undefined;
}

export function toPool(
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): PoolIR | undefined {
  if (value === undefined) return undefined;
  const p = value as { kind?: unknown; name?: unknown; slots?: unknown };
  if (p?.kind !== 'pool') {
    out.error(
      'invalid-pool',
      `pool must be declared with pool('name', { slots: N }), got ${JSON.stringify(value)}`,
      { ...details, path: 'pool' },
    );
    return undefined;
  }
  let ok = true;
  if (typeof p.name !== 'string' || !NODE_ID.test(p.name)) {
    ok = false;
    out.error(
      'invalid-pool',
      `pool name ${JSON.stringify(p.name)} must use letters, digits, "_" and "-"`,
      { ...details, path: 'pool' },
    );
  }
  if (!isPositiveInt(p.slots)) {
    ok = false;
    out.error(
      'invalid-pool-slots',
      `pool "${String(p.name)}" has ${JSON.stringify(p.slots)} slots but needs a whole number of at least 1`,
      { ...details, path: 'pool.slots' },
    );
  }
  return ok ? { name: p.name as string, slots: p.slots as number } : undefined;
}

export function toNotifications(
  value: unknown,
  out: ProblemCollector,
  details: ProblemDetails,
): NotificationIR[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    out.error(
      'invalid-notify',
      `notify must be a list such as [notify.slack('alerts')], got ${JSON.stringify(value)}`,
      { ...details, path: 'notify' },
    );
    return [];
  }
  const result: NotificationIR[] = [];
  for (const n of value as {
    kind?: unknown;
    on?: unknown;
    channel?: { kind: string; connection?: unknown; topic?: string };
  }[]) {
    if (n?.kind !== 'notification' || !n.channel) {
      out.error(
        'invalid-notify',
        `notify entries are made with notify.sns(), notify.slack(conn) or notify.webhook(conn), got ${JSON.stringify(n)}`,
        { ...details, path: 'notify' },
      );
      continue;
    }
    const on = Array.isArray(n.on) ? n.on : [];
    const badEvents = on.filter((e) => !(NOTIFY_EVENTS as readonly unknown[]).includes(e));
    if (badEvents.length > 0 || on.length === 0) {
      out.error(
        'invalid-notify-event',
        `notify "on" has ${JSON.stringify(badEvents.length ? badEvents : on)}; allowed events: ${NOTIFY_EVENTS.join(', ')}`,
        { ...details, path: 'notify.on' },
      );
      continue;
    }
    if (
      n.channel.kind !== 'sns' &&
      !checkConnectionId(n.channel.connection, out, { ...details, path: 'notify' })
    )
      continue;
    result.push({
      on: on as NotificationIR['on'],
      channel: n.channel as NotificationIR['channel'],
    });
  }
  return result;
}

export function isPositiveInteger(n: unknown): n is number {
  return isPositiveInt(n);
}

/** `toleratedFailures`: a whole number of instances (≥ 0), or a percentage from 0 to 100 (`'5%'`). */
export function toleratedFailuresOf(
  value: unknown,
  label: string,
  out: ProblemCollector,
  details: ProblemDetails,
): { count: number } | { percent: number } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { count: value };
  const percent = typeof value === 'string' && /^(\d+(\.\d+)?)%$/.exec(value)?.[1];
  if (percent && Number(percent) <= 100) return { percent: Number(percent) };
  out.error(
    'invalid-tolerated-failures',
    `${label} toleratedFailures is ${JSON.stringify(value)} but must be a whole number of instances (0 or more) or a percentage from 0% to 100%`,
    {
      ...details,
      path: 'toleratedFailures',
      hint: "e.g. toleratedFailures: 3, or toleratedFailures: '5%'",
    },
  );
  return undefined;
}

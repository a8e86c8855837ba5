/**
 * @module sdk/schedule
 * Schedule factories, data underneath (CONTRIBUTING.md#choices-through-small-factories):
 * `cron('0 2 * * *', { timezone })`, presets (`'@daily'`), `rate('6h')`, `manual()`,
 * `onDatasets([...])` with `allOf`/`anyOf` conditions. The DAG's `timezone` option is the default zone for all of them.
 */
import type { Duration } from './duration.ts';
import type { Dataset } from './dataset.ts';

export type Preset = '@hourly' | '@daily' | '@weekly' | '@monthly' | '@yearly' | '@annually';

export type ScheduleSpec =
  | { readonly kind: 'cron'; readonly expression: string; readonly timezone?: string }
  | { readonly kind: 'rate'; readonly every: Duration; readonly timezone?: string }
  | { readonly kind: 'manual' }
  | {
      readonly kind: 'datasets';
      readonly condition: DatasetConditionSpec;
      readonly or?: ScheduleSpec | Preset;
    };

/** Dataset updates that start a run: a dataset, `allOf(...)` or `anyOf(...)`, nested at will. */
export type DatasetConditionSpec =
  | Dataset
  | { readonly kind: 'all'; readonly of: readonly DatasetConditionSpec[] }
  | { readonly kind: 'any'; readonly of: readonly DatasetConditionSpec[] };

/** A cron schedule: 5 fields (minute hour day-of-month month day-of-week) or a preset, in a timezone. */
export function cron(
  expression: string | Preset,
  options: { readonly timezone?: string } = {},
): ScheduleSpec {
  return { kind: 'cron', expression, timezone: options.timezone };
}

/** A fixed period anchored at the DAG's start date: `rate('6h')`. */
export function rate(every: Duration, options: { readonly timezone?: string } = {}): ScheduleSpec {
  return { kind: 'rate', every, timezone: options.timezone };
}

/** No schedule: runs only when triggered (CLI, API, another DAG). */
export function manual(): ScheduleSpec {
  return { kind: 'manual' };
}

/**
 * Data-aware: run when datasets were updated by other DAGs' tasks (their `outlets`) since this
 * DAG's last dataset-triggered run. A list means all of them (`{ mode: 'any' }`: any of them); a
 * condition nests `allOf` and `anyOf`: `onDatasets(anyOf(orders, allOf(customers, prices)))`.
 * `{ or: cron('0 6 * * *') }` also runs on that schedule (Airflow's AssetOrTimeSchedule): its
 * runs get the schedule's data intervals, the dataset-triggered ones theirs.
 */
export function onDatasets(
  datasets: readonly Dataset[] | DatasetConditionSpec,
  options: { readonly mode?: 'all' | 'any'; readonly or?: ScheduleSpec | Preset } = {},
): ScheduleSpec {
  const condition: DatasetConditionSpec = Array.isArray(datasets)
    ? { kind: options.mode ?? 'all', of: datasets }
    : (datasets as DatasetConditionSpec);
  return { kind: 'datasets', condition, ...(options.or !== undefined && { or: options.or }) };
}

/** Every one of these updated (Airflow's `a & b`). */
export function allOf(...of: readonly DatasetConditionSpec[]): DatasetConditionSpec {
  return { kind: 'all', of };
}

/** Any one of these updated (Airflow's `a | b`). */
export function anyOf(...of: readonly DatasetConditionSpec[]): DatasetConditionSpec {
  return { kind: 'any', of };
}

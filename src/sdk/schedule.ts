/**
 * @module sdk/schedule
 * Schedule factories, data underneath (CONTRIBUTING.md#choices-through-small-factories):
 * `cron('0 2 * * *', { timezone })`, presets (`'@daily'`), `rate('6h')`, `manual()`,
 * `onDatasets([...])`. The DAG's `timezone` option is the default zone for all of them.
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
      readonly datasets: readonly Dataset[];
      readonly mode: 'all' | 'any';
    };

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

/** Data-aware: run when the datasets were updated by other DAGs' tasks (`all` of them since the last run, or `any`). */
export function onDatasets(
  datasets: readonly Dataset[],
  options: { readonly mode?: 'all' | 'any' } = {},
): ScheduleSpec {
  return { kind: 'datasets', datasets, mode: options.mode ?? 'all' };
}

/**
 * @module schedule/presets
 * Cron presets (`@daily` …) as Airflow names them, and their 5-field expansions.
 */

/** The presets a DAG may use instead of 5 cron fields (Airflow's names and meaning). */
export const CRON_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
});

/** Presets Airflow (or cron) knows that have no time-based meaning here, with the reason. */
export const UNSUPPORTED_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  '@once': 'a DAG that runs once is a manual schedule: use manual() and trigger the run yourself',
  '@continuous': "runs back to back are not supported: use a rate schedule such as rate('5m')",
  '@reboot': 'there is no machine that reboots: use manual() or a cron schedule',
});

/** Expand a preset to 5 fields; returns the expression unchanged otherwise. */
export function expandPreset(expression: string): string {
  return CRON_PRESETS[expression.trim().toLowerCase()] ?? expression;
}

/**
 * @module sdk/values
 * Run values and string templates for operator parameters and sensor keys, where no task
 * code runs to compute them: `format\`raw/${runValues.ds}/orders.csv\``.
 */
import { escapeTemplateText } from '../ir/format.ts';
import { ContextRef, FormatRef } from './builder.ts';

/** Values of the current run (compiled to references into the run's input). */
export const runValues = {
  dagId: new ContextRef<string>('dagId'),
  runId: new ContextRef<string>('runId'),
  /** Start of the data interval, ISO-8601. */
  logicalDate: new ContextRef<string>('logicalDate'),
  /** Logical date as YYYY-MM-DD in the DAG's timezone. */
  ds: new ContextRef<string>('ds'),
  dataIntervalStart: new ContextRef<string>('dataIntervalStart'),
  dataIntervalEnd: new ContextRef<string>('dataIntervalEnd'),
  params: new ContextRef<Record<string, unknown>>('params'),
} as const;

/** A string with run values or upstream outputs in it (compiled to `States.Format`). */
export function format(strings: TemplateStringsArray, ...values: unknown[]): FormatRef {
  // Literal braces in the text are escaped, so only the `${…}` holes are placeholders.
  return new FormatRef(strings.map(escapeTemplateText).join('{}'), values);
}

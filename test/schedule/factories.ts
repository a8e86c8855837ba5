/**
 * Short factories for schedule tests: DAGs with a cron or rate schedule, and runs as ISO strings
 * so that assertions compare exact instants.
 */
import type { DatasetCondition, Schedule } from '../../src/ir/types.ts';
import { datasetsOf, type RunInterval, type ScheduledDag } from '../../src/schedule/index.ts';

export function cronDag(
  expression: string,
  timezone = 'UTC',
  dates: { startDate?: string; endDate?: string } = {},
): ScheduledDag {
  return { schedule: { kind: 'cron', expression, timezone }, ...dates };
}

export function rateDag(
  everySeconds: number,
  dates: { startDate?: string; endDate?: string } = {},
  timezone = 'UTC',
): ScheduledDag {
  return {
    schedule: { kind: 'rate', everySeconds, expression: `${everySeconds}s`, timezone },
    ...dates,
  };
}

export const manual: Schedule = { kind: 'manual' };
/** A dataset, an `all` or an `any` of them, for the IR. */
export const ds = (uri: string): DatasetCondition => ({ kind: 'dataset', uri });
export const all = (...of: DatasetCondition[]): DatasetCondition => ({ kind: 'all', of });
export const any = (...of: DatasetCondition[]): DatasetCondition => ({ kind: 'any', of });

export function onDatasetsIR(condition: DatasetCondition): Schedule {
  return { kind: 'datasets', condition, datasets: datasetsOf(condition) };
}

export const datasets: Schedule = onDatasetsIR(all(ds('s3://a'), ds('s3://b')));

/** `start → end` of a run's data interval, ISO-8601 UTC without milliseconds. */
export function span(run: RunInterval | undefined): string | undefined {
  if (!run) return undefined;
  return `${iso(run.dataIntervalStart)} → ${iso(run.dataIntervalEnd)}`;
}

export function spans(runs: readonly RunInterval[]): string[] {
  return runs.map((run) => span(run) ?? '');
}

export function iso(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

export function at(text: string): Date {
  return new Date(text);
}

/** Local wall-clock hour of an instant in a zone (0-23). */
export function localHour(date: Date, timezone: string): number {
  return Number(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(date),
  );
}

/**
 * @module schedule/describe-schedule
 * One line of English for a schedule, for `updraft list`, the UI and validation messages.
 */
import cronstrue from 'cronstrue';
import { assertNever, type Schedule } from '../ir/types.ts';
import { expandPreset } from './presets.ts';
import { describeCondition } from './dataset-condition.ts';

const UNITS = [
  { seconds: 86_400, name: 'day' },
  { seconds: 3_600, name: 'hour' },
  { seconds: 60, name: 'minute' },
  { seconds: 1, name: 'second' },
] as const;

/** "At 02:00 every day (Europe/Berlin)", "Every 6 hours", "Manual only", "When s3://a and s3://b are updated". */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'cron':
      return `${describeCron(schedule.expression)} (${schedule.timezone})`;
    case 'rate':
      return describeRate(schedule.everySeconds);
    case 'manual':
      return 'Manual only';
    case 'datasets':
      return schedule.time
        ? `${describeCondition(schedule.condition)}, or ${lowerFirst(describeSchedule(schedule.time))}`
        : describeCondition(schedule.condition);
    default:
      return assertNever(schedule, 'schedule kind');
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function describeCron(expression: string): string {
  const fields = expandPreset(expression).trim().split(/\s+/);
  let text: string;
  try {
    text = cronstrue.toString(fields.join(' '), { use24HourTimeFormat: true });
  } catch {
    return `Cron "${expression}"`;
  }
  // cronstrue says "At 02:00" for a daily time; say which days, as it does for the others.
  const everyDay = fields.slice(2).every((field) => field === '*' || field === '?');
  return everyDay && text.startsWith('At ') ? `${text} every day` : text;
}

function describeRate(everySeconds: number): string {
  const unit = UNITS.find((u) => everySeconds % u.seconds === 0) ?? UNITS[3];
  const count = everySeconds / unit.seconds;
  return count === 1 ? `Every ${unit.name}` : `Every ${count} ${unit.name}s`;
}

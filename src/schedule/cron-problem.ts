/**
 * @module schedule/cron-problem
 * Says what is wrong with a cron expression, in the DAG author's terms. croner is the final
 * judge of what parses, but its messages speak of its internals (`Invalid value for day: 31`
 * for a day-of-month of 32, because it counts from 0), so the common mistakes are checked here
 * first, field by field, and croner is asked only about what is left.
 */
import { Cron } from 'croner';
import { CRON_PRESETS, UNSUPPORTED_PRESETS } from './presets.ts';

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names allowed in place of numbers (JAN = 1, SUN = 0). */
  readonly names?: readonly string[];
  /** croner's extensions in this field (`L`, `15W`, `FRI#2`, `5L`), validated by croner. */
  readonly extension?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, extension: /^(L|LW|\d+W)$/i },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // 0 and 7 are both Sunday, as in Vixie cron.
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, extension: /^(\d+|[A-Z]{3})(L|#\d+|#L)$/i },
];

const FIELD_NAMES = FIELDS.map((f) => f.name).join(' ');

/** Options every cron evaluation in Updraft uses, so validation and evaluation agree. */
export const CRONER_OPTIONS = {
  mode: '5-part',
  // Vixie cron's rule (and, in effect, Airflow's): a time with no wildcard or step in minute and
  // hour (`30 2 * * *`, `30 2,14 * * *`) fires once on a DST day, at the first valid time after a
  // gap and at the first occurrence of a repeated time. croner's default counts only single
  // values, so a list such as `30 2,14` would skip 02:30 on a spring-forward day.
  fixedTimeRule: 'no-wildcard',
} as const;

/**
 * undefined when valid; otherwise what is wrong with this expression, e.g.
 * `field "hour" has 25 but allows 0-23`.
 */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text === '')
    return `is empty; write 5 fields (${FIELD_NAMES}) such as "0 2 * * *", or a preset such as @daily`;
  if (text.startsWith('@')) return presetProblem(text);

  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    const extra =
      parts.length === 6
        ? '; remove the seconds field (AWS-style year fields are not supported either)'
        : '';
    return `has ${parts.length} field${parts.length === 1 ? '' : 's'} but a cron expression has 5 (${FIELD_NAMES})${extra}`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(field, parts[index] ?? '');
    if (problem) return problem;
  }

  let cron: Cron;
  try {
    cron = new Cron(text, CRONER_OPTIONS);
  } catch (error) {
    return `is not valid: ${String((error as Error).message).replace(/^CronPattern: /, '')}`;
  }
  // Only day-of-month and month together can make an expression match no date (`0 0 30 2 *`).
  // A fixed reference keeps the answer deterministic; croner searches years ahead, so 29 Feb is found.
  if (cron.nextRun(new Date(0)) === null) {
    return `never fires: day-of-month "${parts[2]}" does not occur in month "${parts[3]}"`;
  }
  return undefined;
}

function presetProblem(text: string): string | undefined {
  const name = text.toLowerCase();
  if (name in CRON_PRESETS) return undefined;
  const reason = UNSUPPORTED_PRESETS[name];
  if (reason) return `uses ${name}, which is not supported: ${reason}`;
  return `is an unknown preset "${text}"; presets are ${Object.keys(CRON_PRESETS).join(', ')}`;
}

function fieldProblem(field: Field, text: string): string | undefined {
  const where = `field "${field.name}"`;
  for (const item of text.split(',')) {
    if (item === '') return `${where} has an empty item in the list "${text}"`;
    if (field.extension?.test(item)) continue;

    const [base = '', step, ...rest] = item.split('/');
    if (rest.length > 0) return `${where} has "${item}" with more than one "/"`;
    if (step !== undefined && !/^\d+$/.test(step))
      return `${where} has "${item}" whose step "${step}" is not a whole number`;
    if (step !== undefined && Number(step) === 0)
      return `${where} has "${item}" whose step is 0; a step must be 1 or more`;
    if (base === '*' || base === '?') continue;

    const bounds = base.split('-');
    if (bounds.length > 2)
      return `${where} has "${item}", which is not a valid range; write a range as "1-5"`;
    const values: number[] = [];
    for (const bound of bounds) {
      const value = fieldValue(field, bound);
      if (value === undefined) {
        return `${where} has "${bound}", which is not a number, a range (1-5), a list (1,5) or a step (*/15)${field.names ? ` or a name (${field.names[0]})` : ''}`;
      }
      if (value < field.min || value > field.max)
        return `${where} has ${value} but allows ${field.min}-${field.max}`;
      values.push(value);
    }
    const [from = 0, to = from] = values;
    if (from > to) return `${where} has the range "${base}" whose start is after its end`;
    if (step !== undefined && bounds.length === 1) {
      // Vixie cron has no "start/step"; croniter and AWS read it as "start-max/step".
      return `${where} has "${item}"; write "${base}-${field.max}/${step}" (or "*/${step}" to start at ${field.min})`;
    }
  }
  return undefined;
}

function fieldValue(field: Field, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) return undefined;
  return field.names === MONTHS ? index + 1 : index;
}

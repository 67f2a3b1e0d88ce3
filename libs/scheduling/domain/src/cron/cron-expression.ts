import { ValidationError } from '@trainyard/kernel';
import { CronExpressionParser } from 'cron-parser';

/**
 * A five-field cron expression as value sets: what a wall-clock minute must match. Only the field
 * syntax is cron-parser's; iteration and time zones are the resolver's (zone-resolver.ts).
 */
export interface CronSchedule {
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 in the expression is read as Sunday). */
  readonly daysOfWeek: ReadonlySet<number>;
  /**
   * Vixie cron: when the day-of-month or day-of-week field starts with `*`, a day must match both
   * fields; when both are restricted, a day matches if either does.
   */
  readonly dayMatchesEither: boolean;
  /** The hour field covers all 24 hours (`*`, `*\/1`, `0-23`): the default overlap is then `both`. */
  readonly everyHour: boolean;
}

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
// Numbers, `*`, lists, ranges and steps only: no names, no seconds, no L/W/#/?/H extensions.
const FIELD_SYNTAX = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

const invalid = (reason: string): ValidationError =>
  new ValidationError('cron', `cron must be a five-field expression (${reason})`);

const numbers = (values: readonly (number | string)[]): number[] =>
  values.filter((v): v is number => typeof v === 'number');

/** Parses `minute hour day-of-month month day-of-week`, or a `ValidationError` naming `cron`. */
export const parseCron = (expression: string): CronSchedule => {
  if (typeof expression !== 'string' || expression.trim() === '')
    throw new ValidationError('cron', 'cron is required');
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw invalid(`got ${fields.length} fields`);
  fields.forEach((field, i) => {
    if (!FIELD_SYNTAX.test(field))
      throw invalid(`the ${FIELD_NAMES[i]} field "${field}" is not a number, list, range or step`);
  });
  let parsed;
  try {
    // A fixed currentDate: the parser never reads the clock, and its dates are never used.
    parsed = CronExpressionParser.parse(`0 ${fields.join(' ')}`, { currentDate: 0 });
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  const f = parsed.fields;
  const hours = numbers(f.hour.values);
  return {
    expression: fields.join(' '),
    minutes: numbers(f.minute.values),
    hours,
    daysOfMonth: new Set(numbers(f.dayOfMonth.values)),
    months: new Set(numbers(f.month.values)),
    daysOfWeek: new Set(numbers(f.dayOfWeek.values).map((d) => d % 7)),
    dayMatchesEither: !(fields[2] ?? '*').startsWith('*') && !(fields[4] ?? '*').startsWith('*'),
    everyHour: hours.length === 24,
  };
};

/** Whether a local calendar day matches the day-of-month, month and day-of-week fields. */
export const cronMatchesDay = (
  schedule: CronSchedule,
  month: number,
  day: number,
  dayOfWeek: number,
): boolean => {
  if (!schedule.months.has(month)) return false;
  const dom = schedule.daysOfMonth.has(day);
  const dow = schedule.daysOfWeek.has(dayOfWeek);
  return schedule.dayMatchesEither ? dom || dow : dom && dow;
};

import { ValidationError, isIsoInstant } from '@trainyard/kernel';
import { Temporal } from 'temporal-polyfill';
import { daysFromCivil, type CivilDate } from '../time/civil-date';

/** One end of a preview range: a local calendar date in the zone (whole day), or an instant. */
export type RangeBound =
  | { readonly kind: 'date'; readonly date: CivilDate; readonly days: number }
  | { readonly kind: 'instant'; readonly epochMs: number };

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339: a date, `T`, a time with seconds (fraction optional) and `Z` or an offset.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DD` or an RFC 3339 instant, or a `ValidationError` naming `field`. */
export const parseRangeBound = (field: string, value: unknown): RangeBound => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, `${field} is required`);
  const date = LOCAL_DATE.exec(value);
  if (date) {
    const civil = { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
    try {
      Temporal.PlainDate.from(civil, { overflow: 'reject' });
    } catch {
      throw new ValidationError(field, `${field} is not a calendar date; got ${value}`);
    }
    return { kind: 'date', date: civil, days: daysFromCivil(civil) };
  }
  if (RFC_3339.test(value) && isIsoInstant(value.toUpperCase())) {
    try {
      return { kind: 'instant', epochMs: Temporal.Instant.from(value).epochMilliseconds };
    } catch {
      // Falls through to the message below (e.g. 25:00).
    }
  }
  throw new ValidationError(
    field,
    `${field} must be a local date YYYY-MM-DD or an RFC 3339 instant; got ${value}`,
  );
};

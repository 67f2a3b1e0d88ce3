import { ValidationError, validateAll } from '@trainyard/kernel';
import { Temporal } from 'temporal-polyfill';
import { cronMatchesDay, parseCron, type CronSchedule } from '../cron/cron-expression';
import { DAY_MS, civilFromDays, dayOfWeek, formatUtcInstant } from '../time/civil-date';
import { resolveDstPolicy, type GapPolicy, type OverlapPolicy } from '../time/dst-policy';
import { ZoneResolver } from '../time/zone-resolver';
import { parseRangeBound, type RangeBound } from './preview-range';

/** What a caller asks: every field a string as it arrived (query string, gRPC message). */
export interface PreviewScheduleRequest {
  readonly cron: string;
  readonly zone: string;
  readonly from: string;
  readonly to: string;
  /** `shift` or `skip`; omitted (or empty) is the default. */
  readonly gap?: string;
  /** `first`, `last` or `both`; omitted (or empty) is the default. */
  readonly overlap?: string;
}

export interface SchedulePreview {
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`, strictly ascending. */
  readonly instants: string[];
  /** The policies as applied (defaults resolved). */
  readonly gap: GapPolicy;
  readonly overlap: OverlapPolicy;
}

export const PREVIEW_MAX_INSTANTS = 100_000;
/**
 * The longest range, in local days (100 years): a sparse expression over millennia would cost
 * seconds of resolver work for an answer nobody needs.
 */
export const PREVIEW_MAX_DAYS = 36_525;

const blankToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/**
 * The UTC instants a cron expression names in a zone between two bounds, one local calendar day at
 * a time: for each matching date, its hours × minutes, resolved by the zone resolver under the DST
 * policy. Identical instants count once. Pure: no clock, no I/O.
 */
export const previewSchedule = (
  request: PreviewScheduleRequest,
  maxInstants = PREVIEW_MAX_INSTANTS,
): SchedulePreview => {
  const policies = {
    gap: blankToUndefined(request.gap),
    overlap: blankToUndefined(request.overlap),
  };
  // Every field is checked before any is refused: a request with several mistakes names them all.
  const parsed: {
    schedule?: CronSchedule;
    resolver?: ZoneResolver;
    from?: RangeBound;
    to?: RangeBound;
  } = {};
  validateAll(
    () => (parsed.schedule = parseCron(request.cron)),
    () => (parsed.resolver = ZoneResolver.for(request.zone)),
    () => (parsed.from = parseRangeBound('from', request.from)),
    () => (parsed.to = parseRangeBound('to', request.to)),
    // The defaults depend on the expression; whether a given policy is valid does not.
    () => resolveDstPolicy(policies, parsed.schedule?.everyHour ?? false),
  );
  const { schedule, resolver, from, to } = parsed;
  if (!schedule || !resolver || !from || !to) throw new Error('previewSchedule: unchecked input');
  const policy = resolveDstPolicy(policies, schedule.everyHour);
  if (lowerInstant(from, request.zone) > upperInstant(to, request.zone))
    throw new ValidationError(
      'to',
      `to must not be before from; got ${request.to} before ${request.from}`,
    );

  const fromDay = from.kind === 'date' ? from.days : localDays(from.epochMs, resolver);
  const toDay = to.kind === 'date' ? to.days : localDays(to.epochMs, resolver);
  if (toDay - fromDay >= PREVIEW_MAX_DAYS)
    throw new ValidationError('to', `to must be less than 100 years after from; got ${request.to}`);
  // Instant bounds widen the days by one each way: a gap shifts a wall time forward into the next
  // day, and a zone is at most a day away from UTC.
  const firstDay = from.kind === 'date' ? fromDay : fromDay - 1;
  const lastDay = to.kind === 'date' ? toDay : toDay + 1;
  const minutesOfDay = schedule.hours.flatMap((h) => schedule.minutes.map((m) => h * 60 + m));
  const tooMany = () =>
    new ValidationError(
      'to',
      `to makes a range of more than ${maxInstants} instants; narrow the range or the expression`,
    );

  const instants: number[] = [];
  for (let days = firstDay; days <= lastDay; days++) {
    const date = civilFromDays(days);
    if (!cronMatchesDay(schedule, date.month, date.day, dayOfWeek(days))) continue;
    resolver.resolveDay(date, days, minutesOfDay, policy, instants);
    // Duplicates are at most a few per transition: twice the limit raw is over it for certain.
    if (instants.length > 2 * maxInstants) throw tooMany();
  }

  const low = from.kind === 'instant' ? from.epochMs : -Infinity;
  const high = to.kind === 'instant' ? to.epochMs : Infinity;
  // A shifted wall time can land after the next day's first instants: sort, then count each once.
  const sorted = instants.filter((t) => t >= low && t <= high).sort((a, b) => a - b);
  const unique = sorted.filter((t, i) => i === 0 || t !== sorted[i - 1]);
  if (unique.length > maxInstants) throw tooMany();
  return { instants: unique.map(formatUtcInstant), gap: policy.gap, overlap: policy.overlap };
};

const localDays = (epochMs: number, resolver: ZoneResolver): number =>
  Math.floor((epochMs + resolver.offsetAt(epochMs)) / DAY_MS);

// For comparing the bounds only: a date is its local day from midnight to the next midnight.
const lowerInstant = (bound: RangeBound, zone: string): number =>
  bound.kind === 'instant' ? bound.epochMs : startOfDay(bound.days, zone);
const upperInstant = (bound: RangeBound, zone: string): number =>
  bound.kind === 'instant' ? bound.epochMs : startOfDay(bound.days + 1, zone) - 1;
const startOfDay = (days: number, zone: string): number =>
  Temporal.PlainDate.from(civilFromDays(days)).toZonedDateTime(zone).epochMilliseconds;

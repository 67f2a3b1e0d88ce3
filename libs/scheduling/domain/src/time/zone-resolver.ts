import { ValidationError } from '@trainyard/kernel';
import { Temporal } from 'temporal-polyfill';
import { DAY_MS, MINUTE_MS, civilFromDays, type CivilDate } from './civil-date';
import type { DstPolicy } from './dst-policy';

/**
 * The one time-zone resolver of the code base (ADR 0011): wall-clock times in an IANA zone to UTC
 * instants, with an explicit policy for gaps and overlaps. Never the database's AT TIME ZONE, never
 * a cron library's own time-zone handling.
 */
export class ZoneResolver {
  // The offset known to hold, with no transition near enough to make a wall time of a day
  // ambiguous, over [segmentStart, segmentEnd): the common day needs no Temporal call at all.
  private segmentStart = Infinity;
  private segmentEnd = -Infinity;
  private segmentOffset = 0;

  private constructor(readonly zone: string) {}

  /** A resolver for an IANA zone name (or `UTC`), or a `ValidationError` naming `field`. */
  static for(zone: string, field = 'zone'): ZoneResolver {
    if (typeof zone !== 'string' || zone.trim() === '')
      throw new ValidationError(field, `${field} is required`);
    // Offsets such as +02:00 are valid Temporal zones, but not IANA names: no DST rules to honour.
    if (/^[+-]/.test(zone) || !isKnownZone(zone))
      throw new ValidationError(field, `${field} must be an IANA time zone name; got ${zone}`);
    return new ZoneResolver(zone);
  }

  /**
   * The instants of wall times `minutesOfDay` (ascending) on the local date `date` (`days` its day
   * number), appended to `out` in that order, each resolved with `policy`.
   */
  resolveDay(
    date: CivilDate,
    days: number,
    minutesOfDay: readonly number[],
    policy: DstPolicy,
    out: number[],
  ): void {
    const localMidnight = days * DAY_MS;
    if (!this.offsetHoldsAllDay(localMidnight)) this.refresh(date);
    if (this.offsetHoldsAllDay(localMidnight)) {
      const base = localMidnight - this.segmentOffset;
      for (const m of minutesOfDay) out.push(base + m * MINUTE_MS);
      return;
    }
    for (const m of minutesOfDay) this.resolveAmbiguous(date, m, policy, out);
  }

  /**
   * The instants of one wall time, given as local epoch milliseconds (the wall time read as if it
   * were UTC, whole minutes), appended to `out`: none (a skipped gap), one, or two (an overlap
   * under `both`), ascending. The common day costs no date arithmetic at all.
   */
  resolveLocal(localMs: number, policy: DstPolicy, out: number[]): void {
    const days = Math.floor(localMs / DAY_MS);
    const localMidnight = days * DAY_MS;
    if (!this.offsetHoldsAllDay(localMidnight)) this.refresh(civilFromDays(days));
    if (this.offsetHoldsAllDay(localMidnight)) {
      out.push(localMs - this.segmentOffset);
      return;
    }
    this.resolveAmbiguous(
      civilFromDays(days),
      Math.round((localMs - localMidnight) / MINUTE_MS),
      policy,
      out,
    );
  }

  /** The wall time an instant reads in this zone, as local epoch milliseconds (wall time read as UTC). */
  localMsAt(epochMs: number): number {
    if (epochMs >= this.segmentStart && epochMs < this.segmentEnd)
      return epochMs + this.segmentOffset;
    return epochMs + this.offsetAt(epochMs);
  }

  /** The offset in force at an instant, in milliseconds (for checks and tests). */
  offsetAt(epochMs: number): number {
    return (
      Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(this.zone)
        .offsetNanoseconds / 1e6
    );
  }

  // Every wall time of the day, read with the segment's offset, lies inside the segment, and no
  // transition is within a day after it (a fall-back can reach a day back into wall time).
  private offsetHoldsAllDay(localMidnight: number): boolean {
    const start = localMidnight - this.segmentOffset;
    return start >= this.segmentStart && start + 2 * DAY_MS < this.segmentEnd;
  }

  private refresh(date: CivilDate): void {
    const startOfDay = Temporal.PlainDate.from(date).toZonedDateTime(this.zone);
    const next = startOfDay.getTimeZoneTransition('next');
    const isMidnight = startOfDay.hour === 0 && startOfDay.minute === 0;
    // A day whose midnight fell into a gap starts on a transition: resolve it wall time by wall time.
    this.segmentStart = isMidnight ? startOfDay.epochMilliseconds : Infinity;
    this.segmentEnd = next ? next.epochMilliseconds : Infinity;
    this.segmentOffset = startOfDay.offsetNanoseconds / 1e6;
  }

  private resolveAmbiguous(date: CivilDate, minuteOfDay: number, policy: DstPolicy, out: number[]) {
    const wall = Temporal.PlainDateTime.from({
      ...date,
      hour: Math.floor(minuteOfDay / 60),
      minute: minuteOfDay % 60,
    });
    const earlier = wall.toZonedDateTime(this.zone, { disambiguation: 'earlier' });
    const later = wall.toZonedDateTime(this.zone, { disambiguation: 'later' });
    if (earlier.epochMilliseconds === later.epochMilliseconds) {
      out.push(earlier.epochMilliseconds);
    } else if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), wall) === 0) {
      // An overlap: both instants read this wall time.
      if (policy.overlap !== 'last') out.push(earlier.epochMilliseconds);
      if (policy.overlap !== 'first') out.push(later.epochMilliseconds);
    } else if (policy.gap === 'shift') {
      // A gap: 'later' reads the wall time with the offset before the gap (02:30 EST = 03:30 EDT).
      out.push(later.epochMilliseconds);
    }
  }
}

const isKnownZone = (zone: string): boolean => {
  try {
    Temporal.PlainDate.from('2000-01-01').toZonedDateTime(zone);
    return true;
  } catch {
    return false;
  }
};

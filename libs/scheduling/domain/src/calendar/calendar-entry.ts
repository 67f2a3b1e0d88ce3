import type { DstPolicy } from '../time/dst-policy';

/**
 * The calendar's vocabulary, shared by every part of scheduling (definitions, occurrences,
 * overrides, placement, conflicts, iCalendar). A definition keeps its IANA zone and its nominal
 * local definition; instants are only ever derived from it (ADR 0011), never stored in its place.
 */

/** What a calendar entry means for a deployment. */
export type CalendarEntryKind =
  /** When a train, team, environment or component may deploy. */
  | 'deployment-window'
  /** When a component (and its children) may be changed. */
  | 'maintenance-window'
  /** When nobody may deploy without an active override. */
  | 'freeze'
  /** Days of a business or holiday calendar (e.g. a team's holidays, month-end close). */
  | 'holiday';

export const CALENDAR_ENTRY_KINDS: readonly CalendarEntryKind[] = [
  'deployment-window',
  'maintenance-window',
  'freeze',
  'holiday',
];

/**
 * Who an entry applies to. Each list absent or empty = every value of that dimension; an entry
 * applies to a deployment when every non-empty list holds the deployment's value (components:
 * any of the deployment's components, or one of their parents for maintenance windows).
 */
export interface CalendarScope {
  readonly trains?: readonly string[];
  readonly teams?: readonly string[];
  readonly environments?: readonly string[];
  readonly components?: readonly string[];
}

/**
 * An RFC 5545 recurrence in the entry's local wall time: `rule` is an RRULE value without the
 * `RRULE:` prefix (`FREQ=WEEKLY;BYDAY=TU,TH`); `UNTIL`, when given, is a local date-time or date.
 * `exceptions` (EXDATE) and `additions` (RDATE) are local start date-times `YYYY-MM-DDTHH:MM`.
 */
export interface CalendarRecurrence {
  readonly rule: string;
  readonly exceptions?: readonly string[];
  readonly additions?: readonly string[];
}

/** One calendar definition, as its owner wrote it. */
export interface CalendarEntryDefinition {
  readonly id: string;
  readonly kind: CalendarEntryKind;
  readonly name: string;
  /** IANA time zone of the nominal local times. */
  readonly zone: string;
  /** First occurrence's local start, `YYYY-MM-DDTHH:MM` (a holiday: `YYYY-MM-DDT00:00`). */
  readonly start: string;
  /** ISO 8601 duration of each occurrence in wall-clock terms, e.g. `PT4H`, `P1D`. */
  readonly duration: string;
  /** Absent = one occurrence only. */
  readonly recurrence?: CalendarRecurrence;
  /** How a local start inside a DST gap or overlap resolves (defaults: gap shift, overlap first). */
  readonly dstPolicy: DstPolicy;
  readonly scope: CalendarScope;
  /**
   * Ids of holiday entries whose days this entry also covers (a freeze "on the payments team's
   * holidays") or, for a deployment window, whose days it excludes.
   */
  readonly holidayRefs?: readonly string[];
  /** Deployment windows: only inside the deploying team's working hours in the team's own zone. */
  readonly teamWorkingHoursOnly?: boolean;
}

/** One occurrence of a definition: UTC instants plus the local wall times they came from. */
export interface CalendarOccurrence {
  readonly entryId: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly start: string;
  readonly end: string;
  /** The nominal local start and end, `YYYY-MM-DDTHH:MM`, in `zone`. */
  readonly localStart: string;
  readonly localEnd: string;
  readonly zone: string;
  /**
   * Set when the occurrence comes from a referenced holiday entry (a freeze covering the payments
   * team's holidays): that entry's id; `zone` and the local times are then the holiday's.
   */
  readonly source?: string;
}

/** A half-open UTC interval [start, end) in epoch milliseconds: placement's working unit. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

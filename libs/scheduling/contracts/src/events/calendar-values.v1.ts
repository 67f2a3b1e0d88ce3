/** An RFC 3339 instant, e.g. `2031-05-04T09:00:00.000Z`. */
export type InstantV1 = string;

export type CalendarEntryKindV1 = 'deployment-window' | 'maintenance-window' | 'freeze' | 'holiday';

/** Who an entry applies to; an absent or empty list = every value. */
export interface CalendarScopeV1 {
  readonly trains?: readonly string[];
  readonly teams?: readonly string[];
  readonly environments?: readonly string[];
  readonly components?: readonly string[];
}

/** A calendar definition as its owner wrote it: nominal local times in an IANA zone. */
export interface CalendarEntryDefinitionV1 {
  readonly id: string;
  readonly kind: CalendarEntryKindV1;
  readonly name: string;
  readonly zone: string;
  /** Local start `YYYY-MM-DDTHH:MM` in `zone`. */
  readonly start: string;
  /** ISO 8601 duration in wall-clock terms. */
  readonly duration: string;
  readonly recurrence?: {
    /** RFC 5545 RRULE value, local UNTIL. */
    readonly rule: string;
    /** EXDATE, local `YYYY-MM-DDTHH:MM`. */
    readonly exceptions?: readonly string[];
    /** RDATE, local `YYYY-MM-DDTHH:MM`. */
    readonly additions?: readonly string[];
  };
  readonly dstPolicy: {
    readonly gap: 'shift' | 'skip';
    readonly overlap: 'first' | 'last' | 'both';
  };
  readonly scope: CalendarScopeV1;
  readonly holidayRefs?: readonly string[];
  readonly teamWorkingHoursOnly?: boolean;
}

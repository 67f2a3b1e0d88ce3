import type { CalendarScope, Interval } from '../calendar/calendar-entry';

/**
 * Placement's public vocabulary (issue 11 items 4 and 5). Everything is pre-expanded UTC: epoch
 * milliseconds, half-open [start, end). Calendar definitions are expanded into these intervals by
 * the calendar's occurrence expansion before placement runs; placement never resolves a zone
 * except for team working hours (through the one ZoneResolver, ADR 0011).
 */

/** Why a candidate slot was rejected, or a proposal conflicts. One rule, one place: placement-rules.ts. */
export type PlacementRule =
  | 'outside-deployment-window'
  | 'working-hours'
  | 'freeze'
  | 'maintenance'
  | 'component-overlap'
  | 'job-reservation'
  | 'owner-booked'
  | 'deadline'
  | 'blast-radius';

export const PLACEMENT_RULES: readonly PlacementRule[] = [
  'outside-deployment-window',
  'working-hours',
  'freeze',
  'maintenance',
  'component-overlap',
  'job-reservation',
  'owner-booked',
  'deadline',
  'blast-radius',
];

/** The other side of a rejection or conflict. */
export type ConflictParty =
  /** No allowed window holds the slot; `id` is the window the slot ran out of, when there was one. */
  | { readonly kind: 'window'; readonly id?: string }
  /** The window only allows the team's working hours, and the slot leaves them. */
  | { readonly kind: 'working-hours'; readonly team: string; readonly zone: string }
  | { readonly kind: 'freeze'; readonly id: string }
  /** A freeze that exists because of a holiday calendar ("no deployments on the team's holidays"). */
  | { readonly kind: 'holiday'; readonly id: string; readonly freezeId: string }
  /** `component` (touched, or an ancestor of one touched) has maintenance windows; none holds the slot. */
  | { readonly kind: 'maintenance'; readonly component: string; readonly id?: string }
  /** A deployment on the same component, or on its parent or child (`component` is the other's). */
  | { readonly kind: 'deployment'; readonly id: string; readonly component: string }
  | {
      readonly kind: 'job';
      readonly id: string;
      readonly component?: string;
      readonly resource?: string;
    }
  | {
      readonly kind: 'owner';
      readonly owner: string;
      readonly bookingId?: string;
      readonly deploymentId?: string;
    }
  | { readonly kind: 'deadline'; readonly deadline: number }
  | { readonly kind: 'blast-radius'; readonly component: string; readonly limit: number };

/**
 * One occurrence of a calendar entry, expanded to UTC, with the entry's id and scope. Scopes match
 * as the calendar defines them: every non-empty list holds the subject's value; `components`
 * holds one of the subject's components or one of their ancestors (a parent's window or freeze
 * covers its children).
 */
export interface CalendarInterval extends Interval {
  /** The calendar entry's id (the same for every occurrence of one entry). */
  readonly id: string;
  readonly scope: CalendarScope;
}

export interface DeploymentWindowInterval extends CalendarInterval {
  /** Only inside the deploying team's working hours, in the team's own zone. */
  readonly teamWorkingHoursOnly?: boolean;
}

export interface FreezeInterval extends CalendarInterval {
  /** Set when the freeze covers a holiday calendar's day: the holiday entry's id. */
  readonly holidayId?: string;
}

/**
 * A maintenance window occurrence; it constrains the components in `scope.components` (its other
 * scope dimensions are not consulted). A window without components constrains nothing.
 */
export type MaintenanceInterval = CalendarInterval;

/** What a slot is for: the dimensions calendar scopes match on, and who and what it touches. */
export interface PlacementSubject {
  readonly train: string;
  readonly team: string;
  readonly environment: string;
  readonly components: readonly string[];
  readonly owner?: string;
  /** Named resources batch jobs may reserve (a database, a queue); optional. */
  readonly resources?: readonly string[];
}

/** Staggered waves for a large scope. */
export interface WaveHints {
  /** Target components per wave (≥ 1). */
  readonly size: number;
  /** Minimum gap between one wave's end and the next wave's start, ms (≥ 0). */
  readonly minGapMs: number;
  /**
   * Blast-radius limit: most components one wave may touch, counting each target and every
   * descendant of it in the component tree (a change to a parent reaches its children).
   */
  readonly blastRadius?: number;
}

export interface DeploymentToPlace extends PlacementSubject {
  readonly id: string;
  readonly releaseId: string;
  readonly workloadId: string;
  /** Expected duration of the deployment (of each wave, when split), ms (> 0). */
  readonly expectedDurationMs: number;
  readonly earliestStart: number;
  /** The slot (every wave) must end by this instant; absent = no deadline. */
  readonly deadline?: number;
  readonly waves?: WaveHints;
}

/** A deployment already in the calendar: it occupies its components and its owner. */
export interface ScheduledDeployment extends Interval {
  readonly id: string;
  readonly components: readonly string[];
  readonly owner?: string;
}

/** A declared batch-job run: it reserves its components and resources. */
export interface JobReservation extends Interval {
  readonly id: string;
  readonly components?: readonly string[];
  readonly resources?: readonly string[];
}

export interface OwnerBooking extends Interval {
  readonly id: string;
  readonly owner: string;
}

/** Local weekly hours: `day` 0 = Sunday … 6 = Saturday; `from` < `to`, `HH:MM`, `to` may be `24:00`. */
export interface WeeklyHours {
  readonly day: number;
  readonly from: string;
  readonly to: string;
}

export interface TeamWorkingHours {
  /** IANA zone the team works in. */
  readonly zone: string;
  readonly weekly: readonly WeeklyHours[];
}

/**
 * Whether an active, approved freeze override covers `slot` for `subject` inside `freeze`
 * (the override helper's `overrideCovers`, adapted by the caller).
 */
export type OverrideCover = (
  freeze: FreezeInterval,
  slot: Interval,
  subject: PlacementSubject,
) => boolean;

/** Everything placement and conflict detection read; all of it plain data and one callback. */
export interface PlacementContext {
  readonly deploymentWindows: readonly DeploymentWindowInterval[];
  readonly freezes?: readonly FreezeInterval[];
  readonly overrideCovers?: OverrideCover;
  readonly maintenanceWindows?: readonly MaintenanceInterval[];
  /** Component tree: child → parent. */
  readonly componentParents?: Readonly<Record<string, string>>;
  readonly scheduled?: readonly ScheduledDeployment[];
  readonly jobs?: readonly JobReservation[];
  readonly ownerBookings?: readonly OwnerBooking[];
  /** By team name. A window with `teamWorkingHoursOnly` and a team with no hours here allows nothing. */
  readonly teamWorkingHours?: Readonly<Record<string, TeamWorkingHours>>;
}

/** One candidate slot that was turned down, with the rule and the other party. */
export interface Rejection {
  readonly candidate: Interval;
  readonly rule: PlacementRule;
  readonly party: ConflictParty;
  /** 1-based wave number, when the deployment is split into waves. */
  readonly wave?: number;
}

export interface PlacedWave extends Interval {
  readonly wave: number;
  readonly components: readonly string[];
}

export type PlacementOutcome =
  | {
      readonly deploymentId: string;
      readonly status: 'placed';
      /** From the first wave's start to the last wave's end. */
      readonly slot: Interval;
      /** One wave when the deployment has no wave hints. */
      readonly waves: readonly PlacedWave[];
      readonly rejected: readonly Rejection[];
    }
  | {
      readonly deploymentId: string;
      readonly status: 'unplaced';
      readonly reason: {
        readonly rule: PlacementRule;
        readonly message: string;
        readonly party?: ConflictParty;
        readonly wave?: number;
      };
      readonly rejected: readonly Rejection[];
    };

/** What `detectConflicts` is asked about: a proposed change or job run. */
export interface ConflictProposal extends PlacementSubject {
  readonly interval: Interval;
}

export interface Conflict {
  readonly rule: PlacementRule;
  readonly party: ConflictParty;
  /** The part of the proposal's interval the conflict concerns (the proposal's, for absence rules). */
  readonly interval: Interval;
}

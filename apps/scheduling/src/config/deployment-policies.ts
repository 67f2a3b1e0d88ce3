import {
  DEFAULT_DURATION_POLICY,
  DEFAULT_RELEASE_TARGET_POLICY,
  assertValidDurationPolicy,
  assertValidReleaseTargetPolicy,
  type DurationPolicy,
  type ReleaseTargetPolicy,
} from '@trainyard/scheduling-domain';

export const DURATION_POLICY = Symbol('trainyard.scheduling.duration-policy');
export const RELEASE_TARGET_POLICY = Symbol('trainyard.scheduling.release-target-policy');
export const BASELINE_CALENDAR = Symbol('trainyard.scheduling.baseline-calendar');

/** Expected durations: p90 of the last 200 actuals per workload type, defaults until 5 of them. */
export const SERVICE_DURATION_POLICY: DurationPolicy =
  assertValidDurationPolicy(DEFAULT_DURATION_POLICY);

/**
 * Where and by when a committed release deploys (planning's event does not say): staging then
 * production, within 14 days of the commit, an hour's lead time, 30 minutes between waves.
 */
export const SERVICE_RELEASE_TARGET_POLICY: ReleaseTargetPolicy = assertValidReleaseTargetPolicy(
  DEFAULT_RELEASE_TARGET_POLICY,
);

/**
 * A standing deployment window given as a cron expression of its local start in its zone (through
 * the one ZoneResolver), with a length. The baseline calendar: the windows that hold until the
 * calendar's own definitions (windows, freezes, maintenance) are read by placement as well.
 */
export interface BaselineWindow {
  readonly id: string;
  readonly cron: string;
  readonly zone: string;
  readonly minutes: number;
  readonly scope: {
    readonly trains?: readonly string[];
    readonly teams?: readonly string[];
    readonly environments?: readonly string[];
  };
  readonly teamWorkingHoursOnly?: boolean;
}

export interface BaselineCalendar {
  readonly version: string;
  readonly windows: readonly BaselineWindow[];
  /** Component tree: child → parent. */
  readonly componentParents: Readonly<Record<string, string>>;
}

/**
 * Two real windows in two zones: Berlin mornings and New York mornings, weekdays. A release
 * committed on a Friday evening lands on Monday in Berlin; its later waves in New York's window.
 */
export const SERVICE_BASELINE_CALENDAR: BaselineCalendar = {
  version: 'baseline-calendar/2026-12.1',
  windows: [
    {
      id: 'baseline-berlin-weekday',
      cron: '0 9 * * 1-5',
      zone: 'Europe/Berlin',
      minutes: 240,
      scope: {},
    },
    {
      id: 'baseline-newyork-weekday',
      cron: '0 9 * * 1-5',
      zone: 'America/New_York',
      minutes: 240,
      scope: {},
    },
  ],
  componentParents: {},
};

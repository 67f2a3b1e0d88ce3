import type { CalendarScope, Interval } from '../../calendar/calendar-entry';
import type { ComponentTree } from '../../component/component-tree';
import { coveringOverride } from '../../freeze-override/override-terms';
import type { OverrideTerms } from '../../freeze-override/freeze-override.state';
import { formatUtcInstant } from '../../time/civil-date';

/**
 * Part 1's calendar applied to a job run about to start (issue 12, item 5): a maintenance window
 * on a component the job declares pauses it until the window ends; a freeze blocks it unless an
 * approved freeze override covers the start. Jobs that declare no components are never gated.
 * Pure: the application expands the calendar around `at` and hands the intervals in.
 */
export interface GateInterval extends Interval {
  /** The calendar entry. */
  readonly id: string;
  readonly scope: CalendarScope;
}

/** What the runtime knows of the job at start: its components, and where it can say, its team and environment. */
export interface GateSubject {
  readonly components: readonly string[];
  readonly team?: string;
  readonly environment?: string;
}

export interface RunGateInput {
  readonly subject: GateSubject;
  /** Epoch ms of the intended start. */
  readonly at: number;
  /** Maintenance-window occurrences intersecting [at, at + horizon), any order. */
  readonly maintenance: readonly GateInterval[];
  /** Freeze occurrences intersecting `at`. */
  readonly freezes: readonly GateInterval[];
  /** Freeze overrides (read-model rows or states): part 1's `coveringOverride` decides. */
  readonly overrides: readonly OverrideTerms[];
  readonly tree?: ComponentTree;
}

export type RunGateVerdict =
  | { readonly kind: 'open' }
  | {
      readonly kind: 'pause';
      /** UTC `YYYY-MM-DDTHH:MM:SSZ`: when the last contiguous applicable window ends. */
      readonly until: string;
      readonly reason: string;
      readonly windowIds: readonly string[];
    }
  | { readonly kind: 'block'; readonly reason: string; readonly freezeIds: readonly string[] };

const reaches = (list: readonly string[] | undefined, value: string | undefined): boolean =>
  // A dimension the runtime cannot state about the job is assumed affected: a freeze for prod
  // must not be dodged by a caller that did not say its environment (the safe side for a gate).
  list === undefined || list.length === 0 || value === undefined || list.includes(value);

/**
 * Whether a calendar entry's scope affects the job: its component list names one of the job's
 * components or one of their ancestors (a parent's maintenance covers its children), an empty
 * component list affects every job that declares components, and the team and environment lists
 * hold the job's values where they are known. Train scopes never affect a job (jobs have no train).
 */
export const gateApplies = (
  scope: CalendarScope,
  subject: GateSubject,
  tree?: ComponentTree,
): boolean => {
  if ((scope.trains ?? []).length > 0) return false;
  if (!reaches(scope.teams, subject.team) || !reaches(scope.environments, subject.environment))
    return false;
  const listed = scope.components ?? [];
  if (listed.length === 0) return true;
  const reach = subject.components.flatMap((c) => [c, ...(tree ? tree.ancestorsOf(c) : [])]);
  return reach.some((c) => listed.includes(c));
};

/** The job as an override's use scope reads it: every value it can state. */
const useScope = (subject: GateSubject): CalendarScope => ({
  components: [...subject.components],
  ...(subject.team ? { teams: [subject.team] } : {}),
  ...(subject.environment ? { environments: [subject.environment] } : {}),
});

/**
 * The gate's verdict at `at`. Order: no components → open; an applicable freeze not lifted by an
 * override active at `at` whose window holds the start → block (a freeze is stronger than a
 * pause); an applicable maintenance window holding `at` → pause until the end of the contiguous
 * run of applicable windows from `at`; otherwise open.
 */
export const decideRunGate = (input: RunGateInput): RunGateVerdict => {
  const { subject, at, tree } = input;
  if (subject.components.length === 0) return { kind: 'open' };
  const holds = (i: Interval) => i.start <= at && at < i.end;
  const start: Interval = { start: at, end: at + 1 };
  const blocking = input.freezes
    .filter((f) => holds(f) && gateApplies(f.scope, subject, tree))
    .filter((f) => !coveringOverride(input.overrides, useScope(subject), start, at, f.id));
  if (blocking.length > 0) {
    const ids = [...new Set(blocking.map((f) => f.id))].sort();
    return {
      kind: 'block',
      freezeIds: ids,
      reason: `freeze ${ids.join(', ')} covers components ${subject.components.join(', ')} and no approved override lifts it`,
    };
  }
  const windows = input.maintenance
    .filter((w) => gateApplies(w.scope, subject, tree))
    .sort((a, b) => a.start - b.start);
  if (!windows.some(holds)) return { kind: 'open' };
  // Back-to-back or overlapping windows are one pause: resuming between them would start the job
  // into the next window.
  let until = at;
  const ids = new Set<string>();
  for (const w of windows)
    if (w.start <= until && w.end > until) {
      until = w.end;
      ids.add(w.id);
    } else if (w.start <= until && holds(w)) ids.add(w.id);
  const windowIds = [...ids].sort();
  return {
    kind: 'pause',
    until: formatUtcInstant(until),
    windowIds,
    reason: `maintenance window ${windowIds.join(', ')} on components ${subject.components.join(', ')} until ${formatUtcInstant(until)}`,
  };
};

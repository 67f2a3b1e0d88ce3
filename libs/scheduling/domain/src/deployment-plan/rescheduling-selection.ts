import { PlacementRules } from '../placement/placement-rules';
import type { PlacementContext, PlacementSubject } from '../placement/placement.types';

/** A scheduled deployment as the read side knows it: its release, subject and slot (UTC ms). */
export interface ScheduledSlot extends PlacementSubject {
  readonly deploymentId: string;
  readonly releaseId: string;
  readonly start: number;
  readonly end: number;
}

/** What caused a re-placement: a freeze defined or revised, or an override that expired. */
export interface ReschedulingTrigger {
  readonly kind: 'freeze-added' | 'override-expired';
  readonly id: string;
}

/** A release to re-place, with the deployments that now fall inside an un-overridden freeze. */
export interface ReleaseToReplace {
  readonly releaseId: string;
  readonly deploymentIds: readonly string[];
  /** The freezes those slots fall inside, by id, sorted. */
  readonly freezeIds: readonly string[];
}

/**
 * The releases a rescheduling trigger affects: every scheduled deployment (not yet started) whose
 * slot now overlaps a freeze that applies to it and that no active override covers, by the same
 * freeze rule placement uses (scope, component ancestry, override cover). When a freeze id is
 * given (a freeze defined or revised), only that freeze counts; an expired override lets any
 * freeze count again. Releases in id order, deployments in slot order. Pure: the calendar is
 * assembled by the caller.
 */
export const releasesToReplace = (
  scheduled: readonly ScheduledSlot[],
  calendar: PlacementContext,
  onlyFreeze?: string,
): ReleaseToReplace[] => {
  const rules = new PlacementRules(calendar);
  const byRelease = new Map<string, { ids: ScheduledSlot[]; freezes: Set<string> }>();
  for (const slot of scheduled) {
    const view = rules.view(slot, slot.deploymentId);
    const freezeIds = rules
      .freeze(view, { start: slot.start, end: slot.end }, true)
      .map((v) =>
        v.party.kind === 'holiday' ? v.party.freezeId : v.party.kind === 'freeze' ? v.party.id : '',
      )
      .filter((id) => id !== '' && (onlyFreeze === undefined || id === onlyFreeze));
    if (freezeIds.length === 0) continue;
    const entry = byRelease.get(slot.releaseId) ?? { ids: [], freezes: new Set<string>() };
    entry.ids.push(slot);
    for (const id of freezeIds) entry.freezes.add(id);
    byRelease.set(slot.releaseId, entry);
  }
  return [...byRelease.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([releaseId, { ids, freezes }]) => ({
      releaseId,
      deploymentIds: [...ids]
        .sort((a, b) => a.start - b.start || (a.deploymentId < b.deploymentId ? -1 : 1))
        .map((s) => s.deploymentId),
      freezeIds: [...freezes].sort(),
    }));
};

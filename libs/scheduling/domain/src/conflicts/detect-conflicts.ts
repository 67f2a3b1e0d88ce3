import { ValidationError } from '@trainyard/kernel';
import { PlacementRules } from '../placement/placement-rules';
import type { Conflict, ConflictProposal, PlacementContext } from '../placement/placement.types';

/**
 * Every conflict of a proposed change or job run with the calendar: each with its rule and the
 * other party (deployment, job, maintenance, freeze, holiday, owner, window, working hours). The
 * same rule functions placement uses (placement-rules.ts), asked for every violation instead of
 * the first. Pure.
 */
export const detectConflicts = (
  proposal: ConflictProposal,
  context: PlacementContext,
): Conflict[] => new ConflictDetector(context).detect(proposal);

/** Conflict detection with its indexes built once, for many proposals against one context. */
export class ConflictDetector {
  private readonly rules: PlacementRules;

  constructor(context: PlacementContext) {
    this.rules = new PlacementRules(context);
  }

  detect(proposal: ConflictProposal): Conflict[] {
    const { interval } = proposal;
    if (!Number.isFinite(interval?.start) || !Number.isFinite(interval?.end))
      throw new ValidationError('interval', 'interval must have a start and an end in epoch ms.');
    if (interval.end <= interval.start)
      throw new ValidationError('interval', 'interval must end after it starts.');
    if (!Array.isArray(proposal.components))
      throw new ValidationError('components', 'components must be a list of component names.');
    const view = this.rules.view(proposal);
    const slot = { start: interval.start, end: interval.end };
    return this.rules.checks.flatMap((check) =>
      check(view, slot, true).map(({ rule, party, interval: at }) => ({
        rule,
        party,
        interval: at,
      })),
    );
  }
}

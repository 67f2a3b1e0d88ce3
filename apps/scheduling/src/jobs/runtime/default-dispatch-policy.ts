import type { DispatchCandidate, DispatchLoad, DispatchPolicy } from '@trainyard/scheduling-domain';

/**
 * The default dispatch policy: higher priority first, then the longest waiting. The runtime
 * recognises this object and runs it as the ORDER BY of its one claim statement (no candidate
 * round trip); any other policy (jobs-capacity's fair share) is asked with the candidates.
 */
export const priorityThenAge: DispatchPolicy = {
  choose(candidates: readonly DispatchCandidate[], load: DispatchLoad): DispatchCandidate[] {
    return [...candidates]
      .sort((a, b) => b.priority - a.priority || a.readySince.localeCompare(b.readySince))
      .slice(0, Math.max(0, load.capacity));
  },
};

// The freeze-override aggregate's public API (explicit, so helpers of the same name elsewhere in
// scheduling never collide in the library's index).
export {
  OVERRIDE_REVIEW_OUTCOMES,
  type ApproveFreezeOverride,
  type CloseOverrideReview,
  type ExpireFreezeOverride,
  type FreezeOverrideCommand,
  type OverrideReviewOutcome,
  type RecordFreezeOverrideUse,
  type RecordFreezeOverrideUseData,
  type RejectFreezeOverride,
  type RequestFreezeOverride,
  type RequestFreezeOverrideData,
  type RevokeFreezeOverride,
} from './freeze-override.commands';
export {
  FREEZE_OVERRIDE_EVENT_TYPES,
  type FreezeOverrideActivated,
  type FreezeOverrideApproved,
  type FreezeOverrideEvent,
  type FreezeOverrideExpired,
  type FreezeOverrideRejected,
  type FreezeOverrideRequested,
  type FreezeOverrideRevoked,
  type FreezeOverrideUsed,
  type OverrideReviewClosed,
  type OverrideReviewOpened,
} from './freeze-override.events';
export {
  initialFreezeOverride,
  type FreezeOverride,
  type OverrideApproval,
  type OverrideReview,
  type OverrideTerms,
  type OverrideUse,
  type TrackedOverride,
} from './freeze-override.state';
export {
  OVERRIDE_RULES,
  decideFreezeOverride,
  type FreezeOverrideDecisionContext,
} from './freeze-override.decide';
export { evolveFreezeOverride } from './freeze-override.evolve';
export { freezeOverrideDecider, freezeOverrideStream } from './freeze-override.decider';
export {
  coveringOverride,
  isOverrideActive,
  overrideCovers,
  overrideWindow,
  scopeWithin as overrideScopeWithin,
} from './override-terms';

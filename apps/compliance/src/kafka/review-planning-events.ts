import type { CommandContext } from '@trainyard/event-store';
import type { ParsedCloudEvent } from '@trainyard/messaging';
import type {
  EmergencyPatchScheduledV1,
  WorkloadRegisteredV1,
} from '@trainyard/planning-contracts';
import type { ReviewCommand } from '@trainyard/compliance-domain';
import type { ReviewUseCases } from '../application/review.use-cases';

/**
 * What a planning event asks of reviews: WorkloadRegistered with `regulatedData` opens a change
 * review, EmergencyPatchScheduled a retrospective review; anything else nothing. Run by the planning
 * consumer, so through its inbox (once per event id); the deciders make a redelivery past the inbox
 * a no-op too.
 */
export const reviewCommandOf = (
  event: ParsedCloudEvent,
  reviews: Pick<ReviewUseCases, 'changeReviewCommand' | 'retrospectiveReviewCommand'>,
  ctx: CommandContext,
): ReviewCommand | undefined => {
  if (!event.type.startsWith('dev.trainyard.planning.')) return undefined;
  if (event.schemaVersion !== 1 || event.data === null || typeof event.data !== 'object')
    return undefined;
  switch (event.eventType) {
    case 'WorkloadRegistered': {
      const data = event.data as WorkloadRegisteredV1;
      if (typeof data.workloadId !== 'string' || typeof data.registeredBy !== 'string')
        return undefined;
      return reviews.changeReviewCommand(data, ctx);
    }
    case 'EmergencyPatchScheduled': {
      const data = event.data as EmergencyPatchScheduledV1;
      if (typeof data.workloadId !== 'string' || typeof data.releaseId !== 'string')
        return undefined;
      return reviews.retrospectiveReviewCommand(data, ctx);
    }
    default:
      return undefined;
  }
};

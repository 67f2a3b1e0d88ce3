import type { CommandContext } from '@trainyard/event-store';
import type { ParsedCloudEvent } from '@trainyard/messaging';
import type {
  EmergencyPatchScheduledV1,
  WorkloadRegisteredV1,
} from '@trainyard/planning-contracts';
import { ValidationError } from '@trainyard/kernel';
import type { ReviewUseCases } from '../application/review.use-cases';

/**
 * What a planning event asks of reviews: WorkloadRegistered with `regulatedData` opens a change
 * review, EmergencyPatchScheduled a retrospective review. Called from the planning consumer, so
 * through its inbox (once per event id); the deciders make a redelivery past the inbox a no-op too.
 */
export const reviewCommandOf = async (
  event: ParsedCloudEvent,
  reviews: Pick<ReviewUseCases, 'openChangeReview' | 'openRetrospectiveReview'>,
  ctx: CommandContext,
): Promise<void> => {
  try {
    await dispatch(event, reviews, ctx);
  } catch (error) {
    // An event this context cannot read (a malformed id) opens nothing rather than blocking the
    // partition; anything else (the store down) is retried by the consumer.
    if (!(error instanceof ValidationError)) throw error;
  }
};

const dispatch = async (
  event: ParsedCloudEvent,
  reviews: Pick<ReviewUseCases, 'openChangeReview' | 'openRetrospectiveReview'>,
  ctx: CommandContext,
): Promise<void> => {
  if (!event.type.startsWith('dev.trainyard.planning.')) return;
  if (event.schemaVersion !== 1 || event.data === null || typeof event.data !== 'object') return;
  switch (event.eventType) {
    case 'WorkloadRegistered': {
      const data = event.data as WorkloadRegisteredV1;
      if (typeof data.workloadId !== 'string' || typeof data.registeredBy !== 'string') return;
      await reviews.openChangeReview(data, ctx);
      return;
    }
    case 'EmergencyPatchScheduled': {
      const data = event.data as EmergencyPatchScheduledV1;
      if (typeof data.workloadId !== 'string' || typeof data.releaseId !== 'string') return;
      await reviews.openRetrospectiveReview(data, ctx);
      return;
    }
    default:
      return;
  }
};

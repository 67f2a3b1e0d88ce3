import { decideReview } from './review.decide';
import { evolveReview } from './review.evolve';
import { initialReview } from './review.state';

export const reviewDecider = {
  decide: decideReview,
  evolve: evolveReview,
  initialState: initialReview,
} as const;

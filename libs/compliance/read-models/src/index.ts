// Compliance read models: policies, evaluations, reviews, the audit ledger, findings.
export * from './policy-view.entity';
export * from './evaluation-view.entity';
export * from './compliance.projection';
export * from './read-models.migrations';

import { EvaluationView } from './evaluation-view.entity';
import { PolicyVersionView, PolicyView } from './policy-view.entity';
import { ReviewView } from './review-view.entity';

/** Every read-model entity, for a TypeORM DataSource. */
export const COMPLIANCE_READ_MODEL_ENTITIES = [
  PolicyView,
  PolicyVersionView,
  EvaluationView,
  ReviewView,
] as const;

// Reviews (issue 13 item 3): its own projection and entity.
export * from './review-view.entity';
export * from './review.projection';

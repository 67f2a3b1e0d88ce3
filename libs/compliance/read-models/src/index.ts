// Compliance read models: policies, evaluations, reviews, the audit ledger, findings.
export * from './policy-view.entity';
export * from './evaluation-view.entity';
export * from './compliance.projection';
export * from './read-models.migrations';

import { EvaluationView } from './evaluation-view.entity';
import { PolicyVersionView, PolicyView } from './policy-view.entity';

/** Every read-model entity, for a TypeORM DataSource. */
export const COMPLIANCE_READ_MODEL_ENTITIES = [
  PolicyView,
  PolicyVersionView,
  EvaluationView,
] as const;

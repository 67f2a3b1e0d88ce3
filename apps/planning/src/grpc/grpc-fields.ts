import { ValidationError } from '@trainyard/kernel';
import type { planning } from '@trainyard/grpc-contracts';
import type { FieldNames } from '../application/planning.queries';
import type { ScopeChangeKind } from '../application/use-cases/release.use-cases';
import { fromProtoEnum } from './planning.grpc-mapping';

/** The gRPC service every planning controller serves a part of. */
export const PLANNING_SERVICE = 'PlanningService';

export const GRPC_FIELDS: FieldNames = {
  page: 'page',
  pageSize: 'page_size',
  state: 'state',
  tier: 'tier',
  changeType: 'change_type',
  status: 'status',
};

export const scopeChangeOf = (value: planning.ScopeChange): ScopeChangeKind => {
  const change = fromProtoEnum('SCOPE_CHANGE', value);
  if (change !== 'include' && change !== 'exclude')
    throw new ValidationError(
      'change',
      'change must be SCOPE_CHANGE_INCLUDE or SCOPE_CHANGE_EXCLUDE',
    );
  return change;
};

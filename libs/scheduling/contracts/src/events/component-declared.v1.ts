import type { InstantV1 } from './calendar-values.v1';

/** A component was declared, or moved under another parent (none = a root). */
export interface ComponentDeclaredV1 {
  readonly componentId: string;
  readonly parentId?: string;
  readonly declaredBy: string;
  readonly declaredAt: InstantV1;
}

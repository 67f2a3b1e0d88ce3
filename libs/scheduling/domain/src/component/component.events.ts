import type { DomainEvent } from '@trainyard/kernel';

export type ComponentDeclared = DomainEvent<
  'ComponentDeclared',
  {
    readonly componentId: string;
    readonly parentId?: string;
    readonly declaredBy: string;
    readonly declaredAt: string;
  }
>;

export type ComponentEvent = ComponentDeclared;

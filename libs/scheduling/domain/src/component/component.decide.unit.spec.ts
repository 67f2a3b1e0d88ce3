import { DeciderSpecification, RuleViolation, ValidationError } from '@trainyard/kernel';
import { componentDecider } from './component.decider';
import type { ComponentCommand } from './component.commands';
import type { ComponentEvent } from './component.events';
import { createComponentTree } from './component-tree';

const tree = createComponentTree([
  ['platform', undefined],
  ['payments', 'platform'],
  ['payments-db', 'payments'],
]);
const given = DeciderSpecification.for(componentDecider, { tree });
const metadata = { now: '2031-05-04T09:00:00.000Z', actor: 'alice' };
const declare = (componentId: string, parentId?: string): ComponentCommand => ({
  type: 'DeclareComponent',
  data: { componentId, ...(parentId ? { parentId } : {}) },
  metadata,
});
const declared = (componentId: string, parentId?: string): ComponentEvent => ({
  type: 'ComponentDeclared',
  data: {
    componentId,
    ...(parentId ? { parentId } : {}),
    declaredBy: 'alice',
    declaredAt: metadata.now,
  },
});

describe('an undeclared component', () => {
  it('is declared under a parent', () => {
    given([])
      .when(declare('ledger', 'payments'))
      .then([declared('ledger', 'payments')]);
  });

  it('refuses a malformed id, naming the field', () => {
    given([]).when(declare('', 'payments')).thenThrows(ValidationError, { field: 'componentId' });
    given([])
      .when(declare('ok', 'bad id\u0000'))
      .thenThrows(ValidationError, { field: 'parentId' });
  });

  it('refuses to be its own parent', () => {
    given([]).when(declare('x', 'x')).thenThrows(RuleViolation, { rule: 'component-tree-acyclic' });
  });
});

describe('a declared component', () => {
  it('decides nothing when declared again with the same parent', () => {
    given([declared('payments', 'platform')])
      .when(declare('payments', 'platform'))
      .thenNothingHappened();
  });

  it('refuses to move under its own descendant (a cycle)', () => {
    given([declared('platform')])
      .when(declare('platform', 'payments-db'))
      .thenThrows(RuleViolation, { rule: 'component-tree-acyclic' });
  });
});

describe('ComponentTree', () => {
  it('answers ancestors nearest first and descendants breadth first', () => {
    expect(tree.ancestorsOf('payments-db')).toEqual(['payments', 'platform']);
    expect(tree.descendantsOf('platform')).toEqual(['payments', 'payments-db']);
    expect(tree.wouldCycle('platform', 'payments-db')).toBe(true);
    expect(tree.with('ledger', 'payments').descendantsOf('payments')).toEqual([
      'payments-db',
      'ledger',
    ]);
  });
});

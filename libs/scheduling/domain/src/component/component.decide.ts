import { assertMetadata, RuleViolation, ValidationError } from '@trainyard/kernel';
import type { ComponentCommand, DeclareComponent } from './component.commands';
import type { ComponentEvent } from './component.events';
import type { Component } from './component.state';
import { createComponentTree, type ComponentTree } from './component-tree';

/** Rule ids (stable API). */
export const COMPONENT_CYCLE_RULE = 'component-tree-acyclic';

export interface ComponentDecisionContext {
  /** Every declared component and its parent, from the read model: cycles are refused against it. */
  readonly tree: ComponentTree;
}

const COMPONENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

const assertComponentId = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || !COMPONENT_ID.test(value))
    throw new ValidationError(
      field,
      `${field} must be 1 to 200 letters, digits, dots, colons, slashes, hyphens or underscores, starting with a letter or digit.`,
    );
  return value;
};

export const declareComponent = (
  command: DeclareComponent,
  state: Component,
  context: ComponentDecisionContext,
): ComponentEvent[] => {
  assertMetadata(command.metadata);
  const componentId = assertComponentId('componentId', command.data.componentId);
  const parentId =
    command.data.parentId === undefined || command.data.parentId === ''
      ? undefined
      : assertComponentId('parentId', command.data.parentId);
  if (state.status === 'Declared') {
    if (state.componentId !== componentId)
      throw new ValidationError(
        'componentId',
        `componentId ${componentId} does not name component ${state.componentId}.`,
      );
    if (state.parentId === parentId) return [];
  }
  if (parentId !== undefined && context.tree.wouldCycle(componentId, parentId)) {
    const path = [parentId, ...context.tree.ancestorsOf(parentId)];
    const cycle = [componentId, ...path.slice(0, path.indexOf(componentId) + 1)];
    throw new RuleViolation(
      COMPONENT_CYCLE_RULE,
      `Making ${parentId} the parent of ${componentId} would close a cycle: ${cycle.join(' → ')}.`,
    );
  }
  return [
    {
      type: 'ComponentDeclared',
      data: {
        componentId,
        ...(parentId !== undefined ? { parentId } : {}),
        declaredBy: command.metadata.actor,
        declaredAt: command.metadata.now,
      },
    },
  ];
};

const EMPTY: ComponentDecisionContext = { tree: createComponentTree() };

export const decideComponent = (
  command: ComponentCommand,
  state: Component,
  context: ComponentDecisionContext = EMPTY,
): readonly ComponentEvent[] => {
  switch (command.type) {
    case 'DeclareComponent':
      return declareComponent(command, state, context);
    default: {
      const unknown: never = command.type;
      throw new ValidationError('type', `Command ${String(unknown)} is not known.`);
    }
  }
};

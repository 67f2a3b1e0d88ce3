import type { ComponentEvent } from './component.events';
import type { Component } from './component.state';

export const evolveComponent = (_state: Component, event: ComponentEvent): Component => ({
  status: 'Declared',
  componentId: event.data.componentId,
  ...(event.data.parentId !== undefined ? { parentId: event.data.parentId } : {}),
});

import type { Command } from '@trainyard/kernel';

/** Declares a component, or moves it under another parent; no parent = a root. */
export type DeclareComponent = Command<
  'DeclareComponent',
  { readonly componentId: string; readonly parentId?: string }
>;

export type ComponentCommand = DeclareComponent;

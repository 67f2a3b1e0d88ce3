export type Component =
  | { readonly status: 'Undeclared' }
  | { readonly status: 'Declared'; readonly componentId: string; readonly parentId?: string };

export const initialComponent = (): Component => ({ status: 'Undeclared' });

/**
 * Components and their parents (a service inside a platform, a database inside a cluster): a
 * maintenance window of a component is inherited by its children, and a child's change honours
 * its parents' windows. Immutable: `with` returns a new tree.
 */
export interface ComponentTree {
  readonly parentOf: (componentId: string) => string | undefined;
  readonly has: (componentId: string) => boolean;
  /** Parent, grandparent, … up to the root, nearest first. */
  readonly ancestorsOf: (componentId: string) => readonly string[];
  /** Every child, grandchild, … breadth first. */
  readonly descendantsOf: (componentId: string) => readonly string[];
  /** Whether making `parentId` the parent of `componentId` would close a cycle. */
  readonly wouldCycle: (componentId: string, parentId: string) => boolean;
  readonly with: (componentId: string, parentId?: string) => ComponentTree;
  readonly entries: () => ReadonlyArray<readonly [string, string | undefined]>;
}

export const createComponentTree = (
  pairs: Iterable<readonly [string, string | undefined]> = [],
): ComponentTree => {
  const parents = new Map<string, string | undefined>(pairs);
  const children = new Map<string, string[]>();
  for (const [child, parent] of parents)
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), child]);
  const ancestorsOf = (componentId: string): string[] => {
    const out: string[] = [];
    const seen = new Set([componentId]);
    for (let p = parents.get(componentId); p !== undefined && !seen.has(p); p = parents.get(p)) {
      out.push(p);
      seen.add(p);
    }
    return out;
  };
  const descendantsOf = (componentId: string): string[] => {
    const out: string[] = [];
    const seen = new Set([componentId]);
    const queue = [componentId];
    for (let next = queue.shift(); next !== undefined; next = queue.shift())
      for (const child of children.get(next) ?? [])
        if (!seen.has(child)) {
          seen.add(child);
          out.push(child);
          queue.push(child);
        }
    return out;
  };
  return {
    parentOf: (id) => parents.get(id),
    has: (id) => parents.has(id),
    ancestorsOf,
    descendantsOf,
    wouldCycle: (id, parentId) => parentId === id || ancestorsOf(parentId).includes(id),
    with: (id, parentId) => createComponentTree([...parents, [id, parentId]]),
    entries: () => [...parents],
  };
};

/**
 * The component tree, from a child → parent map. Ancestors are followed to the root; a cycle in
 * the map (bad data) stops at the first repeated component rather than looping.
 */
export class ComponentTree {
  private readonly children = new Map<string, string[]>();
  private readonly ancestorCache = new Map<string, readonly string[]>();

  constructor(private readonly parents: Readonly<Record<string, string>> = {}) {
    for (const [child, parent] of Object.entries(parents)) {
      const list = this.children.get(parent);
      if (list) list.push(child);
      else this.children.set(parent, [child]);
    }
  }

  /** Parent, grandparent, … to the root (nearest first). */
  ancestors(component: string): readonly string[] {
    const cached = this.ancestorCache.get(component);
    if (cached) return cached;
    const out: string[] = [];
    const seen = new Set([component]);
    for (let p = this.parents[component]; p !== undefined && !seen.has(p); p = this.parents[p]) {
      out.push(p);
      seen.add(p);
    }
    this.ancestorCache.set(component, out);
    return out;
  }

  /** The component and every descendant. */
  subtree(component: string): readonly string[] {
    const out = [component];
    const seen = new Set(out);
    for (let i = 0; i < out.length; i++)
      for (const child of this.children.get(out[i]!) ?? [])
        if (!seen.has(child)) {
          seen.add(child);
          out.push(child);
        }
    return out;
  }
}

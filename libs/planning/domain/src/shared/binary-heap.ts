/** A min-heap of small integers (indexes) ordered by `compare`; the allocation's priority queue. */
export class IndexHeap {
  private readonly items: number[] = [];

  constructor(private readonly compare: (a: number, b: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const p = items[parent] as number;
      if (this.compare(value, p) >= 0) break;
      items[child] = p;
      child = parent;
    }
    items[child] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let parent = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.compare(items[right] as number, items[left] as number) < 0)
        child = right;
      const c = items[child] as number;
      if (this.compare(last, c) <= 0) break;
      items[parent] = c;
      parent = child;
    }
    items[parent] = last;
    return top;
  }
}

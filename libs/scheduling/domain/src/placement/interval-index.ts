import type { Interval } from '../calendar/calendar-entry';

/** First index i with `keys[i] > value` (keys ascending). */
export const upperBound = (keys: readonly number[] | Float64Array, value: number): number => {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * A union of intervals, merged into disjoint sorted runs (touching runs join): the allowed time of
 * a set of windows. Each run keeps the id of an interval it came from, to name it in a rejection.
 */
export class IntervalUnion {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly ids: string[] = [];

  constructor(items: readonly (Interval & { readonly id?: string })[]) {
    const sorted = items.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
    for (const item of sorted) {
      const last = this.ends.length - 1;
      if (last >= 0 && item.start <= this.ends[last]!) {
        if (item.end > this.ends[last]!) this.ends[last] = item.end;
      } else {
        this.starts.push(item.start);
        this.ends.push(item.end);
        this.ids.push(item.id ?? '');
      }
    }
  }

  get size(): number {
    return this.starts.length;
  }

  /** The run holding instant `t`, or -1. */
  runAt(t: number): number {
    const i = upperBound(this.starts, t) - 1;
    return i >= 0 && t < this.ends[i]! ? i : -1;
  }

  /** Whether [start, end) lies inside one run. */
  holds(start: number, end: number): boolean {
    const i = this.runAt(start);
    return i >= 0 && end <= this.ends[i]!;
  }

  /**
   * The earliest instant ≥ `t` from which a run holds `length` ms, or Infinity. Jumps run by run,
   * never minute by minute.
   */
  nextFit(t: number, length: number): number {
    let i = upperBound(this.starts, t) - 1;
    if (i >= 0 && t < this.ends[i]! && t + length <= this.ends[i]!) return t;
    for (i = Math.max(i + 1, 0); i < this.starts.length; i++)
      if (this.ends[i]! - this.starts[i]! >= length) return Math.max(this.starts[i]!, t);
    return Infinity;
  }

  /** Intersection with another union (both sorted): a linear merge. */
  intersect(other: IntervalUnion): IntervalUnion {
    const out: (Interval & { id: string })[] = [];
    let i = 0;
    let j = 0;
    while (i < this.size && j < other.size) {
      const start = Math.max(this.starts[i]!, other.starts[j]!);
      const end = Math.min(this.ends[i]!, other.ends[j]!);
      if (start < end) out.push({ start, end, id: this.ids[i]! });
      if (this.ends[i]! < other.ends[j]!) i++;
      else j++;
    }
    return new IntervalUnion(out);
  }
}

/**
 * Possibly overlapping intervals, each with a payload, sorted by start, for overlap queries: the
 * intervals starting in (t − longest, t + length) are the only candidates, found by binary search.
 * Inserts keep the order (binary search + splice); removes find the exact entry.
 */
export class OverlapIndex<T> {
  private readonly starts: number[] = [];
  private readonly items: (Interval & { readonly payload: T })[] = [];
  private longest = 0;

  constructor(items: readonly (Interval & { readonly payload: T })[] = []) {
    const sorted = items.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
    for (const item of sorted) {
      this.starts.push(item.start);
      this.items.push(item);
      this.longest = Math.max(this.longest, item.end - item.start);
    }
  }

  get size(): number {
    return this.items.length;
  }

  insert(start: number, end: number, payload: T): void {
    if (end <= start) return;
    const at = upperBound(this.starts, start);
    this.starts.splice(at, 0, start);
    this.items.splice(at, 0, { start, end, payload });
    this.longest = Math.max(this.longest, end - start);
  }

  remove(start: number, end: number, payload: T): void {
    for (let i = upperBound(this.starts, start) - 1; i >= 0 && this.starts[i] === start; i--) {
      const item = this.items[i]!;
      if (item.end === end && item.payload === payload) {
        this.starts.splice(i, 1);
        this.items.splice(i, 1);
        return;
      }
    }
  }

  /**
   * Intervals overlapping [start, end), in start order; `visit` returns false to stop early.
   */
  overlapping(
    start: number,
    end: number,
    visit: (item: Interval & { readonly payload: T }) => boolean | void,
  ): void {
    if (this.items.length === 0) return;
    let i = upperBound(this.starts, start - this.longest);
    // A start equal to start − longest ends at `start` at the latest: it cannot overlap.
    for (; i < this.items.length && this.starts[i]! < end; i++) {
      const item = this.items[i]!;
      if (item.end > start && visit(item) === false) return;
    }
  }
}

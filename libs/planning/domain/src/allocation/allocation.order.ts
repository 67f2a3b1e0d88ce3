import { compareWsjf } from '../prioritization/wsjf';

/**
 * The candidates' own priority order: indexes 0…n-1 by tier, then `compareWsjf` (WSJF, cost of
 * delay, job size, registration time), then index — exactly the order of
 * `sort((a, b) => tier[a] - tier[b] || compareWsjf(…a, …b) || a - b)`, without comparing every pair
 * through the whole key.
 *
 * Candidates with the same tier, cost of delay and job size form a class (a backlog holds few: the
 * inputs are small estimates). The classes are sorted once, their members bucketed in index order,
 * and only within a class is anything left to compare: registration time, then index. That is
 * O(n + g log g + Σ m log m) for g classes of m members instead of a comparison sort of all n, and
 * grows nearly linearly with the backlog.
 */
export const priorityOrder = (
  tier: Uint8Array,
  costOfDelay: Float64Array,
  jobSize: Float64Array,
  registeredAtMs: Float64Array,
): Int32Array => {
  const n = tier.length;
  // Class per candidate, by (tier, cost of delay, job size).
  const classOf = new Int32Array(n);
  const byTier = new Map<number, Map<number, Map<number, number>>>();
  const classTier: number[] = [];
  const classCost: number[] = [];
  const classSize: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = tier[i] as number;
    const cost = costOfDelay[i] as number;
    const size = jobSize[i] as number;
    let byCost = byTier.get(t);
    if (byCost === undefined) byTier.set(t, (byCost = new Map<number, Map<number, number>>()));
    let bySize = byCost.get(cost);
    if (bySize === undefined) byCost.set(cost, (bySize = new Map<number, number>()));
    let c = bySize.get(size);
    if (c === undefined) {
      c = classTier.length;
      bySize.set(size, c);
      classTier.push(t);
      classCost.push(cost);
      classSize.push(size);
    }
    classOf[i] = c;
  }
  // Distinct classes never compare equal: they differ in tier, cost of delay or job size.
  const g = classTier.length;
  const classOrder = Array.from({ length: g }, (_, c) => c).sort(
    (a, b) =>
      (classTier[a] as number) - (classTier[b] as number) ||
      compareWsjf(
        classCost[a] as number,
        classSize[a] as number,
        0,
        classCost[b] as number,
        classSize[b] as number,
        0,
      ),
  );
  // Bucket the members in index order, classes in their order.
  const start = new Int32Array(g + 1);
  for (let i = 0; i < n; i++) {
    const c = (classOf[i] as number) + 1;
    start[c] = (start[c] as number) + 1;
  }
  const slot = new Int32Array(g);
  let next = 0;
  for (const c of classOrder) {
    slot[c] = next;
    next += start[c + 1] as number;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf[i] as number;
    order[slot[c] as number] = i;
    slot[c] = (slot[c] as number) + 1;
  }
  // Within a class: registration time, then index (the bucket holds them in index order).
  let from = 0;
  for (const c of classOrder) {
    const to = slot[c] as number;
    if (to - from > 1)
      order.subarray(from, to).sort((a, b) => {
        const ra = registeredAtMs[a] as number;
        const rb = registeredAtMs[b] as number;
        return ra < rb ? -1 : ra > rb ? 1 : a - b;
      });
    from = to;
  }
  return order;
};

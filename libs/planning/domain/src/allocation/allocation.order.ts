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
  const keys = new Float64Array(n);
  const members = new Int32Array(n);
  let from = 0;
  for (const c of classOrder) {
    const to = slot[c] as number;
    if (to - from > 1) orderByRegistration(order, from, to, registeredAtMs, keys, members);
    from = to;
  }
  return order;
};

/**
 * Sorts the members `order[from]` … `order[to - 1]` (in index order) by registration time, then
 * index. When the times are whole numbers (as parsed instants are) whose spread times the member
 * count stays exact in a double, each member gets the key (time − earliest) × count + offset in the
 * bucket, and the keys are sorted natively: no comparator call per pair and no boxed copy of the
 * bucket, which at 100k candidates was the bulk of this function. Otherwise a comparator sort.
 */
const orderByRegistration = (
  order: Int32Array,
  from: number,
  to: number,
  registeredAtMs: Float64Array,
  keys: Float64Array,
  members: Int32Array,
): void => {
  const count = to - from;
  let earliest = Infinity;
  let latest = -Infinity;
  let whole = true;
  for (let p = from; p < to; p++) {
    const t = registeredAtMs[order[p] as number] as number;
    if (t < earliest) earliest = t;
    if (t > latest) latest = t;
    if (!Number.isInteger(t)) whole = false;
  }
  if (!whole || (latest - earliest + 1) * count > Number.MAX_SAFE_INTEGER) {
    order.subarray(from, to).sort((a, b) => {
      const ra = registeredAtMs[a] as number;
      const rb = registeredAtMs[b] as number;
      return ra < rb ? -1 : ra > rb ? 1 : a - b;
    });
    return;
  }
  for (let p = from; p < to; p++) {
    const i = order[p] as number;
    members[p] = i;
    keys[p] = ((registeredAtMs[i] as number) - earliest) * count + (p - from);
  }
  keys.subarray(from, to).sort();
  for (let p = from; p < to; p++)
    order[p] = members[from + ((keys[p] as number) % count)] as number;
};

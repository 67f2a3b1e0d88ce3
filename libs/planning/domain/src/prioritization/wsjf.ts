export interface WsjfInput {
  readonly workloadId: string;
  readonly businessValue: number;
  readonly timeCriticality: number;
  readonly riskReduction: number;
  readonly jobSize: number;
  readonly registeredAt: string;
}

/** Precomputed sort key; comparisons are exact (cross-multiplied integers, no float ties). */
export interface WsjfKey {
  readonly workloadId: string;
  readonly costOfDelay: number;
  readonly jobSize: number;
  readonly registeredAtMs: number;
}

export const costOfDelay = (
  w: Pick<WsjfInput, 'businessValue' | 'timeCriticality' | 'riskReduction'>,
): number => w.businessValue + w.timeCriticality + w.riskReduction;

export const wsjfScore = (
  w: Pick<WsjfInput, 'businessValue' | 'timeCriticality' | 'riskReduction' | 'jobSize'>,
): number => costOfDelay(w) / w.jobSize;

export const wsjfKey = (w: WsjfInput): WsjfKey => ({
  workloadId: w.workloadId,
  costOfDelay: costOfDelay(w),
  jobSize: w.jobSize,
  registeredAtMs: Date.parse(w.registeredAt),
});

export const formatScore = (score: number): string => score.toFixed(2);

export const explainWsjf = (
  w: Pick<WsjfInput, 'businessValue' | 'timeCriticality' | 'riskReduction' | 'jobSize'>,
): string =>
  `WSJF = (BV ${w.businessValue} + TC ${w.timeCriticality} + RR ${w.riskReduction}) / job ${w.jobSize} = ${formatScore(wsjfScore(w))}`;

/**
 * Negative when `a` ranks before `b`: higher WSJF, then higher cost of delay, then smaller job,
 * then earlier registration, then workload id. A total order, so ranking never depends on input order.
 */
export const compareWsjfKeys = (a: WsjfKey, b: WsjfKey): number =>
  compareWsjf(
    a.costOfDelay,
    a.jobSize,
    a.registeredAtMs,
    b.costOfDelay,
    b.jobSize,
    b.registeredAtMs,
  ) || (a.workloadId < b.workloadId ? -1 : a.workloadId > b.workloadId ? 1 : 0);

/**
 * The WSJF order without the final tie-break by id: -1 when `a` ranks first, 1 when `b` does, 0
 * when WSJF, cost of delay, job size and registration time are all equal. Flat numbers rather than
 * keys so the allocator can call it on its typed columns without building an object per candidate.
 */
export const compareWsjf = (
  aCostOfDelay: number,
  aJobSize: number,
  aRegisteredAtMs: number,
  bCostOfDelay: number,
  bJobSize: number,
  bRegisteredAtMs: number,
): number =>
  sign(bCostOfDelay * aJobSize - aCostOfDelay * bJobSize) ||
  sign(bCostOfDelay - aCostOfDelay) ||
  // Equal WSJF and cost of delay imply equal job size; the step stays so the order reads as specified.
  sign(aJobSize - bJobSize) ||
  sign(aRegisteredAtMs - bRegisteredAtMs);

// Only the sign of each difference matters; ±1 rather than the difference spares the allocator a
// heap number for every comparison whose difference is not a small integer.
const sign = (d: number): number => (d < 0 ? -1 : d > 0 ? 1 : 0);

/** Why `a` ranks above `b`, naming the first criterion that separates them. */
export const explainPrecedence = (a: WsjfKey, b: WsjfKey): string => {
  const sa = a.costOfDelay / a.jobSize;
  const sb = b.costOfDelay / b.jobSize;
  if (b.costOfDelay * a.jobSize !== a.costOfDelay * b.jobSize)
    return `${a.workloadId} before ${b.workloadId}: WSJF ${formatScore(sa)} vs ${formatScore(sb)}`;
  const tie = `${a.workloadId} before ${b.workloadId}: equal WSJF ${formatScore(sa)}`;
  if (a.costOfDelay !== b.costOfDelay)
    return `${tie}, higher cost of delay ${a.costOfDelay} vs ${b.costOfDelay}`;
  if (a.jobSize !== b.jobSize) return `${tie}, smaller job ${a.jobSize} vs ${b.jobSize}`;
  if (a.registeredAtMs !== b.registeredAtMs)
    return `${tie} and cost of delay, registered earlier (${new Date(a.registeredAtMs).toISOString()} vs ${new Date(b.registeredAtMs).toISOString()})`;
  return `${tie}, cost of delay and registration time; ordered by id`;
};

export interface RankedWorkload {
  readonly rank: number;
  readonly workloadId: string;
  readonly wsjf: number;
  readonly costOfDelay: number;
  readonly jobSize: number;
  readonly explanation: string;
}

export const rankByWsjf = (workloads: readonly WsjfInput[]): readonly RankedWorkload[] => {
  const keyed = workloads
    .map((w) => ({ w, key: wsjfKey(w) }))
    .sort((x, y) => compareWsjfKeys(x.key, y.key));
  return keyed.map(({ w, key }, i) => {
    const previous = keyed[i - 1];
    return {
      rank: i + 1,
      workloadId: w.workloadId,
      wsjf: wsjfScore(w),
      costOfDelay: key.costOfDelay,
      jobSize: key.jobSize,
      explanation: `${explainWsjf(w)}; ${previous ? explainPrecedence(previous.key, key) : 'ranked first'}`,
    };
  });
};

/** Releases of a period were drawn for a post-release compliance check. Key `sample-<sampleId>`. */
export interface ComplianceSampleDrawnV1 {
  readonly sampleId: string;
  /** `YYYY-MM` or `YYYY-Qn`. */
  readonly period: string;
  /** Recorded so anyone can redraw the same sample. */
  readonly seed: string;
  readonly percent: number;
  /** How many releases the period had. */
  readonly population: number;
  /** The drawn release ids, sorted; ceil(population x percent / 100) of them. */
  readonly sampled: readonly string[];
  /** The version of the change-control rules the sample is checked against. */
  readonly rulesVersion: string;
  readonly drawnAt: string;
}

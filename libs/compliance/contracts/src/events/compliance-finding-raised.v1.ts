/** A sampled release broke a change-control rule. Key `sample-<sampleId>`. */
export interface ComplianceFindingRaisedV1 {
  readonly sampleId: string;
  readonly releaseId: string;
  /** e.g. evaluated-without-block, regulated-signed-off, no-late-addition. */
  readonly rule: string;
  readonly rulesVersion: string;
  readonly workloadId: string;
  readonly message: string;
  /** What showed the breach (evaluation ids, timestamps, ...). */
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly raisedAt: string;
}

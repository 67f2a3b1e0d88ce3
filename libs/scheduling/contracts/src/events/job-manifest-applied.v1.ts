/** A new running version of a job definition (applied directly, or approved by a second person). */
export interface JobManifestAppliedV1 {
  readonly name: string;
  readonly owner: string;
  readonly criticality: string;
  readonly version: number;
  readonly digest: string;
  /** The paths the version changed (`tasks[export].timeoutSeconds`); values stay internal. */
  readonly changedPaths: readonly string[];
  readonly author: string;
  /** Present when the change affected production and a second person approved it. */
  readonly approvedBy?: string;
  readonly appliedAt: string;
}

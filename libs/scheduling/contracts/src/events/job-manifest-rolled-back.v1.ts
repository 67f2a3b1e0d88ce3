/** An earlier version of a job is running again, as version `version`. */
export interface JobManifestRolledBackV1 {
  readonly name: string;
  readonly version: number;
  readonly toVersion: number;
  readonly digest: string;
  readonly changedPaths: readonly string[];
  /** The digest of a pending proposal the rollback withdrew, if any. */
  readonly withdrawnProposal?: string;
  readonly rolledBackBy: string;
  readonly rolledBackAt: string;
}

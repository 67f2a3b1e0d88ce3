/** A production-affecting change to a job waits for approval by someone other than its author. */
export interface JobManifestProposedV1 {
  readonly name: string;
  readonly owner: string;
  readonly digest: string;
  /** The running version it was diffed against (0: none). */
  readonly baseVersion: number;
  readonly reasons: readonly string[];
  readonly changedPaths: readonly string[];
  readonly author: string;
  readonly proposedAt: string;
}

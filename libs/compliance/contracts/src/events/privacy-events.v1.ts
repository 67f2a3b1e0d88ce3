// Retention and privacy facts for GRC tools (issue 13 items 6 and 9). Key `privacy-register`.
// None carries personal data: subjects are pseudonymous ids (an employee number), never a name.

/** What a legal hold covers. */
export type LegalHoldScopeV1 =
  | { readonly kind: 'workload' | 'release' | 'person'; readonly id: string }
  | { readonly kind: 'time-range'; readonly from: string; readonly to: string };

export interface LegalHoldPlacedV1 {
  readonly holdId: string;
  readonly scope: LegalHoldScopeV1;
  readonly reason: string;
  readonly placedBy: string;
  readonly placedAt: string;
}

export interface LegalHoldReleasedV1 {
  readonly holdId: string;
  readonly reason: string;
  readonly releasedBy: string;
  readonly releasedAt: string;
}

/** A data subject's key was deleted (crypto-shredding): their sealed data is unreadable. */
export interface DataSubjectErasedV1 {
  readonly subjectId: string;
  readonly reason: string;
  readonly erasedBy: string;
  readonly erasedAt: string;
  readonly recordsAffected: number;
}

export interface RetentionHoldExclusionV1 {
  readonly holdId: string;
  readonly records: number;
}

/** Rows of a record type past their retention period were deleted. */
export interface RecordsPurgedV1 {
  readonly sweepId: string;
  /** `ledger-entry`, `policy-evaluation`, `webhook-delivery`. */
  readonly recordType: string;
  readonly cutoff: string;
  readonly count: number;
  readonly heldBack: readonly RetentionHoldExclusionV1[];
  readonly purgedBy: string;
  readonly purgedAt: string;
}

/** Rows past their archive period left the live table for an archive file. */
export interface RecordsArchivedV1 {
  readonly sweepId: string;
  readonly recordType: string;
  readonly cutoff: string;
  readonly count: number;
  readonly heldBack: readonly RetentionHoldExclusionV1[];
  readonly file: string;
  /** SHA-256 (hex) of the file. */
  readonly sha256: string;
  /** RFC 6962 root (hex) of the file's lines. */
  readonly entriesRoot: string;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly archivedBy: string;
  readonly archivedAt: string;
}

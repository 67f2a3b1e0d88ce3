export interface LogVerificationOptions {
  /**
   * Signed checkpoints (C2SP notes) kept outside the database, e.g. the latest published one and an
   * earlier one an auditor kept. Each must be signed by `verifierKey`; the tree must extend each.
   */
  readonly checkpoints?: readonly string[];
  /** `<name>+<key id>+<base64 key>` of the service's checkpoint key; required with checkpoints. */
  readonly verifierKey?: string;
  /** When set, every checkpoint must carry this origin. */
  readonly origin?: string;
  /** Events read per query (default 1,000): the most events verification holds at once. */
  readonly pageSize?: number;
  /** Called once verification ends (intact or not) with what it held in memory at most. */
  readonly onStats?: (stats: LogVerificationStats) => void;
}

/** What a verification held at most, to show its memory stays bounded however long the log. */
export interface LogVerificationStats {
  /** Events read: the leaves recomputed (more than `checked` when a mismatch was searched on). */
  readonly eventsRead: number;
  /** Queries over the events (keyset pages). */
  readonly pagesRead: number;
  /** The most event rows held at once: one page, at most `pageSize`. */
  readonly maxRowsHeld: number;
  /** The most tree batch rows held at once (one page of batches). */
  readonly maxBatchRowsHeld: number;
  /** The most tree nodes kept for the recomputed tree: its compact range, at most log2(n) + 1. */
  readonly maxNodesKept: number;
}

export type LogVerification =
  | {
      readonly ok: true;
      /** Sealed events whose leaves matched: the sealed tree's size. */
      readonly checked: number;
      /** The sealed tree's root (hex); the empty tree's before the first seal. */
      readonly rootHash: string;
      /** Committed events after the sealed tree: not covered yet. */
      readonly unsealed: number;
      /** Signed checkpoints the tree was checked against (signature, root, consistency). */
      readonly checkpointsVerified: number;
    }
  | LogVerificationFailure;

export interface LogVerificationFailure {
  readonly ok: false;
  /** Leaves that matched before the first bad one. */
  readonly checked: number;
  /** The first leaf index (0-based, commit-safe order) that is wrong or missing; null when unknown. */
  readonly firstBadLeaf: number | null;
  /** The event position at the first bad leaf; null when the event there is gone (removed at the end). */
  readonly firstBadPosition: bigint | null;
  readonly reason: string;
}

/** The schema has no event store (no `events` or `event_tree_batches` table). */
export class EventStoreNotFound extends Error {
  constructor(readonly schema: string) {
    super(`no event store in schema ${JSON.stringify(schema)}`);
    this.name = 'EventStoreNotFound';
  }
}

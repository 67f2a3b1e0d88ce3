/** A row's place in commit-safe order, as PostgreSQL prints the columns. */
export interface CommitOrderKey {
  readonly transaction_id: string;
  readonly position: string;
}

/**
 * Throws unless `rows` ascend strictly by (transaction_id, position): the sealer's read returns
 * its events after the head row of a UNION ALL, whose order SQL does not promise, and a leaf
 * sealed out of order could never be verified.
 */
export function assertCommitOrder(rows: readonly CommitOrderKey[]): void {
  for (let i = 1; i < rows.length; i++) {
    const before = rows[i - 1]!;
    const row = rows[i]!;
    const byTransaction = compareIntegers(before.transaction_id, row.transaction_id);
    if (
      byTransaction < 0 ||
      (byTransaction === 0 && compareIntegers(before.position, row.position) < 0)
    )
      continue;
    throw new Error(
      `EventSealer: events read out of commit-safe order: (${row.transaction_id}, ${row.position}) after (${before.transaction_id}, ${before.position})`,
    );
  }
}

/** Compares two integers in decimal; without a sign, the longer is the larger. */
function compareIntegers(a: string, b: string): number {
  if (a.charCodeAt(0) !== MINUS && b.charCodeAt(0) !== MINUS && a.length !== b.length)
    return a.length - b.length;
  if (a === b) return 0;
  if (a.charCodeAt(0) !== MINUS && b.charCodeAt(0) !== MINUS) return a < b ? -1 : 1;
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

const MINUS = 0x2d;

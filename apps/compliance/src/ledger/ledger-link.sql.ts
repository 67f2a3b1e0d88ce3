const KIND = /^[a-z][a-z-]*$/;

/**
 * SQL condition: the ledger entry `entry` links `kind` with the id in parameter `$param`. Its
 * `links` column holds the link as `{kind, id}`, and the containment is answered by the GIN index
 * `ledger_entries_links_idx` (migration 0008).
 */
export const linksTo = (entry: string, kind: string, param: number): string => {
  if (!KIND.test(kind)) throw new Error(`not a link kind: ${kind}`);
  return `${entry}.links @> jsonb_build_array(jsonb_build_object('kind', '${kind}', 'id', $${param}::text))`;
};

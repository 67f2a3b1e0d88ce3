/**
 * `record[key]` when `key` is the record's own: a key taken from input (a team, a subject, a
 * parameter or change id named `constructor`, `toString`, `valueOf`) never reads an
 * Object.prototype member. Every keyed lookup of input-named keys in a plain object goes through it.
 */
export const ownValue = <T>(
  record: Readonly<Record<string, T>> | undefined,
  key: string,
): T | undefined => (record && Object.hasOwn(record, key) ? record[key] : undefined);

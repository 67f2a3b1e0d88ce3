// The audit ledger's generic scan of an event's data: every `<name>Id`/`<name>Ids` field as a
// link, the control tags it cites, and which keys name who did it. Pure, bounded (depth, links,
// id length, remembered keys) so hostile data costs time only in proportion to its size.
import type { LedgerLink } from './ledger-links';

const MAX_DEPTH = 6;
export const MAX_LINKS = 500;
const MAX_ID_LENGTH = 512;
const ID_KEY = /^([a-zA-Z][a-zA-Z0-9]*?)(Id|Ids|ID|IDs)$/;
const ACTOR_KEY = /^[a-z][a-zA-Z]*By$/;

const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;

/**
 * What a data key names: the link kind of an `<name>Id`/`<name>Ids` key, or null. Remembered per
 * key (event data repeats a few contract keys millions of times); at most KEY_CACHE_SIZE keys, so
 * hostile data with ever new keys only costs the regex, never memory.
 */
export const KEY_CACHE_SIZE = 2_000;
const idKinds = new Map<string, string | null>();
const idKindOf = (key: string): string | null => {
  const known = idKinds.get(key);
  if (known !== undefined) return known;
  const name = ID_KEY.exec(key)?.[1];
  const kind = name ? kebab(name) : null;
  if (idKinds.size < KEY_CACHE_SIZE) idKinds.set(key, kind);
  return kind;
};

/**
 * The generic fallback: every `<name>Id` (a string) and `<name>Ids` (strings) anywhere in the data,
 * nested objects and arrays included (e.g. `deploymentOrder[].workloadId`), as `{kind: name}`.
 */
export const scanIdLinks = (data: unknown): LedgerLink[] => {
  const links: LedgerLink[] = [];
  visitIdsAndControls(data, 0, links, undefined);
  return links;
};

/** Adds the `controls` extension's tags (comma-separated) to `found`; the tags, sorted. */
export const withExtensionControls = (
  found: Set<string>,
  extensions: Readonly<Record<string, string>>,
): string[] => {
  const extension = extensions['controls'];
  if (extension) for (const tag of extension.split(',')) if (tag.trim()) found.add(tag.trim());
  return found.size === 0 ? [] : [...found].sort();
};

/** Control tags: a `controls` list anywhere in the data (e.g. each rule of an evaluation), or the `controls` extension (comma-separated). */
export const controlsOf = (
  data: unknown,
  extensions: Readonly<Record<string, string>>,
): string[] => {
  const found = new Set<string>();
  visitIdsAndControls(data, 0, undefined, found);
  return withExtensionControls(found, extensions);
};

/**
 * The one walk of the data, for ids (stopping at MAX_LINKS), controls (not inside a tag list) or
 * both at once (ledgerFactsOf); scanIdLinks and controlsOf are its halves.
 */
export const visitIdsAndControls = (
  value: unknown,
  depth: number,
  links: LedgerLink[] | undefined,
  controls: Set<string> | undefined,
): void => {
  if (depth > MAX_DEPTH) return;
  const ids = links && links.length < MAX_LINKS ? links : undefined;
  if (!ids && !controls) return;
  if (Array.isArray(value)) {
    for (const item of value) visitIdsAndControls(item, depth + 1, ids, controls);
    return;
  }
  if (!isRecord(value)) return;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const field = value[key];
    if (ids) {
      const kind = idKindOf(key);
      if (kind !== null) {
        if (isId(field)) ids.push({ kind, id: field });
        else if (Array.isArray(field)) for (const id of field) if (isId(id)) ids.push({ kind, id });
      }
    }
    let inner = controls;
    if (controls && (key === 'controls' || key === 'controlTags') && Array.isArray(field)) {
      for (const tag of field) if (isId(tag)) controls.add(tag);
      inner = undefined;
    }
    if (typeof field === 'object') visitIdsAndControls(field, depth + 1, ids, inner);
  }
};

/** Whether a data key names who did it (`…By`), remembered per key like idKindOf. */
const actorKeys = new Map<string, boolean>();
export const isActorKey = (key: string): boolean => {
  const known = actorKeys.get(key);
  if (known !== undefined) return known;
  const actor = ACTOR_KEY.test(key);
  if (actorKeys.size < KEY_CACHE_SIZE) actorKeys.set(key, actor);
  return actor;
};

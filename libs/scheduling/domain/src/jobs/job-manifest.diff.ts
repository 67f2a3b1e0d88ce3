import type { JobManifest } from './job-manifest';

/** One difference between two manifests, at a JSON-path-like `path` (`tasks[extract].timeoutSeconds`). */
export type JobManifestChange =
  | { readonly op: 'added'; readonly path: string; readonly new: unknown }
  | { readonly op: 'removed'; readonly path: string; readonly old: unknown }
  | { readonly op: 'changed'; readonly path: string; readonly old: unknown; readonly new: unknown };

type Json = unknown;

/** Tasks keyed by id, so reordering or inserting one task shows as that task, not a shifted list. */
const keyed = (manifest: JobManifest | undefined): Json =>
  manifest === undefined
    ? {}
    : { ...manifest, tasks: Object.fromEntries(manifest.tasks.map((t) => [t.id, t])) };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const join = (path: string, key: string, parentIsTasks: boolean): string =>
  parentIsTasks ? `${path}[${key}]` : path ? `${path}.${key}` : key;

const walk = (old: Json, next: Json, path: string, out: JobManifestChange[]): void => {
  if (isObject(old) && isObject(next)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
    for (const key of keys) {
      const child = join(path, key, path === 'tasks');
      if (!(key in next) || next[key] === undefined)
        out.push({ op: 'removed', path: child, old: old[key] });
      else if (!(key in old) || old[key] === undefined)
        out.push({ op: 'added', path: child, new: next[key] });
      else walk(old[key], next[key], child, out);
    }
    return;
  }
  if (JSON.stringify(old) !== JSON.stringify(next))
    out.push({ op: 'changed', path, old, new: next });
};

/**
 * What applying `proposed` would change in `running` (absent: the job is new), path by path in a
 * stable order; `[]` when they are the same. Lists other than `tasks` (arguments, dependencies)
 * compare whole: their order means something, or they are sorted already.
 */
export const diffJobManifests = (
  running: JobManifest | undefined,
  proposed: JobManifest,
): JobManifestChange[] => {
  const out: JobManifestChange[] = [];
  walk(keyed(running), keyed(proposed), '', out);
  return out;
};

const value = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/** The diff as lines a person reads before approving: `+ path: new`, `- path: old`, `~ path: old → new`. */
export const formatJobManifestDiff = (changes: readonly JobManifestChange[]): string[] =>
  changes.map((c) =>
    c.op === 'added'
      ? `+ ${c.path}: ${value(c.new)}`
      : c.op === 'removed'
        ? `- ${c.path}: ${value(c.old)}`
        : `~ ${c.path}: ${value(c.old)} → ${value(c.new)}`,
  );

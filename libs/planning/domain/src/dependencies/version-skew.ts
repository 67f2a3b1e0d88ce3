import { compare, major, minor, valid } from 'semver';
import type { SharedLibrary } from '../policy/workload-facts';
import { ValidationError, validateAll, validateEach } from '@trainyard/kernel';

/** The workloads of one release that ship one version of a shared library. */
export interface LibraryVersionUse {
  readonly version: string;
  readonly workloadIds: readonly string[];
}

/**
 * How the workloads on an older version are brought in line with the release's newest one:
 * `align` when they are on the same major.minor line (the newer patch is compatible, take it),
 * `backport` when they are on an older line, which then needs the newer fixes as a patch release
 * of its own (or the workloads move to the newer line in this release).
 */
export interface SkewResolution {
  readonly version: string;
  readonly action: 'align' | 'backport';
  /** The version line the backport lands on, e.g. `1.2.x`; for `align`, the target's line. */
  readonly line: string;
  readonly workloadIds: readonly string[];
  readonly reason: string;
}

/** One shared library shipped at more than one version by the workloads of one release. */
export interface VersionSkew {
  readonly library: string;
  /** The newest version shipped in the release, which the others are reconciled with. */
  readonly target: string;
  /** Ascending by semantic version. */
  readonly versions: readonly LibraryVersionUse[];
  readonly teams: readonly string[];
  /** One per version older than `target`, oldest first. */
  readonly resolutions: readonly SkewResolution[];
  readonly reason: string;
}

export interface LibraryUser {
  readonly workloadId: string;
  readonly team: string;
  readonly libraries?: readonly SharedLibrary[];
}

/** Strict semantic versions (`1.4.2`, `2.0.0-rc.1`); `v1.4` or `1.4` are refused, not guessed at. */
export const assertSharedLibraries = (
  field: string,
  libraries: readonly SharedLibrary[] | undefined,
): void => {
  const names = new Set<string>();
  validateEach(field, libraries ?? [], (library, path) => {
    const named = typeof library.name === 'string' && library.name.trim() !== '';
    validateAll(
      () => {
        if (!named) throw new ValidationError(`${path}.name`, `${path}.name is required`);
      },
      () => {
        if (typeof library.version !== 'string' || valid(library.version) !== library.version)
          throw new ValidationError(
            `${path}.version`,
            `${path}.version must be a semantic version such as 1.4.2; got ${String(library.version)}`,
          );
      },
    );
    if (names.has(library.name))
      throw new ValidationError(`${path}.name`, `library ${library.name} is listed twice`);
    names.add(library.name);
  });
};

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const lineOf = (version: string): string => `${major(version)}.${minor(version)}`;
const list = (ids: readonly string[]): string => ids.join(', ');

/**
 * Version skew among the workloads shipping together in one release: a shared library that some
 * of them build against at one version and others at another, e.g. because it was updated in the
 * middle of the release cycle. Each older version gets a resolution against the newest one.
 * Deterministic: libraries by name, versions by semantic version, workload ids sorted.
 */
export const findVersionSkew = (workloads: readonly LibraryUser[]): VersionSkew[] => {
  const byLibrary = new Map<string, Map<string, { ids: string[]; teams: Set<string> }>>();
  // Indexed loops: allocation calls this for every plan, and most workloads name no library.
  for (let k = 0; k < workloads.length; k++) {
    const w = workloads[k] as LibraryUser;
    const libraries = w.libraries;
    if (libraries === undefined) continue;
    for (let l = 0; l < libraries.length; l++) {
      const library = libraries[l] as SharedLibrary;
      let versions = byLibrary.get(library.name);
      if (!versions) {
        versions = new Map<string, { ids: string[]; teams: Set<string> }>();
        byLibrary.set(library.name, versions);
      }
      const use = versions.get(library.version) ?? { ids: [], teams: new Set<string>() };
      use.ids.push(w.workloadId);
      use.teams.add(w.team);
      versions.set(library.version, use);
    }
  }
  const skews: VersionSkew[] = [];
  for (const library of [...byLibrary.keys()].sort(byText)) {
    const uses = byLibrary.get(library)!;
    if (uses.size < 2) continue;
    const versions = [...uses.keys()].sort(compare);
    const target = versions[versions.length - 1]!;
    const ids = (version: string): string[] => [...uses.get(version)!.ids].sort(byText);
    const teams = [...new Set([...uses.values()].flatMap((u) => [...u.teams]))].sort(byText);
    const resolutions = versions.slice(0, -1).map((version): SkewResolution => {
      const workloadIds = ids(version);
      const line = lineOf(version);
      if (line === lineOf(target))
        return {
          version,
          action: 'align',
          line: `${line}.x`,
          workloadIds,
          reason: `${list(workloadIds)} on ${library} ${version}: align on ${target} (same ${line} line, patch-compatible)`,
        };
      return {
        version,
        action: 'backport',
        line: `${line}.x`,
        workloadIds,
        reason: `${list(workloadIds)} on ${library} ${version}: backport the ${target} fixes to ${line}.x as a patch release, or move them to ${target} in this release`,
      };
    });
    skews.push({
      library,
      target,
      versions: versions.map((version) => ({ version, workloadIds: ids(version) })),
      teams,
      resolutions,
      reason: `${library} ships at ${versions.join(', ')} in this release (teams ${teams.join(', ')}): version skew, reconcile with ${target}`,
    });
  }
  return skews;
};

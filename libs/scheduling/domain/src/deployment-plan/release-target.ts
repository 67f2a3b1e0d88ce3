import { ownValue, ValidationError } from '@trainyard/kernel';

/**
 * Where and by when a committed release deploys. Planning's `ReleaseScopeCommitted` names the
 * train, the workloads (team, job size, change type) and the waves, but not the environments,
 * the deadline, the components touched or an owner: scheduling keeps them as versioned policy
 * data (like planning's `PlanningPolicy`), one target per train and a default for the others.
 * Every placement records the version it used, so a changed target never rewrites a plan.
 */
export interface TrainTarget {
  /** Deployed in this order; each environment's waves start after the previous one's end. */
  readonly environments: readonly string[];
  /** The deadline: this many days after the scope was committed. */
  readonly deadlineDays: number;
  /** The earliest start: this many minutes after the scope was committed (lead time). */
  readonly leadMinutes: number;
  /** Minimum gap between one wave's end and the next wave's start, minutes. */
  readonly waveGapMinutes: number;
  /** Components a workload touches when nothing more precise is known, by workload id. */
  readonly workloadComponents?: Readonly<Record<string, readonly string[]>>;
  /** Components a team's workloads touch by default (the team's own service otherwise). */
  readonly teamComponents?: Readonly<Record<string, readonly string[]>>;
  /** Who is on the hook for a team's deployments (an owner is never booked twice at once). */
  readonly teamOwners?: Readonly<Record<string, string>>;
}

export interface ReleaseTargetPolicy {
  readonly version: string;
  readonly trains: Readonly<Record<string, TrainTarget>>;
  readonly defaultTarget: TrainTarget;
}

export const DEFAULT_RELEASE_TARGET_POLICY: ReleaseTargetPolicy = {
  version: 'release-target/2026-12.1',
  trains: {},
  defaultTarget: {
    environments: ['staging', 'production'],
    deadlineDays: 14,
    leadMinutes: 60,
    waveGapMinutes: 30,
  },
};

export const targetFor = (trainId: string, policy: ReleaseTargetPolicy): TrainTarget =>
  ownValue(policy.trains, trainId) ?? policy.defaultTarget;

/** The components a workload touches: its own list, its team's, or `<team>-service`. */
export const componentsFor = (target: TrainTarget, workloadId: string, team: string): string[] => [
  ...(ownValue(target.workloadComponents, workloadId) ??
    ownValue(target.teamComponents, team) ?? [`${team}-service`]),
];

export const ownerFor = (target: TrainTarget, team: string): string | undefined =>
  ownValue(target.teamOwners, team);

/** Refuses a target the placement could not honour, naming the field. */
export const assertValidReleaseTargetPolicy = (
  policy: ReleaseTargetPolicy,
): ReleaseTargetPolicy => {
  if (policy.version.trim() === '')
    throw new ValidationError('version', 'The release target policy needs a version.');
  const check = (path: string, target: TrainTarget) => {
    if (target.environments.length === 0 || target.environments.some((e) => e.trim() === ''))
      throw new ValidationError(
        `${path}.environments`,
        'A target needs at least one named environment.',
      );
    for (const [field, value] of [
      ['deadlineDays', target.deadlineDays],
      ['leadMinutes', target.leadMinutes],
      ['waveGapMinutes', target.waveGapMinutes],
    ] as const)
      if (!Number.isFinite(value) || value < 0)
        throw new ValidationError(
          `${path}.${field}`,
          `${field} must be a number of at least 0; got ${value}.`,
        );
  };
  check('defaultTarget', policy.defaultTarget);
  for (const [train, target] of Object.entries(policy.trains)) check(`trains.${train}`, target);
  return policy;
};

import { ValidationError } from '@trainyard/kernel';

/**
 * Zombie jobs (issue 12, item 7): defined jobs nobody needs any more, found for the deprecation
 * flow (the jobs API's DeprecateJob) to act on. Pure: the query gives each job's facts.
 */
export const ZOMBIE_REASONS = ['no-run-needed', 'no-successful-run', 'owner-team-gone'] as const;
export type ZombieReason = (typeof ZOMBIE_REASONS)[number];

export interface ZombieJobFacts {
  readonly job: string;
  readonly owner: string;
  /** When its first version was applied (ISO). */
  readonly definedAt: string;
  readonly deprecated: boolean;
  /** The last run scheduled or requested (not skipped or missed), ISO nominal time. */
  readonly lastRunAt?: string;
  /** The last run that succeeded, ISO finish. */
  readonly lastSuccessAt?: string;
}

export interface ZombiePolicy {
  /** N: a job is judged on its last N days (and not before it is N days old). */
  readonly days: number;
  /**
   * The teams that exist; absent: unknown, so "owner team gone" is not judged (nothing would be
   * known to be gone).
   */
  readonly knownTeams?: readonly string[];
}

export interface ZombieFinding {
  readonly job: string;
  readonly owner: string;
  readonly reasons: readonly ZombieReason[];
  readonly definedAt: string;
  readonly lastRunAt?: string;
  readonly lastSuccessAt?: string;
  /** One sentence per reason. */
  readonly detail: string;
}

export const MAX_ZOMBIE_DAYS = 3650;
const DAY_MS = 86_400_000;

export const assertZombieDays = (field: string, days: number): number => {
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_ZOMBIE_DAYS)
    throw new ValidationError(
      field,
      `${field} must be a whole number of days from 1 to ${MAX_ZOMBIE_DAYS}; got ${days}`,
    );
  return days;
};

const before = (instant: string | undefined, cutoff: number): boolean =>
  instant === undefined || Date.parse(instant) < cutoff;

/**
 * Findings, sorted by job: a deprecated job is already handled; a job younger than N days is
 * given its first N days. Reasons: `no-run-needed` (no run scheduled or requested in N days:
 * nothing needs it), `no-successful-run` (it ran, but nothing succeeded in N days), and
 * `owner-team-gone` (its owner is not one of the known teams; judged at any age).
 */
export const detectZombies = (
  jobs: readonly ZombieJobFacts[],
  policy: ZombiePolicy,
  now: number,
): ZombieFinding[] => {
  const cutoff = now - policy.days * DAY_MS;
  const teams = policy.knownTeams ? new Set(policy.knownTeams) : undefined;
  const findings: ZombieFinding[] = [];
  for (const job of [...jobs].sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0))) {
    if (job.deprecated) continue;
    const reasons: ZombieReason[] = [];
    const details: string[] = [];
    if (Date.parse(job.definedAt) <= cutoff) {
      if (before(job.lastRunAt, cutoff)) {
        reasons.push('no-run-needed');
        details.push(`no run was scheduled or requested in the last ${policy.days} days`);
      } else if (before(job.lastSuccessAt, cutoff)) {
        reasons.push('no-successful-run');
        details.push(`no run succeeded in the last ${policy.days} days`);
      }
    }
    if (teams && !teams.has(job.owner)) {
      reasons.push('owner-team-gone');
      details.push(`its owner team ${job.owner} is not a known team`);
    }
    if (reasons.length === 0) continue;
    findings.push({
      job: job.job,
      owner: job.owner,
      reasons,
      definedAt: job.definedAt,
      ...(job.lastRunAt ? { lastRunAt: job.lastRunAt } : {}),
      ...(job.lastSuccessAt ? { lastSuccessAt: job.lastSuccessAt } : {}),
      detail: `${job.job}: ${details.join('; ')}.`,
    });
  }
  return findings;
};

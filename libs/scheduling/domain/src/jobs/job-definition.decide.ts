import { NotFoundError, RuleViolation, ValidationError } from '@trainyard/kernel';
import { canonicalJson, sha256Hex } from './canonical-json';
import {
  validateJobManifest,
  type JobManifest,
  type JobManifestValidationOptions,
} from './job-manifest';
import { diffJobManifests } from './job-manifest.diff';
import {
  runningVersion,
  type ApplyJobManifest,
  type ApproveJobManifest,
  type DeprecateJob,
  type JobDefinition,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
  type ReinstateJob,
  type RollBackJobManifest,
} from './job-definition';

/**
 * A manifest refused: every problem, the first one's field as the error's own. Its `violations`
 * (and message) are `ValidationError.of`'s, so every transport reports every problem, not the first.
 */
export class JobManifestRejected extends ValidationError {
  constructor(readonly problems: readonly ValidationError[]) {
    const [first, ...more] = problems.map((p) => ({ field: p.field, message: p.message }));
    if (first === undefined) throw new Error('JobManifestRejected needs at least one problem');
    const all = ValidationError.of([first, ...more]);
    super(all.field, all.message, all.violations);
  }
}

export type JobDefinitionContext = JobManifestValidationOptions | undefined;

/** `sha256:` of the canonical JSON of the normalised manifest: the same job, the same digest. */
export const jobManifestDigest = (manifest: JobManifest): string =>
  `sha256:${sha256Hex(canonicalJson(manifest))}`;

const hasProdParameters = (m: JobManifest | undefined): boolean =>
  m !== undefined && Object.keys(m.environments.prod).length > 0;

/**
 * Why applying `next` over `running` affects production, or `[]`. A change is prod-affecting
 * (rule `job-change-four-eyes`) when it changes what prod runs with or what a job configured for
 * prod does:
 * - any change to the prod parameter values or to the declared parameters (a new or retyped
 *   parameter changes what prod receives), including a first version with prod parameters;
 * - for a job with prod parameters (before or after): any change to its schedule or its tasks.
 * Name, owner, criticality, description and dev/staging values alone are not.
 */
export const prodAffectingReasons = (
  running: JobManifest | undefined,
  next: JobManifest,
): string[] => {
  const reasons: string[] = [];
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  if (
    !same(running?.environments.prod ?? {}, next.environments.prod) ||
    !same(running?.parameters ?? {}, next.parameters)
  )
    reasons.push('the prod parameters change');
  if (hasProdParameters(running) || hasProdParameters(next)) {
    if (!same(running?.schedule ?? null, next.schedule ?? null))
      reasons.push('the schedule of a job with prod parameters changes');
    if (!same(running?.tasks ?? [], next.tasks))
      reasons.push('the tasks of a job with prod parameters change');
  }
  return reasons;
};

const validated = (input: unknown, context: JobDefinitionContext): JobManifest => {
  const result = validateJobManifest(input, context ?? {});
  if (!result.ok) throw new JobManifestRejected(result.problems);
  return result.manifest;
};

export const applyJobManifest = (
  command: ApplyJobManifest,
  state: JobDefinition,
  context: JobDefinitionContext,
): JobDefinitionEvent[] => {
  const manifest = validated(command.data.manifest, context);
  if (state.status === 'Defined' && manifest.name !== state.name)
    throw new RuleViolation(
      'job-name-fixed',
      `This job definition is ${state.name}; a manifest named ${manifest.name} is another job.`,
    );
  const digest = jobManifestDigest(manifest);
  const running = runningVersion(state);
  if (running?.digest === digest) return [];
  if (state.proposal !== undefined) {
    if (state.proposal.digest === digest) return [];
    throw new RuleViolation(
      'job-proposal-pending',
      `A change to ${manifest.name} proposed by ${state.proposal.author} awaits approval; approve it or roll back before applying another.`,
    );
  }
  const changes = diffJobManifests(running?.manifest, manifest);
  const reasons = prodAffectingReasons(running?.manifest, manifest);
  const { actor: author, now } = command.metadata;
  if (reasons.length > 0)
    return [
      {
        type: 'JobManifestProposed',
        data: {
          name: manifest.name,
          digest,
          manifest,
          changes,
          reasons,
          baseVersion: running?.version ?? 0,
          author,
          proposedAt: now,
        },
      },
    ];
  return [
    {
      type: 'JobManifestApplied',
      data: {
        name: manifest.name,
        version: (running?.version ?? 0) + 1,
        digest,
        manifest,
        changes,
        author,
        appliedAt: now,
      },
    },
  ];
};

export const approveJobManifest = (
  command: ApproveJobManifest,
  state: JobDefinition,
): JobDefinitionEvent[] => {
  const { name, digest } = command.data;
  const running = runningVersion(state);
  const proposal = state.proposal;
  if (proposal === undefined) {
    if (state.status === 'Undefined') throw new NotFoundError('job definition', name);
    // Approving what is already running again is a retry of an approval that went through.
    if (running?.digest === digest && running.approvedBy === command.metadata.actor) return [];
    throw new RuleViolation('job-proposal-absent', `No change to ${name} awaits approval.`);
  }
  if (proposal.digest !== digest)
    throw new RuleViolation(
      'job-proposal-stale',
      `The change awaiting approval for ${name} is ${proposal.digest}, not the reviewed ${digest}; review it again.`,
    );
  if (proposal.author === command.metadata.actor)
    throw new RuleViolation(
      'job-change-four-eyes',
      `${command.metadata.actor} proposed this prod-affecting change to ${name}; someone else must approve it.`,
    );
  return [
    {
      type: 'JobManifestApplied',
      data: {
        name: proposal.manifest.name,
        version: (running?.version ?? 0) + 1,
        digest,
        manifest: proposal.manifest,
        changes: diffJobManifests(running?.manifest, proposal.manifest),
        author: proposal.author,
        approvedBy: command.metadata.actor,
        appliedAt: command.metadata.now,
      },
    },
  ];
};

/**
 * A rollback restores a version that was applied (and approved where needed) before, so it does
 * not wait for a second person: it is the way out of a bad change at 3 a.m. It withdraws a
 * pending proposal, which was diffed against the version being replaced.
 */
export const rollBackJobManifest = (
  command: RollBackJobManifest,
  state: JobDefinition,
): JobDefinitionEvent[] => {
  const { name, toVersion } = command.data;
  if (!Number.isInteger(toVersion) || toVersion < 1)
    throw new ValidationError(
      'toVersion',
      `toVersion must be a version number from 1; got ${toVersion}.`,
    );
  if (state.status !== 'Defined') throw new NotFoundError('job definition', name);
  const target = state.versions.find((v) => v.version === toVersion);
  if (target === undefined) throw new NotFoundError('job manifest version', `${name}@${toVersion}`);
  const running = runningVersion(state) as NonNullable<ReturnType<typeof runningVersion>>;
  if (running.digest === target.digest && state.proposal === undefined) return [];
  return [
    {
      type: 'JobManifestRolledBack',
      data: {
        name: state.name,
        version: running.version + 1,
        toVersion,
        digest: target.digest,
        manifest: target.manifest,
        changes: diffJobManifests(running.manifest, target.manifest),
        ...(state.proposal === undefined ? {} : { withdrawnProposal: state.proposal.digest }),
        rolledBackBy: command.metadata.actor,
        rolledBackAt: command.metadata.now,
      },
    },
  ];
};

const MAX_REASON = 2_000;

/**
 * A deprecated job stays defined with every version and can still be changed or rolled back, but
 * is not scheduled (issue 12, item 7) until reinstated. Deprecating twice changes nothing.
 */
export const deprecateJob = (command: DeprecateJob, state: JobDefinition): JobDefinitionEvent[] => {
  const { name, reason } = command.data;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON)
    throw new ValidationError(
      'reason',
      `reason is required: why ${name} is deprecated (at most ${MAX_REASON} characters).`,
    );
  if (state.status !== 'Defined') throw new NotFoundError('job definition', name);
  if (state.deprecated !== undefined) return [];
  return [
    {
      type: 'JobDeprecated',
      data: {
        name: state.name,
        reason: reason.trim(),
        deprecatedBy: command.metadata.actor,
        deprecatedAt: command.metadata.now,
      },
    },
  ];
};

export const reinstateJob = (command: ReinstateJob, state: JobDefinition): JobDefinitionEvent[] => {
  const { name, reason } = command.data;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON))
    throw new ValidationError('reason', `reason must be at most ${MAX_REASON} characters.`);
  if (state.status !== 'Defined') throw new NotFoundError('job definition', name);
  if (state.deprecated === undefined) return [];
  const trimmed = reason?.trim();
  return [
    {
      type: 'JobReinstated',
      data: {
        name: state.name,
        ...(trimmed ? { reason: trimmed } : {}),
        reinstatedBy: command.metadata.actor,
        reinstatedAt: command.metadata.now,
      },
    },
  ];
};

export const decideJobDefinition = (
  command: JobDefinitionCommand,
  state: JobDefinition,
  context: JobDefinitionContext,
): readonly JobDefinitionEvent[] => {
  switch (command.type) {
    case 'ApplyJobManifest':
      return applyJobManifest(command, state, context);
    case 'ApproveJobManifest':
      return approveJobManifest(command, state);
    case 'RollBackJobManifest':
      return rollBackJobManifest(command, state);
    case 'DeprecateJob':
      return deprecateJob(command, state);
    case 'ReinstateJob':
      return reinstateJob(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError(
        'type',
        `${(unknown as { type: string }).type} is not a job definition command.`,
      );
    }
  }
};

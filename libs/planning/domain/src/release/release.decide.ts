import type { PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY, SEVERITY_MAX, SEVERITY_MIN } from '../policy/planning-policy';
import { findTrack } from '../policy/routing';
import {
  type CommandMetadata,
  assertIsoInstant,
  assertMetadata,
  assertNonEmpty,
  AlreadyExistsError,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type {
  CancelRelease,
  CloseRelease,
  CommitScope,
  ExcludeWorkload,
  IncludeWorkload,
  PlanRelease,
  ReleaseCommand,
  RequestEmergencyPatch,
  ScopeException,
} from './release.commands';
import { deferWorkload, planWorkload } from '../workload/workload.decide';
import type { Workload } from '../workload/workload.state';
import type { ReleaseEvent } from './release.events';
import type { Release } from './release.state';
import { scopeUsed } from './release.state';

export interface ReleaseDecisionContext {
  readonly policy: PlanningPolicy;
  /**
   * The workload a scope exception or an emergency patch is about, as its stream stands: its
   * profile supplies the defaults, and the release refuses what the workload would refuse as a
   * consequence (e.g. planned in another release), before anything is written.
   */
  readonly workload?: Workload;
}

const DEFAULT_CONTEXT: ReleaseDecisionContext = { policy: DEFAULT_PLANNING_POLICY };

type Known = Exclude<Release, { status: 'Unplanned' }>;

const known = (state: Release, releaseId: string): Known => {
  if (state.status === 'Unplanned') throw new NotFoundError('release', releaseId);
  if (state.releaseId !== releaseId)
    throw new ValidationError(
      'releaseId',
      `command for ${releaseId} sent to release ${state.releaseId}`,
    );
  return state;
};

const closed = (state: Known): RuleViolation =>
  new RuleViolation('release-open', `release ${state.releaseId} is ${state.status.toLowerCase()}`);

/** The independent-approver rule: with it on, nobody approves what they asked for themselves. */
const approvesOwnRequest = (
  approver: string,
  metadata: CommandMetadata,
  policy: PlanningPolicy,
): boolean => policy.governance.requireIndependentApprover && approver === metadata.actor;

/** Only a release in planning is allocated (previewed or committed); the same rule id as every other closed-state refusal. */
export const allocatableRelease = (
  state: Release,
  releaseId: string,
): Extract<Release, { status: 'Planning' }> => {
  const current = known(state, releaseId);
  if (current.status !== 'Planning') throw closed(current);
  return current;
};

/** The workload a scope exception names must exist; an unknown one is NOT_FOUND. */
const registeredWorkload = (context: ReleaseDecisionContext, workloadId: string): void => {
  if (context.workload?.status === 'Unregistered') throw new NotFoundError('workload', workloadId);
};

/** An approved exception; with the independent-approver rule, nobody approves their own request. */
const assertException = (
  exception: ScopeException | undefined,
  metadata: CommandMetadata,
  policy: PlanningPolicy,
  workloadId: string,
): ScopeException => {
  if (!exception)
    throw new RuleViolation(
      'scope-change-requires-exception',
      `scope is committed: changing ${workloadId} needs an exception with reason and approver`,
    );
  // Named as the request names them: the exception's reason and approver are top-level fields.
  assertNonEmpty('reason', exception.reason);
  assertNonEmpty('approver', exception.approver);
  if (approvesOwnRequest(exception.approver, metadata, policy))
    throw new RuleViolation(
      'independent-approver',
      `${metadata.actor} cannot approve their own scope exception`,
    );
  return exception;
};

export const planRelease = (
  command: PlanRelease,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, trainId, window } = command.data;
  assertNonEmpty('releaseId', releaseId);
  assertNonEmpty('trainId', trainId);
  const start = Date.parse(assertIsoInstant('window.start', window?.start));
  const end = Date.parse(assertIsoInstant('window.end', window.end));
  if (end <= start)
    throw new ValidationError('window.end', 'window.end must be after window.start');
  if (!findTrack(context.policy, trainId)) throw new NotFoundError('train', trainId);
  if (state.status !== 'Unplanned') {
    const same =
      state.status === 'Planning' &&
      state.trainId === trainId &&
      state.window.start === window.start &&
      state.window.end === window.end;
    if (same) return [];
    throw new AlreadyExistsError('release', state.releaseId);
  }
  return [
    {
      type: 'ReleasePlanned',
      data: {
        releaseId,
        trainId,
        window,
        plannedBy: command.metadata.actor,
        plannedAt: command.metadata.now,
      },
    },
  ];
};

export const includeWorkload = (
  command: IncludeWorkload,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, workloadId, exception } = command.data;
  assertNonEmpty('workloadId', workloadId);
  registeredWorkload(context, workloadId);
  const current = known(state, releaseId);
  const { actor, now } = command.metadata;
  switch (current.status) {
    case 'Planning':
      if (current.negotiated.include.includes(workloadId)) return [];
      return [
        {
          type: 'ReleaseScopeNegotiated',
          data: {
            releaseId,
            workloadId,
            change: 'include',
            ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
            negotiatedBy: actor,
            negotiatedAt: now,
          },
        },
      ];
    case 'ScopeCommitted': {
      if (current.scope.some((s) => s.workloadId === workloadId)) return [];
      if (current.kind === 'emergency')
        throw new RuleViolation(
          'emergency-patch-single-workload',
          'an emergency patch release carries one workload',
        );
      const profile =
        context.workload?.status === 'Unregistered' ? undefined : context.workload?.profile;
      const team = command.data.team || profile?.team;
      const jobSize = command.data.jobSize || profile?.jobSize;
      if (context.workload)
        planWorkload(
          { type: 'PlanWorkload', data: { workloadId, releaseId }, metadata: command.metadata },
          context.workload,
        );
      const approved = assertException(exception, command.metadata, context.policy, workloadId);
      const owner = assertNonEmpty('team', team);
      if (!(typeof jobSize === 'number' && Number.isFinite(jobSize) && jobSize > 0))
        throw new ValidationError(
          'jobSize',
          'jobSize is required to add a workload to committed scope',
        );
      return [
        {
          type: 'ScopeExceptionGranted',
          data: {
            releaseId,
            workloadId,
            change: 'include',
            reason: approved.reason,
            approver: approved.approver,
            requestedBy: actor,
            grantedAt: now,
          },
        },
        {
          type: 'ReleaseWorkloadIncluded',
          data: {
            releaseId,
            workloadId,
            team: owner,
            jobSize,
            unplanned: true,
            capacityUsed: scopeUsed(current.scope) + jobSize,
            capacityTotal: current.capacityTotal,
            includedAt: now,
          },
        },
      ];
    }
    case 'Released':
    case 'Cancelled':
      throw closed(current);
  }
};

export const excludeWorkload = (
  command: ExcludeWorkload,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, workloadId, exception } = command.data;
  assertNonEmpty('workloadId', workloadId);
  registeredWorkload(context, workloadId);
  const current = known(state, releaseId);
  const { actor, now } = command.metadata;
  switch (current.status) {
    case 'Planning':
      if (current.negotiated.exclude.includes(workloadId)) return [];
      return [
        {
          type: 'ReleaseScopeNegotiated',
          data: {
            releaseId,
            workloadId,
            change: 'exclude',
            ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
            negotiatedBy: actor,
            negotiatedAt: now,
          },
        },
      ];
    case 'ScopeCommitted': {
      const item = current.scope.find((s) => s.workloadId === workloadId);
      if (!item) return [];
      if (current.kind === 'emergency')
        throw new RuleViolation(
          'emergency-patch-single-workload',
          'cancel the emergency release instead',
        );
      if (context.workload)
        deferWorkload(
          {
            type: 'DeferWorkload',
            data: { workloadId, releaseId, reason: `excluded from ${releaseId}` },
            metadata: command.metadata,
          },
          context.workload,
        );
      const approved = assertException(exception, command.metadata, context.policy, workloadId);
      return [
        {
          type: 'ScopeExceptionGranted',
          data: {
            releaseId,
            workloadId,
            change: 'exclude',
            reason: approved.reason,
            approver: approved.approver,
            requestedBy: actor,
            grantedAt: now,
          },
        },
        {
          type: 'ReleaseWorkloadExcluded',
          data: { releaseId, workloadId, team: item.team, jobSize: item.jobSize, excludedAt: now },
        },
      ];
    }
    case 'Released':
    case 'Cancelled':
      throw closed(current);
  }
};

export const commitScope = (command: CommitScope, state: Release): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, plan } = command.data;
  const current = known(state, releaseId);
  if (current.status === 'ScopeCommitted') return [];
  if (current.status !== 'Planning') throw closed(current);
  if (!plan)
    throw new ValidationError(
      'plan',
      'a commit of a release in planning needs its allocation plan',
    );
  if (plan.releaseId !== releaseId)
    throw new ValidationError(
      'plan.releaseId',
      `plan was computed for release ${plan.releaseId}, not ${releaseId}`,
    );
  if (plan.trainId !== current.trainId)
    throw new ValidationError(
      'plan.trainId',
      `plan was computed for train ${plan.trainId}, not ${current.trainId}`,
    );
  const included = plan.entries.filter((e) => e.decision === 'included');
  const used = included.reduce((sum, e) => sum + e.jobSize, 0);
  if (used > plan.capacityTotal)
    throw new RuleViolation(
      'release-capacity',
      `plan uses ${used} of ${plan.capacityTotal} capacity`,
    );
  const excluded = new Set(current.negotiated.exclude);
  const ignored = included.find((e) => excluded.has(e.workloadId));
  if (ignored)
    throw new RuleViolation(
      'negotiated-exclusion',
      `${ignored.workloadId} was excluded in scope negotiation; re-run allocation with the negotiated scope`,
    );
  const { actor, now } = command.metadata;
  const events: ReleaseEvent[] = [
    {
      type: 'ReleaseScopeCommitted',
      data: {
        releaseId,
        trainId: current.trainId,
        workloads: included.map((e) => ({
          workloadId: e.workloadId,
          team: e.team,
          jobSize: e.jobSize,
          changeType: e.changeType,
          order: e.order,
          reason: e.reason,
        })),
        deferred: plan.entries
          .filter((e) => e.decision !== 'included')
          .map((e) => ({ workloadId: e.workloadId, reason: e.reason })),
        deploymentOrder: plan.deploymentOrder.map((d) => ({
          workloadId: d.workloadId,
          wave: d.wave,
        })),
        ...(plan.versionSkews.length > 0 ? { versionSkews: plan.versionSkews } : {}),
        capacityTotal: plan.capacityTotal,
        capacityUsed: used,
        deferredCount: plan.entries.length - included.length,
        policyVersion: plan.policyVersion,
        committedBy: actor,
        committedAt: now,
      },
    },
  ];
  for (const alert of plan.alerts) {
    if (alert.type !== 'ComplianceGuaranteeMissed') continue;
    events.push({
      type: 'ComplianceGuaranteeMissed',
      data: {
        releaseId,
        workloadId: alert.workloadId,
        team: alert.team,
        reason: alert.reason,
        detectedAt: now,
      },
    });
  }
  return events;
};

/**
 * Bypasses batching only when every configured criterion holds; otherwise the refusal names the
 * first failed rule and lists all failures.
 */
export const requestEmergencyPatch = (
  command: RequestEmergencyPatch,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, trackId, workloadId, approver } = command.data;
  assertNonEmpty('releaseId', releaseId);
  assertNonEmpty('workloadId', workloadId);
  // A registered workload supplies what the request leaves out, and must be plannable in it.
  const workload = context.workload?.status === 'Unregistered' ? undefined : context.workload;
  if (workload)
    planWorkload(
      { type: 'PlanWorkload', data: { workloadId, releaseId }, metadata: command.metadata },
      workload,
    );
  const team = command.data.team || workload?.profile.team || '';
  const jobSize = command.data.jobSize || workload?.profile.jobSize || 0;
  const severity = command.data.severity || workload?.profile.severity || undefined;
  const linkedIncident =
    command.data.linkedIncident || workload?.profile.linkedIncident || undefined;
  assertNonEmpty('team', team);
  if (!(Number.isFinite(jobSize) && jobSize > 0))
    throw new ValidationError('jobSize', 'jobSize must be positive');
  if (
    severity !== undefined &&
    !(Number.isInteger(severity) && severity >= SEVERITY_MIN && severity <= SEVERITY_MAX)
  )
    throw new ValidationError(
      'severity',
      `severity must be an integer ${SEVERITY_MIN}..${SEVERITY_MAX}`,
    );
  if (state.status !== 'Unplanned') {
    const retried =
      state.status === 'ScopeCommitted' &&
      state.kind === 'emergency' &&
      state.scope.length === 1 &&
      state.scope[0]?.workloadId === workloadId;
    if (retried) return [];
    throw new AlreadyExistsError('release', state.releaseId);
  }
  const { policy } = context;
  const criteria = policy.emergencyPatch;
  const track = findTrack(policy, trackId);
  const failures: { rule: string; message: string }[] = [];
  if (!track || track.kind !== 'independent')
    failures.push({
      rule: 'emergency-patch.independent-track',
      message: `${trackId} is not an independent track`,
    });
  if ((severity ?? 0) < criteria.minimumSeverity)
    failures.push({
      rule: 'emergency-patch.severity',
      message: `severity ${severity ?? 'none'} is below the required ${criteria.minimumSeverity}`,
    });
  if (criteria.requireLinkedIncident && !linkedIncident?.trim())
    failures.push({ rule: 'emergency-patch.linked-incident', message: 'no linked incident' });
  if (criteria.requireApprover && !approver?.trim())
    failures.push({ rule: 'emergency-patch.approver', message: 'no approver' });
  else if (approver && approvesOwnRequest(approver, command.metadata, policy))
    failures.push({
      rule: 'independent-approver',
      message: `${approver} cannot approve their own emergency patch`,
    });
  const first = failures[0];
  if (first)
    throw new RuleViolation(
      first.rule,
      `emergency patch refused: ${failures.map((f) => `${f.message} (${f.rule})`).join('; ')}`,
    );
  return [
    {
      type: 'EmergencyPatchScheduled',
      data: {
        releaseId,
        trackId,
        workloadId,
        team,
        jobSize,
        severity: severity ?? 0,
        ...(linkedIncident ? { linkedIncident } : {}),
        ...(approver ? { approver } : {}),
        unplanned: true,
        policyVersion: policy.version,
        requestedBy: command.metadata.actor,
        scheduledAt: command.metadata.now,
      },
    },
  ];
};

export const closeRelease = (command: CloseRelease, state: Release): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, completed } = command.data;
  const current = known(state, releaseId);
  if (current.status === 'Released') return [];
  if (current.status === 'Planning')
    throw new RuleViolation(
      'scope-committed-before-close',
      `release ${releaseId} has no committed scope`,
    );
  if (current.status !== 'ScopeCommitted') throw closed(current);
  const scope = new Map(current.scope.map((s) => [s.workloadId, s]));
  const delivered = new Map<string, number>();
  completed.forEach((c, i) => {
    const item = scope.get(c.workloadId);
    if (!item)
      throw new ValidationError(
        `completed[${i}].workloadId`,
        `${c.workloadId} is not in the scope of ${releaseId}`,
      );
    if (delivered.has(c.workloadId))
      throw new ValidationError(`completed[${i}].workloadId`, `${c.workloadId} is listed twice`);
    // 0 (or absent) means "as planned": the size committed for it.
    const jobSize = c.jobSize === 0 ? item.jobSize : c.jobSize;
    if (!(Number.isFinite(jobSize) && jobSize > 0))
      throw new ValidationError(`completed[${i}].jobSize`, 'jobSize must be positive');
    delivered.set(c.workloadId, jobSize);
  });
  const byTeam = new Map<string, { completed: number; unplanned: number; planned: number }>();
  for (const item of current.scope) {
    const totals = byTeam.get(item.team) ?? { completed: 0, unplanned: 0, planned: 0 };
    const done = delivered.get(item.workloadId) ?? 0;
    if (item.unplanned) totals.unplanned += done;
    else {
      totals.planned += item.jobSize;
      totals.completed += done;
    }
    byTeam.set(item.team, totals);
  }
  return [
    {
      type: 'ReleaseClosed',
      data: {
        releaseId,
        trainId: current.trainId,
        kind: current.kind,
        completed: current.scope
          .filter((s) => delivered.has(s.workloadId))
          .map((s) => ({
            workloadId: s.workloadId,
            team: s.team,
            jobSize: delivered.get(s.workloadId) ?? 0,
            unplanned: s.unplanned,
          })),
        notCompleted: current.scope
          .filter((s) => !delivered.has(s.workloadId))
          .map((s) => s.workloadId),
        teams: [...byTeam.keys()].sort().map((team) => {
          const t = byTeam.get(team) ?? { completed: 0, unplanned: 0, planned: 0 };
          return {
            team,
            completedJobSize: t.completed,
            unplannedJobSize: t.unplanned,
            plannedJobSize: t.planned,
          };
        }),
        closedBy: command.metadata.actor,
        closedAt: command.metadata.now,
      },
    },
  ];
};

export const cancelRelease = (command: CancelRelease, state: Release): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const current = known(state, command.data.releaseId);
  if (current.status === 'Cancelled') return [];
  if (current.status === 'Released') throw closed(current);
  const reason = assertNonEmpty('reason', command.metadata.reason);
  return [
    {
      type: 'ReleaseCancelled',
      data: {
        releaseId: current.releaseId,
        reason,
        workloadIds:
          current.status === 'ScopeCommitted' ? current.scope.map((s) => s.workloadId) : [],
        cancelledBy: command.metadata.actor,
        cancelledAt: command.metadata.now,
      },
    },
  ];
};

export const decideRelease = (
  command: ReleaseCommand,
  state: Release,
  context: ReleaseDecisionContext = DEFAULT_CONTEXT,
): readonly ReleaseEvent[] => {
  switch (command.type) {
    case 'PlanRelease':
      return planRelease(command, state, context);
    case 'IncludeWorkload':
      return includeWorkload(command, state, context);
    case 'ExcludeWorkload':
      return excludeWorkload(command, state, context);
    case 'CommitScope':
      return commitScope(command, state);
    case 'RequestEmergencyPatch':
      return requestEmergencyPatch(command, state, context);
    case 'CloseRelease':
      return closeRelease(command, state);
    case 'CancelRelease':
      return cancelRelease(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError('type', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
};

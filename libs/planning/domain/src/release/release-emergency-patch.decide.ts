import { SEVERITY_MAX, SEVERITY_MIN } from '../policy/planning-policy';
import { findTrack } from '../policy/routing';
import {
  assertMetadata,
  assertNonEmpty,
  AlreadyExistsError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { RequestEmergencyPatch } from './release.commands';
import { planWorkload } from '../workload/workload.decide';
import type { ReleaseEvent } from './release.events';
import { approvesOwnRequest, DEFAULT_CONTEXT } from './release.guards';
import type { Release } from './release.state';

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

import { assertMetadata, RuleViolation, ValidationError } from '@trainyard/kernel';
import type { CommitScope } from './release.commands';
import type { ReleaseEvent } from './release.events';
import { closed, known } from './release.guards';
import type { Release } from './release.state';

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

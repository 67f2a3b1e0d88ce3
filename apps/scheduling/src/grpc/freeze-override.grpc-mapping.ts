import type { freezeOverride } from '@trainyard/grpc-contracts';
import { isOverrideActive, type CalendarScope } from '@trainyard/scheduling-domain';
import type { FreezeOverrideRow, OverrideReviewRow } from '@trainyard/scheduling-read-models';

/** A scope from the wire: empty lists mean every value, as in the domain. */
export const scopeFromProto = (scope: freezeOverride.OverrideScope | undefined): CalendarScope => ({
  trains: scope?.trains ?? [],
  teams: scope?.teams ?? [],
  environments: scope?.environments ?? [],
  components: scope?.components ?? [],
});

const scopeToProto = (scope: CalendarScope): freezeOverride.OverrideScope => ({
  trains: [...(scope.trains ?? [])],
  teams: [...(scope.teams ?? [])],
  environments: [...(scope.environments ?? [])],
  components: [...(scope.components ?? [])],
});

export const toProtoOverride = (
  row: FreezeOverrideRow,
  now: string,
): freezeOverride.FreezeOverride => ({
  overrideId: row.overrideId,
  freezeId: row.freezeId,
  scope: scopeToProto(row.scope),
  from: row.from,
  to: row.to,
  reason: row.reason,
  status: row.status,
  activeNow: isOverrideActive(row, Date.parse(now)),
  requestedBy: row.requestedBy,
  requestedAt: row.requestedAt,
  requiredApprovals: row.requiredApprovals,
  approvalRule: row.approvalRule,
  policyVersion: row.policyVersion,
  approvals: row.approvals.map((a) => ({ approvedBy: a.approvedBy, approvedAt: a.approvedAt })),
  activatedAt: row.activatedAt ?? '',
  endedAt: row.rejectedAt ?? row.revokedAt ?? row.expiredAt ?? '',
  endedBy: row.endedBy ?? '',
  endReason: row.endReason ?? '',
  uses: row.uses.map((u) => ({
    deploymentId: u.deploymentId,
    start: u.start,
    end: u.end,
    scope: scopeToProto(u.scope),
    usedBy: u.usedBy,
    recordedAt: u.recordedAt,
  })),
});

export const toProtoReview = (
  row: OverrideReviewRow,
  now: string,
): freezeOverride.OverrideReview => ({
  overrideId: row.overrideId,
  freezeId: row.freezeId,
  requestedBy: row.requestedBy,
  trigger: row.trigger,
  status: row.status,
  openedAt: row.openedAt,
  dueAt: row.dueAt,
  overdue: row.status === 'open' && Date.parse(now) > Date.parse(row.dueAt),
  useCount: row.useCount,
  outcome: row.outcome ?? '',
  notes: row.notes ?? '',
  closedBy: row.closedBy ?? '',
  closedAt: row.closedAt ?? '',
  late: row.late ?? false,
});

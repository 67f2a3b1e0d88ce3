import { planning } from '@trainyard/grpc-contracts';
import type {
  BacklogHealth,
  ChangeType,
  ComponentKind,
  RegulatedDataClass,
  Release,
  TeamDelivery,
  DeprecationFlag,
  TeamDependencyMatrix,
  VersionSkew,
  Workload,
} from '@trainyard/planning-domain';
import type { ApiVersionRow, ReleaseRow, WorkloadRow } from '@trainyard/planning-read-models';
import type { ReleaseDetail } from '../application/planning.queries';

type ProtoEnum = string;

/** `CHANGE_TYPE_NET_NEW_FEATURE` → `net-new-feature`; unspecified or unknown → ''. */
export const fromProtoEnum = (prefix: string, value: ProtoEnum | undefined | null): string => {
  if (
    typeof value !== 'string' ||
    !value.startsWith(`${prefix}_`) ||
    value === `${prefix}_UNSPECIFIED`
  )
    return '';
  return value
    .slice(prefix.length + 1)
    .toLowerCase()
    .replace(/_/g, '-');
};

/** `net-new-feature` → `CHANGE_TYPE_NET_NEW_FEATURE`. */
export const toProtoEnum = <E extends string>(
  prefix: string,
  value: string | null | undefined,
): E => `${prefix}_${value ? value.toUpperCase().replace(/-/g, '_') : 'UNSPECIFIED'}` as E;

export const changeTypeOf = (value: ProtoEnum | undefined): ChangeType | undefined =>
  (fromProtoEnum('CHANGE_TYPE', value) || undefined) as ChangeType | undefined;

export const componentKindOf = (value: ProtoEnum | undefined): ComponentKind =>
  fromProtoEnum('COMPONENT_KIND', value) as ComponentKind;

export const regulatedDataOf = (value: ProtoEnum | undefined): RegulatedDataClass =>
  fromProtoEnum('REGULATED_DATA_CLASS', value) as RegulatedDataClass;

export const workloadStateOf = (state: Workload['status']): planning.WorkloadState =>
  toProtoEnum('WORKLOAD_STATE', state === 'Unregistered' ? '' : state);

export const releaseStatusOf = (release: Release): planning.ReleaseStatus => {
  switch (release.status) {
    case 'Unplanned':
      return planning.ReleaseStatus.RELEASE_STATUS_UNSPECIFIED;
    case 'Planning':
      return planning.ReleaseStatus.RELEASE_STATUS_PLANNING;
    case 'ScopeCommitted':
      return planning.ReleaseStatus.RELEASE_STATUS_SCOPE_COMMITTED;
    case 'Released':
      return planning.ReleaseStatus.RELEASE_STATUS_RELEASED;
    case 'Cancelled':
      return planning.ReleaseStatus.RELEASE_STATUS_CANCELLED;
  }
};

export const toProtoWorkload = (row: WorkloadRow): planning.Workload => ({
  workloadId: row.workloadId,
  title: row.title,
  team: row.team,
  state: toProtoEnum('WORKLOAD_STATE', row.state),
  trackId: row.trackId,
  trackKind: toProtoEnum('TRACK_KIND', row.trackKind),
  changeType: toProtoEnum('CHANGE_TYPE', row.changeType),
  classificationRule: row.classificationRule,
  classificationExplanation: row.classificationExplanation,
  riskTier: toProtoEnum('RISK_TIER', row.riskTier),
  approvalPath: row.approvalPath,
  riskReasons: [...row.riskReasons],
  jobSize: row.jobSize,
  businessValue: row.businessValue,
  timeCriticality: row.timeCriticality,
  riskReduction: row.riskReduction,
  wsjf: row.wsjf,
  dependsOn: [...row.dependsOn],
  components: row.components.map((c) => ({
    name: c.name,
    kind: toProtoEnum('COMPONENT_KIND', c.kind),
  })),
  regulatedData: row.regulatedData.map((d) => toProtoEnum('REGULATED_DATA_CLASS', d)),
  schemaChange: row.schemaChange,
  ...(row.apiContract
    ? { apiContract: { api: row.apiContract.api, version: row.apiContract.version } }
    : {}),
  libraries: row.libraries.map((l) => ({ name: l.name, version: l.version })),
  consumedApis: row.consumedApis.map((c) => ({ api: c.api, version: c.version })),
  featureFlag: row.featureFlag ?? '',
  severity: row.severity ?? 0,
  linkedIncident: row.linkedIncident ?? '',
  registeredAt: row.registeredAt,
  // The name is opened by the controller (RequesterNames): a pure mapping never sees plaintext.
  requesterSubjectId: row.requester?.$pii.subject ?? '',
  requesterName: '',
  releaseId: row.releaseId ?? '',
  deferralCount: row.deferralCount,
  firstDeferredAt: row.firstDeferredAt ?? '',
  lastDeferredAt: row.lastDeferredAt ?? '',
  lastDeferralReason: row.lastDeferralReason ?? '',
  completedJobSize: row.completedJobSize ?? 0,
  policyVersion: row.policyVersion,
});

const teamDelivery = (t: TeamDelivery): planning.TeamDelivery => ({
  team: t.team,
  completedJobSize: t.completedJobSize,
  unplannedJobSize: t.unplannedJobSize,
  plannedJobSize: t.plannedJobSize,
});

export const toProtoTeamDeliveries = (teams: readonly TeamDelivery[]): planning.TeamDelivery[] =>
  teams.map(teamDelivery);

export const toProtoRelease = (row: ReleaseRow | ReleaseDetail): planning.Release => ({
  releaseId: row.releaseId,
  trainId: row.trainId,
  kind: toProtoEnum('RELEASE_KIND', row.kind),
  status: toProtoEnum('RELEASE_STATUS', row.status),
  windowStart: row.windowStart ?? '',
  windowEnd: row.windowEnd ?? '',
  capacityTotal: row.capacityTotal,
  capacityUsed: row.capacityUsed,
  deferredCount: row.deferredCount,
  policyVersion: row.policyVersion ?? '',
  plannedBy: row.plannedBy,
  plannedAt: row.plannedAt,
  committedBy: row.committedBy ?? '',
  committedAt: row.committedAt ?? '',
  closedAt: row.closedAt ?? '',
  cancelReason: row.cancelReason ?? '',
  negotiatedInclude: [...row.negotiatedInclude],
  negotiatedExclude: [...row.negotiatedExclude],
  scope:
    'scope' in row
      ? row.scope.map((s) => ({
          workloadId: s.workloadId,
          title: s.title,
          team: s.team,
          jobSize: s.resolvedJobSize ?? 0,
          changeType: toProtoEnum('CHANGE_TYPE', s.changeType),
          decision: toProtoEnum('SCOPE_DECISION', s.decision),
          unplanned: s.unplanned,
          reason: s.reason,
          order: s.order ?? 0,
          wsjf: s.wsjf ?? 0,
          approver: s.approver ?? '',
          completedJobSize: s.completedJobSize ?? 0,
        }))
      : [],
  deploymentOrder: row.deploymentOrder.map((d) => ({
    workloadId: d.workloadId,
    wave: d.wave,
    contract: '',
  })),
  delivered: toProtoTeamDeliveries(row.delivered),
  complianceAlerts: [...row.complianceAlerts],
  versionSkews: row.versionSkews.map(toProtoVersionSkew),
});

export const toProtoDeprecationFlag = (flag: DeprecationFlag): planning.DeprecationFlag => ({
  consumer: flag.consumer,
  api: flag.api,
  version: flag.version,
  status: toProtoEnum('DEPRECATION_STATUS', flag.status),
  deprecatedAt: flag.deprecatedAt,
  sunsetAt: flag.sunsetAt ?? '',
  daysPastDeprecation: flag.daysPastDeprecation,
  message: flag.message,
});

export const toProtoApiVersion = (row: ApiVersionRow): planning.ApiVersionLifecycle => ({
  api: row.api,
  version: row.version,
  deprecatedAt: row.deprecatedAt,
  sunsetAt: row.sunsetAt ?? '',
  reason: row.reason,
  deprecatedBy: row.deprecatedBy,
});

export const toProtoBacklogHealth = (health: BacklogHealth): planning.GetBacklogHealthResponse => ({
  asOf: health.asOf,
  deferredWorkloads: health.deferredWorkloads,
  teams: health.teams.map((t) => ({
    team: t.team,
    openWorkloads: t.openWorkloads,
    deferredWorkloads: t.deferredWorkloads,
    totalDeferrals: t.totalDeferrals,
    maxDeferralCount: t.maxDeferralCount,
    oldestDeferredAgeDays: t.oldestDeferredAgeDays,
    deferred: t.deferred.map((d) => ({ ...d })),
  })),
});

const edge = ([dependent, provider]: readonly [string, string]): planning.DependencyEdge => ({
  dependentWorkloadId: dependent,
  providerWorkloadId: provider,
});

export const toProtoDependencyMatrix = (
  matrix: TeamDependencyMatrix,
): planning.GetDependencyMatrixResponse => ({
  teams: [...matrix.teams],
  cells: matrix.cells.map((c) => ({
    dependentTeam: c.dependentTeam,
    providerTeam: c.providerTeam,
    edges: c.edges,
    pairs: c.pairs.map(edge),
    integrationTestingRequired: c.integrationTestingRequired,
  })),
  crossTeamEdges: matrix.crossTeamEdges,
  unresolved: matrix.unresolved.map(edge),
});

export const toProtoVersionSkew = (skew: VersionSkew): planning.VersionSkew => ({
  library: skew.library,
  target: skew.target,
  versions: skew.versions.map((v) => ({ version: v.version, workloadIds: [...v.workloadIds] })),
  teams: [...skew.teams],
  resolutions: skew.resolutions.map((r) => ({
    version: r.version,
    action: toProtoEnum('SKEW_ACTION', r.action),
    line: r.line,
    workloadIds: [...r.workloadIds],
    reason: r.reason,
  })),
  reason: skew.reason,
});

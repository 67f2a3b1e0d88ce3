import { ValidationError } from '@trainyard/kernel';

export type ComponentKind = 'service' | 'database' | 'infrastructure';
export const COMPONENT_KINDS: readonly ComponentKind[] = ['service', 'database', 'infrastructure'];

export type RegulatedDataClass = 'pii' | 'financial' | 'health';
export const REGULATED_DATA_CLASSES: readonly RegulatedDataClass[] = ['pii', 'financial', 'health'];

export type ChangeType =
  | 'net-new-feature'
  | 'configuration-only'
  | 'defect-fix'
  | 'technical-debt'
  | 'compliance-audit'
  | 'emergency-patch';
export const CHANGE_TYPES: readonly ChangeType[] = [
  'net-new-feature',
  'configuration-only',
  'defect-fix',
  'technical-debt',
  'compliance-audit',
  'emergency-patch',
];

export type RiskTier = 'low' | 'medium' | 'high';
export const RISK_TIERS: readonly RiskTier[] = ['low', 'medium', 'high'];

/** Severity runs 1 (cosmetic) … 5 (critical outage); higher is more severe. */
export const SEVERITY_MIN = 1;
export const SEVERITY_MAX = 5;

/**
 * A condition over a workload's registration facts. Every field that is set must hold (AND);
 * an empty condition always holds. Kept as data so policies can live in configuration.
 */
export interface WorkloadCondition {
  readonly changeTypeHint?: readonly ChangeType[];
  readonly severityAtLeast?: number;
  readonly hasLinkedIncident?: boolean;
  readonly hasRegulatedData?: boolean;
  readonly schemaChange?: boolean;
  readonly hasApiContract?: boolean;
  readonly hasFeatureFlag?: boolean;
  /** At least one component has one of these kinds. */
  readonly anyComponentKind?: readonly ComponentKind[];
  /** Every component has one of these kinds. */
  readonly onlyComponentKinds?: readonly ComponentKind[];
}

export interface ClassificationRule {
  readonly id: string;
  readonly changeType: ChangeType;
  readonly when: WorkloadCondition;
}

export interface RiskRule {
  readonly id: string;
  readonly when: WorkloadCondition;
  /** Tiers to climb (capped at high). */
  readonly raiseBy: number;
  readonly reason: string;
}

export type TrackKind = 'train' | 'independent';

export interface TrackDefinition {
  readonly id: string;
  readonly kind: TrackKind;
  readonly name: string;
}

export interface RoutingRule {
  readonly id: string;
  /** Every field that is set must match the component (and its owning team). */
  readonly match: {
    readonly componentKind?: ComponentKind;
    readonly componentName?: string;
    readonly componentNamePrefix?: string;
    readonly team?: string;
  };
  readonly trackId: string;
}

export interface PlanningPolicy {
  /** Recorded on every decision the policy drives, so an audit can tell which rules applied. */
  readonly version: string;
  readonly classification: {
    /** First matching rule wins. */
    readonly rules: readonly ClassificationRule[];
    readonly fallback: ChangeType;
  };
  readonly risk: {
    readonly baseTier: Readonly<Record<ChangeType, RiskTier>>;
    readonly rules: readonly RiskRule[];
    readonly approvalPaths: Readonly<Record<RiskTier, string>>;
  };
  readonly routing: {
    readonly tracks: readonly TrackDefinition[];
    /** First matching rule wins; unmatched components go to `defaultTrackId`. */
    readonly rules: readonly RoutingRule[];
    readonly defaultTrackId: string;
  };
  readonly emergencyPatch: {
    readonly minimumSeverity: number;
    readonly requireLinkedIncident: boolean;
    readonly requireApprover: boolean;
  };
  readonly capacity: {
    /** Percentile of per-release completed job size; low = conservative. */
    readonly percentile: number;
    /** How many of the most recent closed train releases count. */
    readonly historyWindow: number;
    /** Capacity of a team with no history in the window (cold start). */
    readonly coldStartCapacity: number;
    readonly coldStartCapacityByTeam: Readonly<Record<string, number>>;
  };
  readonly allocation: {
    /** No team takes more than this share of a release's capacity. */
    readonly teamCapShare: number;
    /** Share of the quarter's capacity reserved for technical debt. */
    readonly techDebtReserveShare: number;
  };
  readonly governance: {
    /** Scope exceptions and emergency patches need an approver other than the requester. */
    readonly requireIndependentApprover: boolean;
  };
}

export const DEFAULT_PLANNING_POLICY: PlanningPolicy = {
  version: 'planning-policy/2026-11.1',
  classification: {
    rules: [
      {
        id: 'emergency-declared',
        changeType: 'emergency-patch',
        when: { changeTypeHint: ['emergency-patch'] },
      },
      {
        id: 'severe-incident-fix',
        changeType: 'emergency-patch',
        when: { hasLinkedIncident: true, severityAtLeast: 5 },
      },
      {
        id: 'compliance-declared',
        changeType: 'compliance-audit',
        when: { changeTypeHint: ['compliance-audit'] },
      },
      { id: 'defect-declared', changeType: 'defect-fix', when: { changeTypeHint: ['defect-fix'] } },
      { id: 'incident-linked', changeType: 'defect-fix', when: { hasLinkedIncident: true } },
      {
        id: 'tech-debt-declared',
        changeType: 'technical-debt',
        when: { changeTypeHint: ['technical-debt'] },
      },
      {
        // A "configuration-only" hint is believed only when nothing structural changes.
        id: 'configuration-only',
        changeType: 'configuration-only',
        when: {
          changeTypeHint: ['configuration-only'],
          schemaChange: false,
          hasApiContract: false,
        },
      },
      {
        id: 'infrastructure-config',
        changeType: 'configuration-only',
        when: {
          onlyComponentKinds: ['infrastructure'],
          schemaChange: false,
          hasApiContract: false,
        },
      },
    ],
    fallback: 'net-new-feature',
  },
  risk: {
    baseTier: {
      'configuration-only': 'low',
      'technical-debt': 'low',
      'defect-fix': 'medium',
      'net-new-feature': 'medium',
      'compliance-audit': 'medium',
      'emergency-patch': 'high',
    },
    rules: [
      {
        id: 'regulated-data',
        when: { hasRegulatedData: true },
        raiseBy: 1,
        reason: 'touches regulated data',
      },
      {
        id: 'database-schema-change',
        when: { schemaChange: true },
        raiseBy: 1,
        reason: 'changes a database schema',
      },
    ],
    approvalPaths: {
      low: 'automated-tests + peer review',
      medium: 'integration-tests + team-lead approval',
      high: 'full-regression + CAB approval',
    },
  },
  routing: {
    tracks: [
      { id: 'main', kind: 'train', name: 'Main release train' },
      { id: 'infrastructure', kind: 'independent', name: 'Infrastructure track' },
      { id: 'hotfix', kind: 'independent', name: 'Emergency hotfix track' },
    ],
    rules: [
      {
        id: 'infrastructure-independent',
        match: { componentKind: 'infrastructure' },
        trackId: 'infrastructure',
      },
    ],
    defaultTrackId: 'main',
  },
  emergencyPatch: { minimumSeverity: 4, requireLinkedIncident: true, requireApprover: true },
  capacity: {
    percentile: 30,
    historyWindow: 3,
    coldStartCapacity: 20,
    coldStartCapacityByTeam: {},
  },
  allocation: { teamCapShare: 0.3, techDebtReserveShare: 0.2 },
  governance: { requireIndependentApprover: true },
};

const share = (field: string, value: number): void => {
  if (!(value >= 0 && value <= 1))
    throw new ValidationError(field, `${field} must be within 0..1; got ${value}`);
};

/** For adapters loading a policy from configuration: refuse one that cannot be evaluated. */
export const assertValidPolicy = (policy: PlanningPolicy): PlanningPolicy => {
  share('allocation.teamCapShare', policy.allocation.teamCapShare);
  share('allocation.techDebtReserveShare', policy.allocation.techDebtReserveShare);
  const { percentile, historyWindow, coldStartCapacity } = policy.capacity;
  if (!(percentile >= 0 && percentile <= 100))
    throw new ValidationError(
      'capacity.percentile',
      `capacity.percentile must be within 0..100; got ${percentile}`,
    );
  if (!Number.isInteger(historyWindow) || historyWindow < 1)
    throw new ValidationError(
      'capacity.historyWindow',
      'capacity.historyWindow must be a positive integer',
    );
  if (!(coldStartCapacity >= 0))
    throw new ValidationError(
      'capacity.coldStartCapacity',
      'capacity.coldStartCapacity must be ≥ 0',
    );
  const trackIds = new Set(policy.routing.tracks.map((t) => t.id));
  if (!trackIds.has(policy.routing.defaultTrackId))
    throw new ValidationError(
      'routing.defaultTrackId',
      `unknown track ${policy.routing.defaultTrackId}`,
    );
  policy.routing.rules.forEach((rule, i) => {
    if (!trackIds.has(rule.trackId))
      throw new ValidationError(`routing.rules[${i}].trackId`, `unknown track ${rule.trackId}`);
  });
  return policy;
};

import { rowView, type ProjectionDefinition, type ProjectionSource } from '@trainyard/kernel';
import {
  evaluationRecordOf,
  type PolicyEvaluated,
  type PolicyEvent,
  type RetentionEvent,
} from '@trainyard/compliance-domain';
import type { EvaluationRow } from './evaluation-view.entity';
import type { PolicyRow, PolicyVersionRow } from './policy-view.entity';

export type ComplianceEvent = PolicyEvent | PolicyEvaluated | RetentionEvent;

export interface ProjectedComplianceEvent {
  readonly event: ComplianceEvent;
  readonly streamVersion: number;
}

export const COMPLIANCE_PROJECTION = 'compliance.read-models.v1';

export const COMPLIANCE_EVENT_TYPES: readonly ComplianceEvent['type'][] = [
  'PolicyBundleProposed',
  'PolicyBundleApproved',
  'PolicyBundleRejected',
  'PolicyEvaluated',
  'RecordsPurged',
  'RecordsArchived',
];

const isPolicyEvent = (event: ComplianceEvent): event is PolicyEvent =>
  event.type === 'PolicyBundleProposed' ||
  event.type === 'PolicyBundleApproved' ||
  event.type === 'PolicyBundleRejected';

/** The record type the retention sweep names the evaluations by (apps/compliance retention). */
export const POLICY_EVALUATION_RECORD_TYPE = 'policy-evaluation';

/**
 * The evaluations a retention pass removed: the `PolicyEvaluated` events stay in the log, so a
 * rebuild folds the purge too and the rows stay gone (events recorded before `recordIds` name none).
 */
const removedEvaluations = (event: ComplianceEvent): readonly string[] | undefined =>
  (event.type === 'RecordsPurged' || event.type === 'RecordsArchived') &&
  event.data.recordType === POLICY_EVALUATION_RECORD_TYPE
    ? event.data.recordIds
    : undefined;

/** Instants are stored as UTC ISO-8601 text, so they sort as text. */
const utc = (instant: string): string => new Date(instant).toISOString();

export const evolvePolicyRow = (
  row: PolicyRow | undefined,
  { event, streamVersion }: ProjectedComplianceEvent,
): PolicyRow | undefined => {
  switch (event.type) {
    case 'PolicyBundleProposed':
      return {
        policyId: event.data.policyId,
        title: event.data.title,
        activeVersion: row?.activeVersion ?? null,
        latestVersion: event.data.version,
        versionCount: (row?.versionCount ?? 0) + 1,
        updatedAt: utc(event.data.proposedAt),
        streamVersion,
      };
    case 'PolicyBundleApproved':
      if (!row) return row;
      return {
        ...row,
        activeVersion: event.data.version,
        updatedAt: utc(event.data.approvedAt),
        streamVersion,
      };
    case 'PolicyBundleRejected':
      if (!row) return row;
      return { ...row, updatedAt: utc(event.data.rejectedAt), streamVersion };
    default:
      return row;
  }
};

export const evolvePolicyVersionRow = (
  row: PolicyVersionRow | undefined,
  { event, streamVersion }: ProjectedComplianceEvent,
): PolicyVersionRow | undefined => {
  switch (event.type) {
    case 'PolicyBundleProposed':
      return {
        policyId: event.data.policyId,
        version: event.data.version,
        title: event.data.title,
        status: 'Proposed',
        rules: event.data.rules,
        proposedBy: event.data.proposedBy,
        proposedAt: utc(event.data.proposedAt),
        decidedBy: null,
        decidedAt: null,
        reason: null,
        streamVersion,
      };
    case 'PolicyBundleApproved':
      if (!row) return row;
      return {
        ...row,
        status: 'Approved',
        decidedBy: event.data.approvedBy,
        decidedAt: utc(event.data.approvedAt),
        streamVersion,
      };
    case 'PolicyBundleRejected':
      if (!row) return row;
      return {
        ...row,
        status: 'Rejected',
        decidedBy: event.data.rejectedBy,
        decidedAt: utc(event.data.rejectedAt),
        reason: event.data.reason,
        streamVersion,
      };
    default:
      return row;
  }
};

export const evolveEvaluationRow = (
  row: EvaluationRow | undefined,
  { event }: ProjectedComplianceEvent,
): EvaluationRow | undefined => {
  if (removedEvaluations(event)) return undefined;
  if (event.type !== 'PolicyEvaluated') return row;
  const d = event.data;
  return {
    evaluationId: d.evaluationId,
    subjectType: d.subject.type,
    subjectId: d.subject.id,
    trigger: d.trigger,
    policyId: d.policyId,
    bundleVersion: d.bundleVersion,
    evaluatorVersion: d.evaluatorVersion,
    result: d.result,
    facts: d.facts,
    explanation: evaluationRecordOf(d).rules,
    causeEventId: d.cause?.eventId ?? null,
    causeEventType: d.cause?.eventType ?? null,
    evaluatedBy: d.evaluatedBy,
    evaluatedAt: utc(d.evaluatedAt),
  };
};

export const toProjectedComplianceEvent = (stored: ProjectionSource): ProjectedComplianceEvent => ({
  event: { type: stored.type, data: stored.data } as ComplianceEvent,
  streamVersion: stored.streamVersion,
});

/** Compliance's read model: policies, their versions, evaluations (less those retention removed). */
export const complianceProjection: ProjectionDefinition<ProjectedComplianceEvent> = {
  name: COMPLIANCE_PROJECTION,
  eventTypes: COMPLIANCE_EVENT_TYPES,
  toEvent: toProjectedComplianceEvent,
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedComplianceEvent, PolicyRow>({
      table: 'policies',
      keyOf: ({ event }) => (isPolicyEvent(event) ? event.data.policyId : undefined),
      fold: evolvePolicyRow,
      versionOf: (row) => row.streamVersion,
    }),
    rowView<ProjectedComplianceEvent, PolicyVersionRow>({
      table: 'policy_versions',
      keyOf: ({ event }) =>
        isPolicyEvent(event) ? [event.data.policyId, event.data.version] : undefined,
      fold: evolvePolicyVersionRow,
      versionOf: (row) => row.streamVersion,
    }),
    rowView<ProjectedComplianceEvent, EvaluationRow>({
      table: 'policy_evaluations',
      keyOf: ({ event }) =>
        event.type === 'PolicyEvaluated' ? event.data.evaluationId : undefined,
      keysOf: ({ event }) => removedEvaluations(event),
      fold: evolveEvaluationRow,
    }),
  ],
};

import { rowView, type ProjectionDefinition, type ProjectionSource } from '@trainyard/kernel';
import { REVIEW_EVENT_TYPES, type ReviewEvent } from '@trainyard/compliance-domain';
import type { ReviewRow } from './review-view.entity';

export interface ProjectedReviewEvent {
  readonly event: ReviewEvent;
  readonly streamVersion: number;
}

export const REVIEW_PROJECTION = 'compliance.reviews.v1';

const utc = (instant: string): string => new Date(instant).toISOString();

const kindOf = (event: ReviewEvent): ReviewRow['kind'] =>
  event.type.startsWith('Retrospective') ? 'retrospective' : 'change';

export const evolveReviewRow = (
  row: ReviewRow | undefined,
  { event, streamVersion }: ProjectedReviewEvent,
): ReviewRow | undefined => {
  switch (event.type) {
    case 'ChangeReviewOpened': {
      const d = event.data;
      return {
        workloadId: d.workloadId,
        kind: 'change',
        status: 'Open',
        title: d.title,
        author: d.author,
        dataClasses: d.dataClasses,
        policyVersion: d.policyVersion,
        requiredSignOffs: d.requiredSignOffs,
        allowedRoles: d.allowedRoles,
        signOffs: [],
        lastDeployment: null,
        releaseId: null,
        dueAt: null,
        findings: null,
        closedBy: null,
        openedAt: utc(d.openedAt),
        updatedAt: utc(d.openedAt),
        streamVersion,
      };
    }
    case 'ChangeSignedOff':
      if (!row) return row;
      return {
        ...row,
        signOffs: [
          ...row.signOffs,
          { signer: event.data.signer, role: event.data.role, signedAt: utc(event.data.signedAt) },
        ],
        updatedAt: utc(event.data.signedAt),
        streamVersion,
      };
    case 'ChangeReviewApproved':
      if (!row) return row;
      return { ...row, status: 'Approved', updatedAt: utc(event.data.approvedAt), streamVersion };
    case 'DeploymentAuthorised':
    case 'DeploymentRefused': {
      // A workload without a change review (not regulated) has no row to note the decision on.
      if (!row) return row;
      const refused = event.type === 'DeploymentRefused' ? event.data : undefined;
      return {
        ...row,
        lastDeployment: {
          deployer: event.data.deployer,
          allowed: !refused,
          rule: refused?.rule ?? null,
          reason: refused?.reason ?? null,
          decidedAt: utc(event.data.decidedAt),
        },
        updatedAt: utc(event.data.decidedAt),
        streamVersion,
      };
    }
    case 'RetrospectiveReviewOpened': {
      const d = event.data;
      return {
        workloadId: d.workloadId,
        kind: 'retrospective',
        status: 'Open',
        title: null,
        author: d.requestedBy,
        dataClasses: [],
        policyVersion: d.policyVersion,
        requiredSignOffs: 0,
        allowedRoles: [],
        signOffs: [],
        lastDeployment: null,
        releaseId: d.releaseId,
        dueAt: utc(d.dueAt),
        findings: null,
        closedBy: null,
        openedAt: utc(d.openedAt),
        updatedAt: utc(d.openedAt),
        streamVersion,
      };
    }
    case 'RetrospectiveReviewClosed':
      if (!row) return row;
      return {
        ...row,
        status: 'Closed',
        findings: event.data.findings,
        closedBy: event.data.closedBy,
        updatedAt: utc(event.data.closedAt),
        streamVersion,
      };
    case 'RetrospectiveReviewOverdue':
      if (!row) return row;
      return { ...row, status: 'Overdue', updatedAt: utc(event.data.detectedAt), streamVersion };
    default:
      return row;
  }
};

export const toProjectedReviewEvent = (stored: ProjectionSource): ProjectedReviewEvent => ({
  event: { type: stored.type, data: stored.data } as ReviewEvent,
  streamVersion: stored.streamVersion,
});

/** Compliance's reviews read model: change reviews and retrospective reviews, by workload. */
export const reviewProjection: ProjectionDefinition<ProjectedReviewEvent> = {
  name: REVIEW_PROJECTION,
  eventTypes: REVIEW_EVENT_TYPES,
  toEvent: toProjectedReviewEvent,
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedReviewEvent, ReviewRow>({
      table: 'compliance_reviews',
      keyOf: ({ event }) => [event.data.workloadId, kindOf(event)],
      fold: evolveReviewRow,
      versionOf: (row) => row.streamVersion,
    }),
  ],
};

import { rowView, type ProjectionDefinition, type ProjectionSource } from '@trainyard/kernel';
import {
  FREEZE_OVERRIDE_EVENT_TYPES,
  type FreezeOverrideEvent,
} from '@trainyard/scheduling-domain';
import { FreezeOverrideView, type FreezeOverrideRow } from './freeze-override-view.entity';
import { OverrideReviewView, type OverrideReviewRow } from './override-review-view.entity';

/** The checkpoint's name. */
export const SCHEDULING_OVERRIDES_PROJECTION = 'scheduling.overrides.v1';

/** A stored freeze-override event as the folds see it. */
export interface ProjectedOverrideEvent {
  readonly event: FreezeOverrideEvent;
  readonly streamVersion: number;
}

/** Every entity of the override read model, for a TypeORM DataSource. */
export const SCHEDULING_OVERRIDE_ENTITIES = [FreezeOverrideView, OverrideReviewView] as const;

/** Instants are stored as UTC ISO-8601 text, so they sort as text. */
const utc = (instant: string): string => new Date(instant).toISOString();

/** Pure fold of one override's events into its row; undefined until requested. */
export const evolveFreezeOverrideRow = (
  row: FreezeOverrideRow | undefined,
  { event, streamVersion }: ProjectedOverrideEvent,
): FreezeOverrideRow | undefined => {
  if (event.type === 'FreezeOverrideRequested') {
    const d = event.data;
    return {
      overrideId: d.overrideId,
      freezeId: d.freezeId,
      scope: d.scope,
      from: utc(d.from),
      to: utc(d.to),
      reason: d.reason,
      status: 'requested',
      requestedBy: d.requestedBy,
      requestedAt: utc(d.requestedAt),
      requiredApprovals: d.requiredApprovals,
      approvalRule: d.approvalRule,
      policyVersion: d.policyVersion,
      approvals: [],
      activatedAt: null,
      rejectedAt: null,
      revokedAt: null,
      expiredAt: null,
      endedBy: null,
      endReason: null,
      uses: [],
      useCount: 0,
      version: streamVersion,
    };
  }
  if (!row) return row;
  const next = { ...row, version: streamVersion };
  switch (event.type) {
    case 'FreezeOverrideApproved':
      return {
        ...next,
        approvals: [
          ...row.approvals,
          { approvedBy: event.data.approvedBy, approvedAt: utc(event.data.approvedAt) },
        ],
      };
    case 'FreezeOverrideActivated':
      return { ...next, status: 'active', activatedAt: utc(event.data.activatedAt) };
    case 'FreezeOverrideRejected':
      return {
        ...next,
        status: 'rejected',
        rejectedAt: utc(event.data.rejectedAt),
        endedBy: event.data.rejectedBy,
        endReason: event.data.reason,
      };
    case 'FreezeOverrideRevoked':
      return {
        ...next,
        status: 'revoked',
        revokedAt: utc(event.data.revokedAt),
        endedBy: event.data.revokedBy,
        endReason: event.data.reason,
      };
    case 'FreezeOverrideUsed': {
      const d = event.data;
      return {
        ...next,
        uses: [
          ...row.uses,
          {
            deploymentId: d.deploymentId,
            start: utc(d.start),
            end: utc(d.end),
            scope: d.scope,
            usedBy: d.usedBy,
            recordedAt: utc(d.recordedAt),
          },
        ],
        useCount: row.useCount + 1,
      };
    }
    case 'FreezeOverrideExpired':
      return { ...next, status: 'expired', expiredAt: utc(event.data.expiredAt) };
    case 'OverrideReviewOpened':
    case 'OverrideReviewClosed':
      return next;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/** Pure fold of an override's review item; undefined until one is opened. */
export const evolveOverrideReviewRow = (
  row: OverrideReviewRow | undefined,
  { event, streamVersion }: ProjectedOverrideEvent,
): OverrideReviewRow | undefined => {
  if (event.type === 'OverrideReviewOpened') {
    const d = event.data;
    return {
      overrideId: d.overrideId,
      freezeId: d.freezeId,
      requestedBy: d.requestedBy,
      trigger: d.trigger,
      status: 'open',
      openedAt: utc(d.openedAt),
      dueAt: utc(d.dueAt),
      useCount: d.useCount,
      outcome: null,
      notes: null,
      closedBy: null,
      closedAt: null,
      late: null,
      version: streamVersion,
    };
  }
  if (!row || event.type !== 'OverrideReviewClosed') return row;
  const d = event.data;
  return {
    ...row,
    status: 'closed',
    outcome: d.outcome,
    notes: d.notes,
    closedBy: d.closedBy,
    closedAt: utc(d.closedAt),
    late: d.late,
    version: streamVersion,
  };
};

const overrideIdOf = ({ event }: ProjectedOverrideEvent): string => event.data.overrideId;

/**
 * The override read model: one row per override and one per review item, both keyed by the
 * override (its stream), so a replay over newer rows is skipped (`versionOf`).
 */
export const schedulingOverridesProjection: ProjectionDefinition<ProjectedOverrideEvent> = {
  name: SCHEDULING_OVERRIDES_PROJECTION,
  eventTypes: FREEZE_OVERRIDE_EVENT_TYPES,
  toEvent: (stored: ProjectionSource) => ({
    event: { type: stored.type, data: stored.data } as FreezeOverrideEvent,
    streamVersion: stored.streamVersion,
  }),
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedOverrideEvent, FreezeOverrideRow>({
      table: 'freeze_overrides',
      columns: { from: 'from_at', to: 'to_at' },
      keyOf: overrideIdOf,
      fold: evolveFreezeOverrideRow,
      versionOf: (row) => row.version,
    }),
    rowView<ProjectedOverrideEvent, OverrideReviewRow>({
      table: 'override_reviews',
      keyOf: (p) =>
        p.event.type === 'OverrideReviewOpened' || p.event.type === 'OverrideReviewClosed'
          ? p.event.data.overrideId
          : undefined,
      fold: evolveOverrideReviewRow,
      versionOf: (row) => row.version,
    }),
  ],
};

// The privacy register's domain events → integration events (ADR 0009): erasures, legal holds and
// retention passes are facts GRC tools act on (issue 13 item 9). Every field copied by name.
import type { LegalHoldScope, PrivacyEvent } from '@trainyard/compliance-domain';
import type {
  DataSubjectErasedV1,
  LegalHoldPlacedV1,
  LegalHoldReleasedV1,
  LegalHoldScopeV1,
  RecordsArchivedV1,
  RecordsPurgedV1,
} from './events/privacy-events.v1';

interface V1<TType extends string, TData> {
  readonly type: TType;
  readonly version: 1;
  readonly data: TData;
}

export type PrivacyIntegrationEvent =
  | V1<'LegalHoldPlaced', LegalHoldPlacedV1>
  | V1<'LegalHoldReleased', LegalHoldReleasedV1>
  | V1<'DataSubjectErased', DataSubjectErasedV1>
  | V1<'RecordsPurged', RecordsPurgedV1>
  | V1<'RecordsArchived', RecordsArchivedV1>;

export const PRIVACY_INTEGRATION_EVENTS: Readonly<
  Record<PrivacyIntegrationEvent['type'], readonly number[]>
> = {
  LegalHoldPlaced: [1],
  LegalHoldReleased: [1],
  DataSubjectErased: [1],
  RecordsPurged: [1],
  RecordsArchived: [1],
};

export const PRIVACY_DOMAIN_EVENT_TYPES: readonly string[] = Object.keys(
  PRIVACY_INTEGRATION_EVENTS,
);

const scopeV1 = (s: LegalHoldScope): LegalHoldScopeV1 =>
  s.kind === 'time-range' ? { kind: s.kind, from: s.from, to: s.to } : { kind: s.kind, id: s.id };

const heldBackV1 = (held: readonly { holdId: string; records: number }[]) =>
  held.map((h) => ({ holdId: h.holdId, records: h.records }));

export function privacyToIntegrationEvent(event: PrivacyEvent): PrivacyIntegrationEvent {
  switch (event.type) {
    case 'LegalHoldPlaced': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          holdId: d.holdId,
          scope: scopeV1(d.scope),
          reason: d.reason,
          placedBy: d.placedBy,
          placedAt: d.placedAt,
        },
      };
    }
    case 'LegalHoldReleased': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          holdId: d.holdId,
          reason: d.reason,
          releasedBy: d.releasedBy,
          releasedAt: d.releasedAt,
        },
      };
    }
    case 'DataSubjectErased': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          subjectId: d.subjectId,
          reason: d.reason,
          erasedBy: d.erasedBy,
          erasedAt: d.erasedAt,
          recordsAffected: d.recordsAffected,
        },
      };
    }
    case 'RecordsPurged': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          sweepId: d.sweepId,
          recordType: d.recordType,
          cutoff: d.cutoff,
          count: d.count,
          heldBack: heldBackV1(d.heldBack),
          purgedBy: d.purgedBy,
          purgedAt: d.purgedAt,
        },
      };
    }
    case 'RecordsArchived': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          sweepId: d.sweepId,
          recordType: d.recordType,
          cutoff: d.cutoff,
          count: d.count,
          heldBack: heldBackV1(d.heldBack),
          file: d.file,
          sha256: d.sha256,
          entriesRoot: d.entriesRoot,
          firstRecordedAt: d.firstRecordedAt,
          lastRecordedAt: d.lastRecordedAt,
          archivedBy: d.archivedBy,
          archivedAt: d.archivedAt,
        },
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

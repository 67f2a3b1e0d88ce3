import { planning } from '@trainyard/grpc-contracts';
import { fromProtoEnum, releaseStatusOf, toProtoEnum } from './planning.grpc-mapping';

describe('gRPC mapping', () => {
  it('maps proto enum names to domain values and back, treating UNSPECIFIED as not given', () => {
    expect(fromProtoEnum('CHANGE_TYPE', planning.ChangeType.CHANGE_TYPE_NET_NEW_FEATURE)).toBe(
      'net-new-feature',
    );
    expect(fromProtoEnum('CHANGE_TYPE', planning.ChangeType.CHANGE_TYPE_UNSPECIFIED)).toBe('');
    expect(fromProtoEnum('CHANGE_TYPE', planning.ChangeType.UNRECOGNIZED)).toBe('');
    expect(fromProtoEnum('CHANGE_TYPE', undefined)).toBe('');
    expect(toProtoEnum('RELEASE_STATUS', 'scope-committed')).toBe(
      planning.ReleaseStatus.RELEASE_STATUS_SCOPE_COMMITTED,
    );
    expect(toProtoEnum('SCOPE_DECISION', null)).toBe(
      planning.ScopeDecision.SCOPE_DECISION_UNSPECIFIED,
    );
    for (const value of Object.values(planning.RegulatedDataClass).filter(
      (v) => v.endsWith('_PII') || v.endsWith('_HEALTH'),
    ))
      expect(
        toProtoEnum('REGULATED_DATA_CLASS', fromProtoEnum('REGULATED_DATA_CLASS', value)),
      ).toBe(value);
  });

  it('reports every release state as a status', () => {
    expect(releaseStatusOf({ status: 'Unplanned' })).toBe(
      planning.ReleaseStatus.RELEASE_STATUS_UNSPECIFIED,
    );
    expect(releaseStatusOf({ status: 'Cancelled', releaseId: 'R', trainId: 'main' })).toBe(
      planning.ReleaseStatus.RELEASE_STATUS_CANCELLED,
    );
  });
});

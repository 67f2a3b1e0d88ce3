import { projectEvents } from '@trainyard/kernel';
import { isOverrideActive, type FreezeOverrideEvent } from '@trainyard/scheduling-domain';
import type { FreezeOverrideRow } from './freeze-override-view.entity';
import type { OverrideReviewRow } from './override-review-view.entity';
import { schedulingOverridesProjection } from './override.projection';

const FROM = '2031-05-04T12:00:00.000Z';
const TO = '2031-05-05T12:00:00.000Z';
const scope = { environments: ['prod'], components: ['checkout'] };

const history: FreezeOverrideEvent[] = [
  {
    type: 'FreezeOverrideRequested',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      scope,
      from: FROM,
      to: TO,
      reason: 'Hotfix',
      requestedBy: 'rita',
      requestedAt: '2031-05-04T09:00:00.000Z',
      requiredApprovals: 2,
      approvalRule: 'prod-environment',
      reviewDueHours: 120,
      policyVersion: 'p1',
    },
  },
  {
    type: 'FreezeOverrideApproved',
    data: {
      overrideId: 'O-1',
      approvedBy: 'bob',
      approvedAt: '2031-05-04T09:10:00Z',
      approvalCount: 1,
      requiredApprovals: 2,
    },
  },
  {
    type: 'FreezeOverrideApproved',
    data: {
      overrideId: 'O-1',
      approvedBy: 'carol',
      approvedAt: '2031-05-04T09:20:00Z',
      approvalCount: 2,
      requiredApprovals: 2,
    },
  },
  {
    type: 'FreezeOverrideActivated',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      scope,
      from: FROM,
      to: TO,
      activatedAt: '2031-05-04T09:20:00Z',
      approvers: ['bob', 'carol'],
    },
  },
  {
    type: 'FreezeOverrideUsed',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      deploymentId: 'D-1',
      start: '2031-05-04T13:00:00Z',
      end: '2031-05-04T14:00:00Z',
      scope,
      usedBy: 'placement',
      recordedAt: '2031-05-04T10:00:00Z',
    },
  },
  {
    type: 'FreezeOverrideExpired',
    data: { overrideId: 'O-1', expiredAt: TO, recordedAt: '2031-05-05T12:01:00Z', wasActive: true },
  },
  {
    type: 'OverrideReviewOpened',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      requestedBy: 'rita',
      trigger: 'expired',
      openedAt: '2031-05-05T12:01:00Z',
      dueAt: '2031-05-10T12:00:00Z',
      useCount: 1,
    },
  },
  {
    type: 'OverrideReviewClosed',
    data: {
      overrideId: 'O-1',
      outcome: 'justified',
      notes: 'As stated',
      closedBy: 'auditor',
      closedAt: '2031-05-06T08:00:00Z',
      late: false,
    },
  },
];
const projected = history.map((event, i) => ({ event, streamVersion: i + 1 }));

describe('override read models', () => {
  it('fold status, approvals and uses into the override row', () => {
    const active = projectEvents(schedulingOverridesProjection, projected.slice(0, 5));
    const [row] = active.freeze_overrides as FreezeOverrideRow[];
    expect(row).toMatchObject({
      status: 'active',
      approvals: [
        { approvedBy: 'bob', approvedAt: '2031-05-04T09:10:00.000Z' },
        { approvedBy: 'carol', approvedAt: '2031-05-04T09:20:00.000Z' },
      ],
      activatedAt: '2031-05-04T09:20:00.000Z',
      useCount: 1,
      version: 5,
    });
    expect(row && isOverrideActive(row, Date.parse(FROM))).toBe(true);
    expect(active.override_reviews).toEqual([]);
  });

  it('open a review item when it ends and close it', () => {
    const opened = projectEvents(schedulingOverridesProjection, projected.slice(0, 7));
    expect(opened.override_reviews).toEqual([
      expect.objectContaining({ status: 'open', dueAt: '2031-05-10T12:00:00.000Z', useCount: 1 }),
    ]);
    const closed = projectEvents(schedulingOverridesProjection, projected);
    const [review] = closed.override_reviews as OverrideReviewRow[];
    expect(review).toMatchObject({ status: 'closed', outcome: 'justified', closedBy: 'auditor' });
    expect(closed.freeze_overrides).toEqual([
      expect.objectContaining({ status: 'expired', expiredAt: TO, version: 8 }),
    ]);
  });

  it('skip an event replayed over a newer row', () => {
    const replayed = projectEvents(schedulingOverridesProjection, [
      ...projected,
      ...projected.slice(1, 3),
    ]);
    expect((replayed.freeze_overrides as FreezeOverrideRow[])[0]?.approvals).toHaveLength(2);
  });
});

// Builders shared by the freeze-override unit specs (not exported from the library).
import type { CommandMetadata } from '@trainyard/kernel';
import type {
  FreezeOverrideCommand,
  RequestFreezeOverrideData,
} from '../freeze-override/freeze-override.commands';
import type { FreezeOverrideEvent } from '../freeze-override/freeze-override.events';
import { DEFAULT_OVERRIDE_POLICY } from '../policy/override-policy';

export const NOW = '2031-05-04T09:00:00.000Z';
export const FROM = '2031-05-04T12:00:00.000Z';
export const TO = '2031-05-05T12:00:00.000Z';
export const HOUR = 3_600_000;
export const at = (iso: string, plusHours = 0): string =>
  new Date(Date.parse(iso) + plusHours * HOUR).toISOString();

export const meta = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: NOW,
  actor: 'requester',
  ...overrides,
});

export const requestData = (
  overrides: Partial<RequestFreezeOverrideData> = {},
): RequestFreezeOverrideData => ({
  overrideId: 'O-1',
  freezeId: 'F-1',
  scope: { teams: ['storefront'], environments: ['prod'], components: ['checkout'] },
  from: FROM,
  to: TO,
  reason: 'Hotfix for the checkout outage INC-7',
  ...overrides,
});

export const request = (
  overrides: Partial<RequestFreezeOverrideData> = {},
  metadata: Partial<CommandMetadata> = {},
): FreezeOverrideCommand => ({
  type: 'RequestFreezeOverride',
  data: requestData(overrides),
  metadata: meta(metadata),
});

export const approve = (actor: string, now = NOW): FreezeOverrideCommand => ({
  type: 'ApproveFreezeOverride',
  data: { overrideId: 'O-1' },
  metadata: meta({ actor, now }),
});

export const requested: FreezeOverrideEvent = {
  type: 'FreezeOverrideRequested',
  data: {
    ...requestData(),
    requestedBy: 'requester',
    requestedAt: NOW,
    requiredApprovals: 2,
    approvalRule: 'prod-environment',
    reviewDueHours: DEFAULT_OVERRIDE_POLICY.reviewDueHours,
    policyVersion: DEFAULT_OVERRIDE_POLICY.version,
  },
};

export const approved = (
  approvedBy: string,
  count: number,
  approvedAt = NOW,
): FreezeOverrideEvent => ({
  type: 'FreezeOverrideApproved',
  data: { overrideId: 'O-1', approvedBy, approvedAt, approvalCount: count, requiredApprovals: 2 },
});

export const activated = (activatedAt = NOW): FreezeOverrideEvent => ({
  type: 'FreezeOverrideActivated',
  data: {
    overrideId: 'O-1',
    freezeId: 'F-1',
    scope: requestData().scope,
    from: FROM,
    to: TO,
    activatedAt,
    approvers: ['bob', 'carol'],
  },
});

/** Requested, approved by bob and carol, active since NOW. */
export const activeOverride: readonly FreezeOverrideEvent[] = [
  requested,
  approved('bob', 1),
  approved('carol', 2),
  activated(),
];

export const expired = (wasActive = true): FreezeOverrideEvent => ({
  type: 'FreezeOverrideExpired',
  data: { overrideId: 'O-1', expiredAt: TO, recordedAt: at(TO, 1), wasActive },
});

export const reviewOpened: FreezeOverrideEvent = {
  type: 'OverrideReviewOpened',
  data: {
    overrideId: 'O-1',
    freezeId: 'F-1',
    requestedBy: 'requester',
    trigger: 'expired',
    openedAt: at(TO, 1),
    dueAt: at(TO, DEFAULT_OVERRIDE_POLICY.reviewDueHours),
    useCount: 0,
  },
};

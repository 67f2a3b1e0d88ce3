import {
  AlreadyExistsError,
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { DEFAULT_OVERRIDE_POLICY } from '../policy/override-policy';
import {
  FROM,
  NOW,
  TO,
  activated,
  activeOverride,
  approve,
  approved,
  at,
  expired,
  meta,
  request,
  requestData,
  requested,
  reviewOpened,
} from '../test-support/freeze-override.fixtures';
import type { FreezeOverrideCommand } from './freeze-override.commands';
import type { FreezeOverrideDecisionContext } from './freeze-override.decide';
import { freezeOverrideDecider } from './freeze-override.decider';

const context: FreezeOverrideDecisionContext = { policy: DEFAULT_OVERRIDE_POLICY };
const given = DeciderSpecification.for(freezeOverrideDecider, context);

const command = (
  type: FreezeOverrideCommand['type'],
  data: Record<string, unknown>,
  metadata: Partial<Parameters<typeof meta>[0]> = {},
): FreezeOverrideCommand =>
  ({
    type,
    data: { overrideId: 'O-1', ...data },
    metadata: meta(metadata),
  }) as FreezeOverrideCommand;

const use = (
  data: Record<string, unknown> = {},
  metadata: Partial<Parameters<typeof meta>[0]> = {},
): FreezeOverrideCommand =>
  command(
    'RecordFreezeOverrideUse',
    {
      deploymentId: 'D-1',
      start: at(FROM, 1),
      end: at(FROM, 2),
      scope: { teams: ['storefront'], environments: ['prod'], components: ['checkout'] },
      ...data,
    },
    { actor: 'placement', ...metadata },
  );

describe('RequestFreezeOverride', () => {
  it('records the request with the approvals the policy requires and the requester as actor', () => {
    given([]).when(request()).then([requested]);
  });

  it('normalises offsets to UTC', () => {
    given([])
      .when(request({ from: '2031-05-04T14:00:00+02:00', to: '2031-05-05T08:00:00-04:00' }))
      .then([requested]);
  });

  it('requires the strictest matching rule: the payments team needs three', () => {
    given([])
      .when(request({ scope: { teams: ['payments'], environments: ['prod'] } }))
      .thenEvents((events) =>
        expect(events[0]?.data).toMatchObject({
          requiredApprovals: 3,
          approvalRule: 'payments-team',
        }),
      );
  });

  it('is idempotent for the same request and refuses another one under the same id', () => {
    given([requested]).when(request()).thenNothingHappened();
    given([requested])
      .when(request({ reason: 'something else' }))
      .thenThrows(AlreadyExistsError);
  });

  it.each([
    ['overrideId', { overrideId: ' ' }],
    ['freezeId', { freezeId: '' }],
    ['scope', { scope: {} }],
    ['scope.teams[1]', { scope: { teams: ['a', 'a'] } }],
    ['scope.trains[0]', { scope: { trains: [''] } }],
    ['from', { from: '2031-05-04' }],
    ['from', { from: '2031-02-30T00:00:00Z' }],
    ['to', { to: '2031-05-04T12:00:00' }],
    ['to', { to: FROM }],
    ['reason', { reason: '  ' }],
  ])('refuses a bad %s', (field, overrides) => {
    given([]).when(request(overrides)).thenThrows(ValidationError, { field });
  });

  it('refuses a freeze the calendar does not know, when the adapter looked it up', () => {
    given([])
      .when(request(), { policy: DEFAULT_OVERRIDE_POLICY, freezeKnown: false })
      .thenThrows(NotFoundError);
    given([])
      .when(request(), { policy: DEFAULT_OVERRIDE_POLICY, freezeKnown: true })
      .then([requested]);
  });

  it('override-max-length: refuses an override longer than the policy allows', () => {
    given([])
      .when(request({ to: at(FROM, DEFAULT_OVERRIDE_POLICY.maxDurationHours + 1) }))
      .thenThrows(RuleViolation, { rule: 'override-max-length' });
  });

  it('override-ends-in-past: refuses an override that has already ended', () => {
    given([])
      .when(request({}, { now: at(TO, 1) }))
      .thenThrows(RuleViolation, { rule: 'override-ends-in-past' });
  });
});

describe('ApproveFreezeOverride', () => {
  it('records the first approval without activating', () => {
    given([requested])
      .when(approve('bob'))
      .then([approved('bob', 1)]);
  });

  it('activates on the Nth distinct approval', () => {
    given([requested, approved('bob', 1)])
      .when(approve('carol'))
      .then([approved('carol', 2), activated()]);
  });

  it('override-self-approval: the requester may not approve, whatever role they hold', () => {
    given([requested])
      .when(approve('requester'))
      .thenThrows(RuleViolation, { rule: 'override-self-approval' });
  });

  it('counts the same approver once: a second approval is an idempotent no-op', () => {
    given([requested, approved('bob', 1)])
      .when(approve('bob'))
      .thenNothingHappened();
  });

  it('override-expired: refuses an approval after `to`, even before the sweeper ran', () => {
    given([requested])
      .when(approve('bob', TO))
      .thenThrows(RuleViolation, { rule: 'override-expired' });
    given([requested, expired(false)])
      .when(approve('bob', NOW))
      .thenThrows(RuleViolation, { rule: 'override-expired' });
  });

  it('override-closed: refuses an approval of a rejected override', () => {
    given([
      requested,
      {
        type: 'FreezeOverrideRejected',
        data: { overrideId: 'O-1', rejectedBy: 'bob', rejectedAt: NOW, reason: 'no' },
      },
    ])
      .when(approve('carol'))
      .thenThrows(RuleViolation, { rule: 'override-closed' });
  });

  it('refuses an unknown override', () => {
    given([]).when(approve('bob')).thenThrows(NotFoundError);
  });
});

describe('RejectFreezeOverride', () => {
  it('records a rejection with its reason', () => {
    given([requested])
      .when(command('RejectFreezeOverride', {}, { actor: 'bob', reason: 'Not urgent enough' }))
      .then([
        {
          type: 'FreezeOverrideRejected',
          data: {
            overrideId: 'O-1',
            rejectedBy: 'bob',
            rejectedAt: NOW,
            reason: 'Not urgent enough',
          },
        },
      ]);
  });

  it('needs a reason', () => {
    given([requested])
      .when(command('RejectFreezeOverride', {}, { actor: 'bob' }))
      .thenThrows(ValidationError, { field: 'reason' });
  });

  it('override-not-pending: an active override is revoked, not rejected', () => {
    given(activeOverride)
      .when(command('RejectFreezeOverride', {}, { actor: 'bob', reason: 'no' }))
      .thenThrows(RuleViolation, { rule: 'override-not-pending' });
  });
});

describe('RevokeFreezeOverride', () => {
  it('revokes an active override and opens its review, due from the revocation', () => {
    const now = at(FROM, 3);
    given(activeOverride)
      .when(command('RevokeFreezeOverride', {}, { actor: 'bob', reason: 'Incident over', now }))
      .then([
        {
          type: 'FreezeOverrideRevoked',
          data: {
            overrideId: 'O-1',
            revokedBy: 'bob',
            revokedAt: now,
            reason: 'Incident over',
            wasActive: true,
          },
        },
        {
          type: 'OverrideReviewOpened',
          data: {
            overrideId: 'O-1',
            freezeId: 'F-1',
            requestedBy: 'requester',
            trigger: 'revoked',
            openedAt: now,
            dueAt: at(now, DEFAULT_OVERRIDE_POLICY.reviewDueHours),
            useCount: 0,
          },
        },
      ]);
  });

  it('withdraws a pending request without a review', () => {
    given([requested])
      .when(command('RevokeFreezeOverride', {}, { reason: 'Not needed after all' }))
      .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['FreezeOverrideRevoked']));
  });
});

describe('RecordFreezeOverrideUse', () => {
  it('records a use inside the override', () => {
    given(activeOverride)
      .when(use())
      .then([
        {
          type: 'FreezeOverrideUsed',
          data: {
            overrideId: 'O-1',
            freezeId: 'F-1',
            deploymentId: 'D-1',
            start: at(FROM, 1),
            end: at(FROM, 2),
            scope: { teams: ['storefront'], environments: ['prod'], components: ['checkout'] },
            usedBy: 'placement',
            recordedAt: NOW,
          },
        },
      ]);
  });

  it('records the same use once', () => {
    const first = freezeOverrideDecider.decide(
      use(),
      activeOverride.reduce(freezeOverrideDecider.evolve, freezeOverrideDecider.initialState()),
      { policy: DEFAULT_OVERRIDE_POLICY },
    );
    given([...activeOverride, ...first])
      .when(use())
      .thenNothingHappened();
  });

  it('override-not-active: refuses a use before the Nth approval', () => {
    given([requested, approved('bob', 1)])
      .when(use())
      .thenThrows(RuleViolation, { rule: 'override-not-active' });
  });

  it('override-expired: refuses a use once `to` has passed', () => {
    given(activeOverride)
      .when(use({}, { now: TO }))
      .thenThrows(RuleViolation, { rule: 'override-expired' });
  });

  it('override-use-outside-interval: refuses a slot reaching past `to` or before `from`', () => {
    given(activeOverride)
      .when(use({ end: at(TO, 1) }))
      .thenThrows(RuleViolation, { rule: 'override-use-outside-interval' });
    given(activeOverride)
      .when(use({ start: at(FROM, -1) }))
      .thenThrows(RuleViolation, { rule: 'override-use-outside-interval' });
  });

  it('override-use-outside-scope: refuses another component, or a use that does not name its environment', () => {
    given(activeOverride)
      .when(
        use({
          scope: {
            teams: ['storefront'],
            environments: ['prod'],
            components: ['checkout', 'ledger'],
          },
        }),
      )
      .thenThrows(RuleViolation, { rule: 'override-use-outside-scope' });
    given(activeOverride)
      .when(use({ scope: { teams: ['storefront'], components: ['checkout'] } }))
      .thenThrows(RuleViolation, { rule: 'override-use-outside-scope' });
  });

  it('refuses a slot whose end is not after its start', () => {
    given(activeOverride)
      .when(use({ end: at(FROM, 1) }))
      .thenThrows(ValidationError, { field: 'end' });
  });
});

describe('ExpireFreezeOverride', () => {
  const expire = (now: string) =>
    command('ExpireFreezeOverride', {}, { actor: 'scheduling-sweeper', now });

  it('records the expiry at `to` and opens the review, due from `to`', () => {
    given(activeOverride)
      .when(expire(at(TO, 1)))
      .then([expired(), reviewOpened]);
  });

  it('lets a request that was never approved lapse without a review', () => {
    given([requested])
      .when(expire(at(TO, 1)))
      .then([expired(false)]);
  });

  it('is a no-op the second time (two sweepers)', () => {
    given([...activeOverride, expired(), reviewOpened])
      .when(expire(at(TO, 2)))
      .thenNothingHappened();
  });

  it('override-not-yet-ended: refuses to expire before `to`', () => {
    given(activeOverride)
      .when(expire(at(TO, -1)))
      .thenThrows(RuleViolation, { rule: 'override-not-yet-ended' });
  });
});

describe('CloseOverrideReview', () => {
  const close = (actor: string, data: Record<string, unknown> = {}, now = at(TO, 2)) =>
    command(
      'CloseOverrideReview',
      { outcome: 'justified', notes: 'Used once, as stated', ...data },
      { actor, now },
    );
  const ended = [...activeOverride, expired(), reviewOpened];

  it('closes the open review with its outcome and notes', () => {
    given(ended)
      .when(close('auditor'))
      .then([
        {
          type: 'OverrideReviewClosed',
          data: {
            overrideId: 'O-1',
            outcome: 'justified',
            notes: 'Used once, as stated',
            closedBy: 'auditor',
            closedAt: at(TO, 2),
            late: false,
          },
        },
      ]);
  });

  it('marks a review closed after its due time as late', () => {
    given(ended)
      .when(close('auditor', {}, at(TO, DEFAULT_OVERRIDE_POLICY.reviewDueHours + 1)))
      .thenEvents((events) => expect(events[0]?.data).toMatchObject({ late: true }));
  });

  it('override-review-independent: the requester may not close the review of their own override', () => {
    given(ended)
      .when(close('requester'))
      .thenThrows(RuleViolation, { rule: 'override-review-independent' });
  });

  it('override-review-not-open: there is no review before the override ended', () => {
    given(activeOverride)
      .when(close('auditor'))
      .thenThrows(RuleViolation, { rule: 'override-review-not-open' });
  });

  it('needs notes and a known outcome', () => {
    given(ended)
      .when(close('auditor', { notes: ' ' }))
      .thenThrows(ValidationError, { field: 'notes' });
    given(ended)
      .when(close('auditor', { outcome: 'fine' }))
      .thenThrows(ValidationError, { field: 'outcome' });
  });

  it('is idempotent for the same closing, and refuses a different one', () => {
    const closedEvent = {
      type: 'OverrideReviewClosed' as const,
      data: {
        overrideId: 'O-1',
        outcome: 'justified' as const,
        notes: 'Used once, as stated',
        closedBy: 'auditor',
        closedAt: at(TO, 2),
        late: false,
      },
    };
    given([...ended, closedEvent])
      .when(close('auditor'))
      .thenNothingHappened();
    given([...ended, closedEvent])
      .when(close('auditor', { outcome: 'unjustified' }))
      .thenThrows(RuleViolation, { rule: 'override-review-not-open' });
  });
});

it('the request fixture is what the default policy decides', () => {
  expect(requestData().scope).toEqual({
    teams: ['storefront'],
    environments: ['prod'],
    components: ['checkout'],
  });
});

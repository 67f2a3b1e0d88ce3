import fc from 'fast-check';
import {
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { at } from '../test-support/compliance.fixtures';
import type { ReviewCommand } from './review.commands';
import { reviewDecider } from './review.decider';
import type { ReviewEvent } from './review.events';
import { DEFAULT_SIGN_OFF_POLICY, requirementFor } from './sign-off-policy';

const givenReview = DeciderSpecification.for(reviewDecider);
const NOW = '2031-05-04T09:00:00.000Z';

const open = (dataClasses: string[] = ['pii']) =>
  ({
    type: 'OpenChangeReview',
    data: {
      workloadId: 'W-1',
      title: 'Card vault',
      author: 'alice',
      dataClasses,
      policy: DEFAULT_SIGN_OFF_POLICY,
    },
    metadata: at('compliance'),
  }) as ReviewCommand;
const opened: ReviewEvent = {
  type: 'ChangeReviewOpened',
  data: {
    workloadId: 'W-1',
    title: 'Card vault',
    author: 'alice',
    dataClasses: ['pii'],
    policyVersion: '1.0.0',
    requiredSignOffs: 2,
    allowedRoles: ['approver', 'compliance-officer'],
    openedAt: NOW,
  },
};
const sign = (actor: string, role = 'approver'): ReviewCommand => ({
  type: 'SignOffChange',
  data: { workloadId: 'W-1', role },
  metadata: at(actor),
});
const signed = (signer: string, signOffs: number, role = 'approver'): ReviewEvent => ({
  type: 'ChangeSignedOff',
  data: { workloadId: 'W-1', signer, role, signedAt: NOW, signOffs, requiredSignOffs: 2 },
});
const approved = (...signers: string[]): ReviewEvent => ({
  type: 'ChangeReviewApproved',
  data: { workloadId: 'W-1', signers, approvedAt: NOW },
});
const deploy = (deployer: string): ReviewCommand => ({
  type: 'CheckDeploymentAllowed',
  data: { workloadId: 'W-1', deployer },
  metadata: at('deployment'),
});
const retroOpened: ReviewEvent = {
  type: 'RetrospectiveReviewOpened',
  data: {
    workloadId: 'W-1',
    releaseId: 'R-9',
    requestedBy: 'oncall',
    policyVersion: '1.0.0',
    openedAt: NOW,
    dueAt: '2031-05-06T09:00:00.000Z',
  },
};
const sweep = (now: string): ReviewCommand => ({
  type: 'MarkRetrospectiveReviewOverdue',
  data: { workloadId: 'W-1' },
  metadata: { now, actor: 'compliance' },
});

describe('change review: opening', () => {
  it('opens with the policy requirement for regulated data', () => {
    givenReview([]).when(open()).then([opened]);
  });
  it('opens nothing for a workload without regulated data', () => {
    givenReview([]).when(open([])).thenNothingHappened();
  });
  it('opens once: a redelivery is a no-op', () => {
    givenReview([opened]).when(open()).thenNothingHappened();
  });
  it('refuses an unknown data class naming the field', () => {
    givenReview([])
      .when(open(['secret']))
      .thenThrows(ValidationError, { field: 'dataClasses' });
  });
});

describe('change review: sign-offs', () => {
  it('records a sign-off', () => {
    givenReview([opened])
      .when(sign('bob'))
      .then([signed('bob', 1)]);
  });
  it('approves on the last required sign-off', () => {
    givenReview([opened, signed('bob', 1)])
      .when(sign('carol', 'compliance-officer'))
      .then([signed('carol', 2, 'compliance-officer'), approved('bob', 'carol')]);
  });
  it('review-author-cannot-sign: the author may not sign', () => {
    givenReview([opened])
      .when(sign('alice'))
      .thenThrows(RuleViolation, { rule: 'review-author-cannot-sign' });
  });
  it('review-role-not-allowed: a role outside the policy may not sign', () => {
    givenReview([opened])
      .when(sign('bob', 'developer'))
      .thenThrows(RuleViolation, { rule: 'review-role-not-allowed' });
  });
  it('a second sign-off by the same person is a no-op', () => {
    givenReview([opened, signed('bob', 1)])
      .when(sign('bob'))
      .thenNothingHappened();
  });
  it('review-already-approved: no sign-off after approval', () => {
    givenReview([opened, signed('bob', 1), signed('carol', 2), approved('bob', 'carol')])
      .when(sign('dave'))
      .thenThrows(RuleViolation, { rule: 'review-already-approved' });
  });
  it('refuses a sign-off on a workload without a review', () => {
    givenReview([]).when(sign('bob')).thenThrows(NotFoundError);
  });
  it('refuses a hostile workload id naming the field', () => {
    givenReview([opened])
      .when({ ...sign('bob'), data: { workloadId: '../etc', role: 'approver' } } as ReviewCommand)
      .thenThrows(ValidationError, { field: 'workloadId' });
  });
});

describe('separation of duties', () => {
  const approvedChange = [opened, signed('bob', 1), signed('carol', 2), approved('bob', 'carol')];
  it('sod-approver-cannot-deploy: a signer is refused as deployer (recorded)', () => {
    givenReview(approvedChange)
      .when(deploy('bob'))
      .then([
        {
          type: 'DeploymentRefused',
          data: {
            workloadId: 'W-1',
            deployer: 'bob',
            rule: 'sod-approver-cannot-deploy',
            reason: 'bob signed off workload W-1 and may not also deploy it.',
            decidedAt: NOW,
          },
        },
      ]);
  });
  it('review-not-approved: an unapproved change is refused (recorded)', () => {
    givenReview([opened])
      .when(deploy('dave'))
      .then([
        {
          type: 'DeploymentRefused',
          data: {
            workloadId: 'W-1',
            deployer: 'dave',
            rule: 'review-not-approved',
            reason: 'Workload W-1 has 0 of 2 sign-offs; it cannot be deployed yet.',
            decidedAt: NOW,
          },
        },
      ]);
  });
  it('authorises anyone else once approved', () => {
    givenReview(approvedChange)
      .when(deploy('dave'))
      .then([
        {
          type: 'DeploymentAuthorised',
          data: { workloadId: 'W-1', deployer: 'dave', decidedAt: NOW },
        },
      ]);
  });
});

describe('emergency: retrospective review', () => {
  const openRetro: ReviewCommand = {
    type: 'OpenRetrospectiveReview',
    data: {
      workloadId: 'W-1',
      releaseId: 'R-9',
      requestedBy: 'oncall',
      scheduledAt: NOW,
      policy: DEFAULT_SIGN_OFF_POLICY,
    },
    metadata: at('compliance'),
  };
  it('opens due 48 h after the patch was scheduled', () => {
    givenReview([]).when(openRetro).then([retroOpened]);
  });
  it('is not overdue before its due time', () => {
    givenReview([retroOpened]).when(sweep('2031-05-06T09:00:00.000Z')).thenNothingHappened();
  });
  it('records the overdue finding once past due, and only once', () => {
    const overdue: ReviewEvent = {
      type: 'RetrospectiveReviewOverdue',
      data: {
        workloadId: 'W-1',
        releaseId: 'R-9',
        dueAt: '2031-05-06T09:00:00.000Z',
        detectedAt: '2031-05-06T09:00:01.000Z',
      },
    };
    givenReview([retroOpened]).when(sweep('2031-05-06T09:00:01.000Z')).then([overdue]);
    givenReview([retroOpened, overdue])
      .when(sweep('2031-05-07T00:00:00.000Z'))
      .thenNothingHappened();
  });
  it('closes with findings', () => {
    givenReview([retroOpened])
      .when({
        type: 'CloseRetrospectiveReview',
        data: { workloadId: 'W-1', findings: 'Root cause fixed.' },
        metadata: at('carol'),
      })
      .then([
        {
          type: 'RetrospectiveReviewClosed',
          data: {
            workloadId: 'W-1',
            releaseId: 'R-9',
            findings: 'Root cause fixed.',
            closedBy: 'carol',
            closedAt: NOW,
            late: false,
          },
        },
      ]);
  });
  it('refuses empty findings naming the field', () => {
    givenReview([retroOpened])
      .when({
        type: 'CloseRetrospectiveReview',
        data: { workloadId: 'W-1', findings: '  ' },
        metadata: at('carol'),
      })
      .thenThrows(ValidationError, { field: 'findings' });
  });
});

describe('property: approval needs N distinct non-author sign-offs in allowed roles', () => {
  it('holds for any sequence of sign-off attempts', () => {
    const people = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const roles = ['approver', 'compliance-officer', 'developer', 'release-manager'];
    fc.assert(
      fc.property(
        fc.subarray(['pii', 'financial', 'health'] as const, { minLength: 1 }),
        fc.array(fc.tuple(fc.constantFrom(...people), fc.constantFrom(...roles)), {
          maxLength: 12,
        }),
        (classes, attempts) => {
          const req = requirementFor(DEFAULT_SIGN_OFF_POLICY, classes)!;
          let state = reviewDecider.initialState();
          const apply = (events: ReviewEvent[]) =>
            events.forEach((e) => (state = reviewDecider.evolve(state, e)));
          apply(reviewDecider.decide(open([...classes]), state));
          for (const [actor, role] of attempts) {
            try {
              apply(reviewDecider.decide(sign(actor, role), state));
            } catch (error) {
              if (!(error instanceof RuleViolation)) throw error;
            }
          }
          const change = state.change!;
          const valid = new Set(
            change.signOffs
              .filter((s) => s.signer !== 'alice' && req.roles.includes(s.role))
              .map((s) => s.signer),
          );
          expect(change.status === 'Approved').toBe(valid.size >= req.signOffs);
        },
      ),
    );
  });
});

import {
  AlreadyExistsError,
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { at, noHighRiskSchemaChange, twoApprovers } from '../test-support/compliance.fixtures';
import type { PolicyRule } from './policy-rule';
import type { PolicyCommand } from './policy.commands';
import { policyDecider } from './policy.decider';
import type { PolicyEvent } from './policy.events';

const givenPolicy = DeciderSpecification.for(policyDecider);

const propose = (
  version: string,
  actor = 'alice',
  rules: readonly PolicyRule[] = [twoApprovers],
): PolicyCommand => ({
  type: 'ProposePolicyBundle',
  data: { policyId: 'change-control', version, title: 'Change control', rules },
  metadata: at(actor),
});
const proposed = (
  version: string,
  actor = 'alice',
  rules: readonly PolicyRule[] = [twoApprovers],
): PolicyEvent => ({
  type: 'PolicyBundleProposed',
  data: {
    policyId: 'change-control',
    version,
    title: 'Change control',
    rules,
    proposedBy: actor,
    proposedAt: '2031-05-04T09:00:00.000Z',
  },
});
const approve = (version: string, actor: string): PolicyCommand => ({
  type: 'ApprovePolicyBundle',
  data: { policyId: 'change-control', version },
  metadata: at(actor),
});
const approved = (version: string, approvedBy: string, previousVersion?: string): PolicyEvent => ({
  type: 'PolicyBundleApproved',
  data: {
    policyId: 'change-control',
    version,
    proposedBy: 'alice',
    approvedBy,
    approvedAt: '2031-05-04T09:00:00.000Z',
    ...(previousVersion ? { previousVersion } : {}),
  },
});
const reject = (version: string, actor: string, reason?: string): PolicyCommand => ({
  type: 'RejectPolicyBundle',
  data: { policyId: 'change-control', version },
  metadata: at(actor, reason),
});

describe('policy bundle: proposal', () => {
  it('records the proposal with its author', () => {
    givenPolicy([])
      .when(propose('1.0.0'))
      .then([proposed('1.0.0')]);
  });

  it('does nothing when the same author proposes the same version again (a retry)', () => {
    givenPolicy([proposed('1.0.0')])
      .when(propose('1.0.0'))
      .thenNothingHappened();
  });

  it('refuses a different bundle under an existing version', () => {
    givenPolicy([proposed('1.0.0')])
      .when(propose('1.0.0', 'alice', [noHighRiskSchemaChange]))
      .thenThrows(AlreadyExistsError);
  });

  it('refuses a version that is not greater than every proposed one (policy-version-increases)', () => {
    givenPolicy([proposed('1.1.0')])
      .when(propose('1.0.5'))
      .thenThrows(RuleViolation, { rule: 'policy-version-increases' });
  });

  it('refuses an expression that does not parse, naming the rule field', () => {
    givenPolicy([])
      .when(
        propose('1.0.0', 'alice', [
          twoApprovers,
          { ...noHighRiskSchemaChange, expression: 'facts.riskTier ==' },
        ]),
      )
      .thenThrows(ValidationError, { field: 'rules[1].expression' });
  });

  it('refuses an expression that does not type-check against the trigger facts', () => {
    givenPolicy([])
      .when(propose('1.0.0', 'alice', [{ ...twoApprovers, expression: "facts.jobSize > 'large'" }]))
      .thenThrows(ValidationError, { field: 'rules[0].expression' });
  });

  it('refuses an expression that reads an undefined variable', () => {
    givenPolicy([])
      .when(propose('1.0.0', 'alice', [{ ...twoApprovers, expression: 'approvals > 1' }]))
      .thenThrows(ValidationError, { field: 'rules[0].expression' });
  });

  it('refuses an expression whose value is not a boolean', () => {
    givenPolicy([])
      .when(propose('1.0.0', 'alice', [{ ...twoApprovers, expression: 'facts.jobSize + 1' }]))
      .thenThrows(ValidationError, { field: 'rules[0].expression' });
  });

  it.each([
    ['controls[0]', { controls: ['soc2'] }, 'rules[0].controls[0]'],
    ['effect', { effect: 'deny' }, 'rules[0].effect'],
    ['triggers', { triggers: [] }, 'rules[0].triggers'],
    ['id', { id: 'Two Approvers' }, 'rules[0].id'],
  ])('refuses a rule with a bad %s', (_name, change, field) => {
    givenPolicy([])
      .when(propose('1.0.0', 'alice', [{ ...twoApprovers, ...change } as PolicyRule]))
      .thenThrows(ValidationError, { field });
  });

  it('refuses a version that is not semantic', () => {
    givenPolicy([]).when(propose('v1')).thenThrows(ValidationError, { field: 'version' });
  });

  it('refuses repeated rule ids', () => {
    givenPolicy([])
      .when(propose('1.0.0', 'alice', [twoApprovers, twoApprovers]))
      .thenThrows(ValidationError, { field: 'rules[1].id' });
  });

  // An author fixes a bundle in one round trip: every problem, each with its path.
  it('reports every problem of a bundle at once, a CEL expression that does not compile included', () => {
    const command: PolicyCommand = {
      type: 'ProposePolicyBundle',
      data: {
        policyId: 'change-control',
        version: 'v1',
        title: '',
        rules: [
          { ...twoApprovers, expression: 'facts.riskTier ==' },
          { ...noHighRiskSchemaChange, effect: 'deny' as never, controls: ['SOC2:CC8.1', 'soc2'] },
          { ...twoApprovers, triggers: ['deployed' as never] },
          { ...noHighRiskSchemaChange, id: 'Bad Id', expression: "facts.jobSize > 'large'" },
        ],
      },
      metadata: at('alice'),
    };
    givenPolicy([])
      .when(command)
      .thenThrows(ValidationError, (error) => {
        expect(error.violations.map((v) => v.field)).toEqual([
          'version',
          'title',
          'rules[0].expression',
          'rules[1].controls[1]',
          'rules[1].effect',
          'rules[2].id',
          'rules[2].triggers[0]',
          'rules[3].id',
          'rules[3].expression',
        ]);
        expect(error.violations[0]?.message).toMatch(/^version must be a semantic version/);
        expect(error.violations[2]?.message).toMatch(/is not a valid CEL expression/);
        expect(error.violations[5]?.message).toBe('rules[2].id repeats rule two-approvers.');
        expect(error.violations[8]?.message).toMatch(/does not type-check/);
      });
  });

  it('still parses an expression whose triggers are refused (type-checked only with valid ones)', () => {
    const rules = (expression: string): PolicyRule[] => [
      { ...twoApprovers, expression, triggers: ['deployed' as never] },
    ];
    givenPolicy([])
      .when(propose('1.0.0', 'alice', rules('facts.riskTier ==')))
      .thenThrows(ValidationError, (error) => {
        expect(error.violations.map((v) => v.field)).toEqual([
          'rules[0].triggers[0]',
          'rules[0].expression',
        ]);
      });
    givenPolicy([])
      .when(propose('1.0.0', 'alice', rules("facts.jobSize > 'large'")))
      .thenThrows(ValidationError, (error) => {
        expect(error.violations.map((v) => v.field)).toEqual(['rules[0].triggers[0]']);
      });
  });
});

describe('policy bundle: approval', () => {
  it('refuses approval by the author (policy-four-eyes)', () => {
    givenPolicy([proposed('1.0.0')])
      .when(approve('1.0.0', 'alice'))
      .thenThrows(RuleViolation, { rule: 'policy-four-eyes' });
  });

  it('activates the version when someone else approves it', () => {
    givenPolicy([proposed('1.0.0')])
      .when(approve('1.0.0', 'bob'))
      .then([approved('1.0.0', 'bob')]);
  });

  it('names the version it replaces', () => {
    givenPolicy([proposed('1.0.0'), approved('1.0.0', 'bob'), proposed('1.1.0')])
      .when(approve('1.1.0', 'carol'))
      .then([approved('1.1.0', 'carol', '1.0.0')]);
  });

  it('does nothing when the same approver approves again', () => {
    givenPolicy([proposed('1.0.0'), approved('1.0.0', 'bob')])
      .when(approve('1.0.0', 'bob'))
      .thenNothingHappened();
  });

  it('refuses to approve an older version than the active one (policy-version-superseded)', () => {
    givenPolicy([proposed('1.0.0'), proposed('1.1.0'), approved('1.1.0', 'bob')])
      .when(approve('1.0.0', 'bob'))
      .thenThrows(RuleViolation, { rule: 'policy-version-superseded' });
  });

  it('refuses to approve a rejected version (policy-version-pending)', () => {
    givenPolicy([
      proposed('1.0.0'),
      {
        type: 'PolicyBundleRejected',
        data: {
          policyId: 'change-control',
          version: '1.0.0',
          reason: 'Too strict.',
          rejectedBy: 'bob',
          rejectedAt: '2031-05-04T09:00:00.000Z',
        },
      },
    ])
      .when(approve('1.0.0', 'bob'))
      .thenThrows(RuleViolation, { rule: 'policy-version-pending' });
  });

  it('answers not found for an unknown version', () => {
    givenPolicy([proposed('1.0.0')])
      .when(approve('2.0.0', 'bob'))
      .thenThrows(NotFoundError);
  });
});

describe('policy bundle: rejection', () => {
  it('records the rejection with its reason', () => {
    givenPolicy([proposed('1.0.0')])
      .when(reject('1.0.0', 'bob', 'Too strict.'))
      .then([
        {
          type: 'PolicyBundleRejected',
          data: {
            policyId: 'change-control',
            version: '1.0.0',
            reason: 'Too strict.',
            rejectedBy: 'bob',
            rejectedAt: '2031-05-04T09:00:00.000Z',
          },
        },
      ]);
  });

  it('requires a reason', () => {
    givenPolicy([proposed('1.0.0')])
      .when(reject('1.0.0', 'bob'))
      .thenThrows(ValidationError, { field: 'reason' });
  });

  it('refuses to reject an approved version (policy-version-pending)', () => {
    givenPolicy([proposed('1.0.0'), approved('1.0.0', 'bob')])
      .when(reject('1.0.0', 'carol', 'Late.'))
      .thenThrows(RuleViolation, { rule: 'policy-version-pending' });
  });
});

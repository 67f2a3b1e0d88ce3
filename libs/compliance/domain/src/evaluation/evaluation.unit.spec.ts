import { DeciderSpecification, ValidationError } from '@trainyard/kernel';
import { at, twoApprovers } from '../test-support/compliance.fixtures';
import { evaluationDecider, evaluationRecordOf, type EvaluatePolicy } from './evaluation';
import { EVALUATOR_VERSION } from './evaluate';

const bundle = { policyId: 'change-control', version: '1.0.0', rules: [twoApprovers] };
const givenSubject = DeciderSpecification.for(evaluationDecider, { bundle });

const evaluate = (
  evaluationId: string,
  facts: EvaluatePolicy['data']['facts'] = { regulatedData: [], approvals: [] },
): EvaluatePolicy => ({
  type: 'EvaluatePolicy',
  data: {
    evaluationId,
    subject: { type: 'workload', id: 'W-1' },
    trigger: 'workload-registered',
    facts,
  },
  metadata: at('compliance'),
});

describe('subject evaluations', () => {
  it('records the evaluation with facts, bundle and evaluator versions, result and explanation', () => {
    givenSubject([])
      .when(evaluate('E-1'))
      .thenEvents(([event]) => {
        expect(event?.data).toMatchObject({
          evaluationId: 'E-1',
          policyId: 'change-control',
          bundleVersion: '1.0.0',
          evaluatorVersion: EVALUATOR_VERSION,
          result: 'allowed',
          facts: { regulatedData: [], approvals: [] },
          evaluatedBy: 'compliance',
        });
        expect(event?.schemaVersion).toBe(2);
        expect(evaluationRecordOf(event!.data).rules[0]?.reason).toContain(
          'size(facts.regulatedData) == 0',
        );
      });
  });

  it('does nothing for an evaluation id already recorded (a redelivered event)', () => {
    givenSubject([])
      .when(evaluate('E-1'))
      .thenEvents((events) => {
        const seen = events.reduce(evaluationDecider.evolve, evaluationDecider.initialState());
        expect(evaluationDecider.decide(evaluate('E-1'), seen, { bundle })).toEqual([]);
      });
  });

  it('refuses facts that are not an object', () => {
    givenSubject([])
      .when(evaluate('E-1', [] as never))
      .thenThrows(ValidationError, { field: 'facts' });
  });
});

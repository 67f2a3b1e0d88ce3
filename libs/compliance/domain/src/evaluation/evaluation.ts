import {
  assertMetadata,
  assertNonEmpty,
  ValidationError,
  type Command,
  type DomainEvent,
} from '@trainyard/kernel';
import { TRIGGERS, type PolicyBundleVersion, type Trigger } from '../policy/policy-rule';
import type { Facts } from './cel-values';
import { evaluatePolicyBundle, type EvaluationResult, type RuleExplanation } from './evaluate';

/** What an evaluation is about: a workload, a release, an access request. */
export interface EvaluationSubject {
  readonly type: string;
  readonly id: string;
}

/** The planning event (or request) that caused the evaluation. */
export interface EvaluationCause {
  readonly eventId: string;
  readonly eventType: string;
}

export type EvaluatePolicy = Command<
  'EvaluatePolicy',
  {
    readonly evaluationId: string;
    readonly subject: EvaluationSubject;
    readonly trigger: Trigger;
    readonly facts: Facts;
    readonly cause?: EvaluationCause;
  }
>;

/** The adapter looks up the bundle version in force and passes it here. */
export interface EvaluationContext {
  readonly bundle: PolicyBundleVersion;
}

/** One evaluation, with everything needed to replay it: facts, bundle and evaluator versions. */
export type PolicyEvaluated = DomainEvent<
  'PolicyEvaluated',
  {
    readonly evaluationId: string;
    readonly subject: EvaluationSubject;
    readonly trigger: Trigger;
    readonly facts: Facts;
    readonly policyId: string;
    readonly bundleVersion: string;
    readonly evaluatorVersion: string;
    readonly result: EvaluationResult;
    readonly rules: readonly RuleExplanation[];
    readonly cause?: EvaluationCause;
    readonly evaluatedBy: string;
    readonly evaluatedAt: string;
  }
>;

/** The evaluations recorded on one subject's stream (ids only: retries are idempotent). */
export interface SubjectEvaluations {
  readonly evaluationIds: readonly string[];
}

const MAX_ID = 200;

export const assertSubject = (subject: EvaluationSubject | undefined): EvaluationSubject => {
  if (subject === undefined || subject === null || typeof subject !== 'object')
    throw new ValidationError('subject', 'subject is required.');
  for (const key of ['type', 'id'] as const) {
    const value = assertNonEmpty(`subject.${key}`, subject[key]);
    if (value.length > MAX_ID)
      throw new ValidationError(
        `subject.${key}`,
        `subject.${key} must be at most ${MAX_ID} characters long.`,
      );
  }
  return { type: subject.type, id: subject.id };
};

const MAX_FACT_DEPTH = 32;

const depthOf = (value: unknown, depth: number): number => {
  if (depth > MAX_FACT_DEPTH || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const v of Object.values(value)) max = Math.max(max, depthOf(v, depth + 1));
  return max;
};

/** Facts are one JSON object, nested at most 32 levels deep. */
export const assertFacts = (facts: unknown): Facts => {
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts))
    throw new ValidationError('facts', 'facts must be a JSON object.');
  if (depthOf(facts, 0) > MAX_FACT_DEPTH)
    throw new ValidationError(
      'facts',
      `facts may be nested at most ${MAX_FACT_DEPTH} levels deep.`,
    );
  return facts as Facts;
};

export const assertTrigger = (trigger: unknown): Trigger => {
  if (!TRIGGERS.includes(trigger as Trigger))
    throw new ValidationError('trigger', `trigger must be one of ${TRIGGERS.join(', ')}.`);
  return trigger as Trigger;
};

export const decideEvaluation = (
  command: EvaluatePolicy,
  state: SubjectEvaluations,
  context: EvaluationContext,
): readonly PolicyEvaluated[] => {
  assertMetadata(command.metadata);
  const { data } = command;
  assertNonEmpty('evaluationId', data.evaluationId);
  const subject = assertSubject(data.subject);
  assertTrigger(data.trigger);
  assertFacts(data.facts);
  if (state.evaluationIds.includes(data.evaluationId)) return [];
  const evaluation = evaluatePolicyBundle(context.bundle, data.trigger, data.facts);
  return [
    {
      type: 'PolicyEvaluated',
      data: {
        evaluationId: data.evaluationId,
        subject,
        trigger: data.trigger,
        facts: data.facts,
        policyId: evaluation.policyId,
        bundleVersion: evaluation.bundleVersion,
        evaluatorVersion: evaluation.evaluatorVersion,
        result: evaluation.result,
        rules: evaluation.rules,
        ...(data.cause ? { cause: data.cause } : {}),
        evaluatedBy: command.metadata.actor,
        evaluatedAt: command.metadata.now,
      },
    },
  ];
};

export const evolveEvaluations = (
  state: SubjectEvaluations,
  event: PolicyEvaluated,
): SubjectEvaluations => ({ evaluationIds: [...state.evaluationIds, event.data.evaluationId] });

export const evaluationDecider = {
  decide: decideEvaluation,
  evolve: evolveEvaluations,
  initialState: (): SubjectEvaluations => ({ evaluationIds: [] }),
} as const;

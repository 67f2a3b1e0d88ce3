import {
  assertMetadata,
  assertNonEmpty,
  ValidationError,
  type Command,
  type DomainEvent,
} from '@trainyard/kernel';
import { TRIGGERS, type PolicyBundleVersion, type Trigger } from '../policy/policy-rule';
import type { Facts } from './cel-values';
import { expandExplanation, type CompactExplanation } from './compact-explanation';
import {
  evaluatePolicyBundleCompact,
  type EvaluationResult,
  type RuleExplanation,
} from './evaluate';
import type { PolicyEvaluatedV1 } from './evaluation.events.v1';

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

/** What every schema version of `PolicyEvaluated` records besides the explanation. */
export interface PolicyEvaluationFields {
  readonly evaluationId: string;
  readonly subject: EvaluationSubject;
  readonly trigger: Trigger;
  readonly facts: Facts;
  readonly policyId: string;
  readonly bundleVersion: string;
  readonly evaluatorVersion: string;
  readonly result: EvaluationResult;
  readonly cause?: EvaluationCause;
  readonly evaluatedBy: string;
  readonly evaluatedAt: string;
}

/**
 * One evaluation, with everything needed to replay it: facts, bundle and evaluator versions,
 * result, and the rule-by-rule explanation in its compact stored form (schema version 2, issue 13;
 * `evaluationRecordOf` expands it). Version 1 (`evaluation.events.v1.ts`) stored `rules` as
 * objects; its upcaster carries them over verbatim.
 */
export type PolicyEvaluated = DomainEvent<
  'PolicyEvaluated',
  PolicyEvaluationFields & { readonly explanation: CompactExplanation }
> & { readonly schemaVersion: 2 };

/** An evaluation as the API answers and the read model holds it: the explanation expanded. */
export type EvaluationRecord = PolicyEvaluationFields & {
  readonly rules: readonly RuleExplanation[];
};

/**
 * The evaluation a stored `PolicyEvaluated` records, explanation expanded: from the current data,
 * or from version 1 data read without its upcaster (a raw row), which already holds the rules.
 */
export const evaluationRecordOf = (
  data: PolicyEvaluated['data'] | PolicyEvaluatedV1['data'],
): EvaluationRecord => {
  const rules =
    'explanation' in data && typeof data.explanation === 'string'
      ? expandExplanation(data.explanation, data.facts)
      : (data as PolicyEvaluatedV1['data']).rules;
  return {
    evaluationId: data.evaluationId,
    subject: data.subject,
    trigger: data.trigger,
    facts: data.facts,
    policyId: data.policyId,
    bundleVersion: data.bundleVersion,
    evaluatorVersion: data.evaluatorVersion,
    result: data.result,
    rules,
    ...(data.cause ? { cause: data.cause } : {}),
    evaluatedBy: data.evaluatedBy,
    evaluatedAt: data.evaluatedAt,
  };
};

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
  const evaluation = evaluatePolicyBundleCompact(context.bundle, data.trigger, data.facts);
  return [
    {
      type: 'PolicyEvaluated',
      schemaVersion: 2,
      data: {
        evaluationId: data.evaluationId,
        subject,
        trigger: data.trigger,
        facts: data.facts,
        policyId: evaluation.policyId,
        bundleVersion: evaluation.bundleVersion,
        evaluatorVersion: evaluation.evaluatorVersion,
        result: evaluation.result,
        explanation: evaluation.explanation,
        ...(data.cause ? { cause: data.cause } : {}),
        evaluatedBy: command.metadata.actor,
        evaluatedAt: command.metadata.now,
      },
    },
  ];
};

export const evolveEvaluations = (
  state: SubjectEvaluations,
  // Folded from stored events: the evaluation id is in every schema version.
  event: { readonly data: Pick<PolicyEvaluationFields, 'evaluationId'> },
): SubjectEvaluations => ({ evaluationIds: [...state.evaluationIds, event.data.evaluationId] });

export const evaluationDecider = {
  decide: decideEvaluation,
  evolve: evolveEvaluations,
  initialState: (): SubjectEvaluations => ({ evaluationIds: [] }),
} as const;

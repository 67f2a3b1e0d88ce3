import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import {
  assertFacts,
  assertPolicyId,
  assertSubject,
  assertTrigger,
  evaluationDecider,
  evaluationRecordOf,
  replayEvaluation,
  type EvaluatePolicy,
  type EvaluationCause,
  type EvaluationRecord,
  type EvaluationResult,
  type EvaluationSubject,
  type Facts,
  type PolicyBundleVersion,
  type Replay,
  type Trigger,
} from '@trainyard/compliance-domain';
import type { EvaluationRow } from '@trainyard/compliance-read-models';
import { NotFoundError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import { ComplianceReadSide } from '../projections/compliance-read-side';
import { batchCommand, type BatchCommand } from './batch-commands';
import { ComplianceQueries } from './compliance.queries';
import { evaluationStream } from './compliance-streams';
import { PolicyUseCases } from './policy.use-cases';

export interface EvaluationRequest {
  readonly subject: { readonly type: string; readonly id: string };
  readonly trigger: Trigger;
  readonly facts: Facts;
  /** Only this policy; otherwise every policy with an active version. */
  readonly policyId?: string;
  /** The event that caused it: evaluation ids derive from it, so a redelivery records nothing new. */
  readonly cause?: EvaluationCause;
}

export type { EvaluationRecord };

const assertRequest = (request: EvaluationRequest) => ({
  subject: assertSubject(request.subject),
  trigger: assertTrigger(request.trigger),
  facts: assertFacts(request.facts),
});

/** Evaluation ids derive from the causing event, so a redelivery past the inbox records nothing new. */
const evaluatePolicy = (
  request: Omit<EvaluationRequest, 'policyId'> & { readonly subject: EvaluationSubject },
  bundle: PolicyBundleVersion,
  ctx: CommandContext,
): EvaluatePolicy => ({
  type: 'EvaluatePolicy',
  data: {
    evaluationId: request.cause ? `${request.cause.eventId}:${bundle.policyId}` : randomUUID(),
    subject: request.subject,
    trigger: request.trigger,
    facts: request.facts,
    ...(request.cause ? { cause: request.cause } : {}),
  },
  metadata: commandMetadata(ctx),
});

/** Evaluate (recorded as PolicyEvaluated on the subject's stream) and replay. */
@Injectable()
export class EvaluationUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: ComplianceReadSide,
    private readonly policies: PolicyUseCases,
    private readonly queries: ComplianceQueries,
  ) {}

  async evaluate(request: EvaluationRequest, ctx: CommandContext): Promise<EvaluationRecord[]> {
    const { subject, trigger, facts } = assertRequest(request);
    const policyIds =
      request.policyId !== undefined
        ? [assertPolicyId(request.policyId)]
        : (await this.queries.activePolicies()).map((p) => p.policyId);
    const recorded: EvaluationRecord[] = [];
    for (const policyId of policyIds) {
      const bundle = await this.policies.activeBundle(policyId);
      if (!bundle) {
        if (request.policyId !== undefined)
          throw new NotFoundError(
            'active policy version',
            policyId,
            `policy ${policyId} has no approved version.`,
          );
        continue;
      }
      const handled = await handleCommand(
        this.store,
        evaluationStream(subject),
        evaluationDecider,
        evaluatePolicy({ subject, trigger, facts, cause: request.cause }, bundle, ctx),
        ctx,
        {
          context: { bundle },
          onAppended: (result) =>
            this.readSide.recordWrite({
              transactionId: result.transactionId,
              position: result.lastPosition,
            }),
        },
      );
      recorded.push(...handled.events.map((e) => evaluationRecordOf(e.data)));
    }
    return recorded;
  }

  /**
   * The active version of every policy, read once for a batch of evaluations (the read model
   * lists the policies; each one's stream says which version is in force).
   */
  async activeBundles(): Promise<PolicyBundleVersion[]> {
    const bundles: PolicyBundleVersion[] = [];
    for (const { policyId } of await this.queries.activePolicies()) {
      const bundle = await this.policies.activeBundle(policyId);
      if (bundle) bundles.push(bundle);
    }
    return bundles;
  }

  /**
   * The EvaluatePolicy commands `evaluate` would handle for a request caused by an event, one per
   * bundle, for a batch (`decideBatch`); a request without a cause gets random evaluation ids.
   */
  evaluationCommands(
    request: EvaluationRequest,
    bundles: readonly PolicyBundleVersion[],
    ctx: CommandContext,
  ): BatchCommand[] {
    const valid = assertRequest(request);
    return bundles.map((bundle) =>
      batchCommand(
        evaluationStream(valid.subject),
        evaluationDecider,
        evaluatePolicy({ ...valid, cause: request.cause }, bundle, ctx),
        { bundle },
        ctx,
      ),
    );
  }

  /** Re-runs a stored evaluation under the bundle version it cited; stores nothing. */
  async replay(evaluationId: string): Promise<{ row: EvaluationRow; replay: Replay }> {
    const row = await this.queries.evaluation(evaluationId);
    const bundle = await this.policies.bundle(row.policyId, row.bundleVersion);
    const replay = replayEvaluation(
      {
        policyId: row.policyId,
        bundleVersion: row.bundleVersion,
        evaluatorVersion: row.evaluatorVersion,
        trigger: row.trigger as Trigger,
        result: row.result as EvaluationResult,
        rules: row.explanation,
      },
      row.facts,
      bundle,
    );
    return { row, replay };
  }
}

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
  replayEvaluation,
  type EvaluationCause,
  type EvaluationResult,
  type Facts,
  type PolicyEvaluated,
  type Replay,
  type Trigger,
} from '@trainyard/compliance-domain';
import type { EvaluationRow } from '@trainyard/compliance-read-models';
import { NotFoundError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import { ComplianceReadSide } from '../projections/compliance-read-side';
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

export type EvaluationRecord = PolicyEvaluated['data'];

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
    const subject = assertSubject(request.subject);
    const trigger = assertTrigger(request.trigger);
    const facts = assertFacts(request.facts);
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
      const evaluationId = request.cause ? `${request.cause.eventId}:${policyId}` : randomUUID();
      const handled = await handleCommand(
        this.store,
        evaluationStream(subject),
        evaluationDecider,
        {
          type: 'EvaluatePolicy',
          data: {
            evaluationId,
            subject,
            trigger,
            facts,
            ...(request.cause ? { cause: request.cause } : {}),
          },
          metadata: commandMetadata(ctx),
        },
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
      recorded.push(...handled.events.map((e) => e.data));
    }
    return recorded;
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

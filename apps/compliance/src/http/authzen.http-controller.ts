import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Facts } from '@trainyard/compliance-domain';
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { EvaluationUseCases, type EvaluationRecord } from '../application/evaluation.use-cases';
import { accessRequestOf, batchRequestOf, type AccessRequest } from './authzen';

export interface AccessDecision {
  readonly decision: boolean;
  readonly context: {
    /** The evaluations recorded for this decision. */
    readonly evaluation_ids: readonly string[];
    readonly reason_admin: { readonly en: string };
    readonly explanation: readonly object[];
  };
}

const decisionOf = (records: readonly EvaluationRecord[]): AccessDecision => {
  const rules = records.flatMap((r) =>
    r.rules.map((rule) => ({ policyId: r.policyId, bundleVersion: r.bundleVersion, ...rule })),
  );
  const blocked = records.filter((r) => r.result === 'blocked');
  const decision = rules.length > 0 && blocked.length === 0;
  const reason =
    rules.length === 0
      ? 'No policy rule applies to access requests, so access is denied by default.'
      : blocked.length > 0
        ? rules
            .filter((r) => r.effect === 'block' && r.outcome !== 'passed')
            .map((r) => `${r.policyId}/${r.ruleId}: ${r.reason}`)
            .join(' ')
        : 'Every applicable rule allowed the request.';
  return {
    decision,
    context: {
      evaluation_ids: records.map((r) => r.evaluationId),
      reason_admin: { en: reason },
      explanation: rules,
    },
  };
};

/**
 * OpenID AuthZEN Authorization API 1.0 (Access Evaluation and Access Evaluations): the same
 * policies answer "may this subject do this action on this resource?". The facts a rule sees are
 * the request: `facts.subject`, `facts.action`, `facts.resource`, `facts.context`; rules with the
 * trigger `access-requested` apply. Every decision is recorded as an evaluation.
 */
@ApiTags('authzen')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('access/v1')
export class AuthzenHttpController {
  constructor(
    private readonly evaluations: EvaluationUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  private async decide(request: AccessRequest, http: Request): Promise<AccessDecision> {
    const records = await this.evaluations.evaluate(
      {
        subject: { type: 'access', id: `${request.subject.type}:${request.subject.id}` },
        trigger: 'access-requested',
        facts: request as unknown as Facts,
      },
      this.contexts.forHttp(http),
    );
    return decisionOf(records);
  }

  @Post('evaluation')
  @HttpCode(200)
  @RequirePermission('compliance:evaluate')
  @ApiOperation({ summary: 'AuthZEN Access Evaluation: one decision with its explanation' })
  @ApiBody({ schema: { type: 'object', required: ['subject', 'action', 'resource'] } })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { decision: { type: 'boolean' }, context: { type: 'object' } },
    },
  })
  async evaluation(@Body() body: unknown, @Req() http: Request): Promise<AccessDecision> {
    const value = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
    return this.decide(accessRequestOf(value), http);
  }

  @Post('evaluations')
  @HttpCode(200)
  @RequirePermission('compliance:evaluate')
  @ApiOperation({
    summary: 'AuthZEN Access Evaluations: a batch with defaults and options.evaluations_semantic',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: { evaluations: { type: 'array', items: { type: 'object' } } },
    },
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { evaluations: { type: 'array', items: { type: 'object' } } },
    },
  })
  async batch(
    @Body() body: unknown,
    @Req() http: Request,
  ): Promise<AccessDecision | { evaluations: AccessDecision[] }> {
    const batch = batchRequestOf(body);
    if (batch.single) return this.decide(batch.requests[0] as AccessRequest, http);
    const answers: AccessDecision[] = [];
    for (const request of batch.requests) {
      const answer = await this.decide(request, http);
      answers.push(answer);
      if (batch.semantic === 'deny_on_first_deny' && !answer.decision) break;
      if (batch.semantic === 'permit_on_first_permit' && answer.decision) break;
    }
    return { evaluations: answers };
  }
}

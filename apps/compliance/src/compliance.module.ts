import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  PG_POOL,
  SERVICE_CONFIG,
  openApiController,
  type ServiceConfig,
} from '@trainyard/platform';
import { PersonalData } from '@trainyard/privacy';
import { PrivacyGrpcController } from './privacy/privacy.grpc-controller';
import { PrivacyHttpController } from './privacy/privacy.http-controller';
import { PrivacyUseCases } from './privacy/privacy.use-cases';
import { ComplianceQueries } from './application/compliance.queries';
import { EvaluationUseCases } from './application/evaluation.use-cases';
import { PolicyUseCases } from './application/policy.use-cases';
import { ComplianceGrpcController } from './grpc/compliance.grpc-controller';
import { AuthzenHttpController } from './http/authzen.http-controller';
import { ComplianceHttpController } from './http/compliance.http-controller';
import { PlanningEventsConsumer } from './kafka/planning-events.consumer';
import { LedgerConsumer } from './ledger/ledger.consumer';
import { LedgerGrpcController } from './ledger/ledger.grpc-controller';
import { LedgerHttpController } from './ledger/ledger.http-controller';
import { LedgerQueries } from './ledger/ledger.queries';
import { ComplianceReadSide } from './projections/compliance-read-side';
import { WebhookHttpController } from './webhook/webhook.http-controller';
import {
  WebhookFeed,
  WebhookStoreProvider,
  webhookSettingsProvider,
} from './webhook/webhook.providers';
import { ReviewOverdueSweeper } from './application/review-overdue.sweeper';
import { ReviewUseCases } from './application/review.use-cases';
import { ReviewGrpcController } from './grpc/review.grpc-controller';
import { ReviewHttpController } from './http/review.http-controller';
import { AccessAdminGrpcController } from './access/access-admin.grpc-controller';
import { AccessAdminHttpController } from './access/access-admin.http-controller';
import { AccessAdminUseCases } from './access/access-admin.use-cases';
import { AccessModelPublisher } from './access/access-model.publisher';
import { ReleaseEvidenceQueries } from './sampling/release-evidence.queries';
import { SamplingGrpcController } from './sampling/sampling.grpc-controller';
import { SamplingHttpController } from './sampling/sampling.http-controller';
import { SamplingUseCases } from './sampling/sampling.use-cases';
import { EvidenceBundleHttpController } from './evidence/evidence-bundle.http-controller';
import { EvidenceBundleService } from './evidence/evidence-bundle.service';
import { RetentionHttpController } from './retention/retention.http-controller';
import { RetentionSweeper } from './retention/retention.sweeper';

/**
 * The compliance bounded context (ARCHITECTURE.md): policies as code with four-eyes approval,
 * evaluations with rule-by-rule explanations (on planning's events, over gRPC, and through the
 * AuthZEN API), replays under the bundle version of their day.
 */
@Module({
  controllers: [
    ComplianceGrpcController,
    ComplianceHttpController,
    AuthzenHttpController,
    WebhookHttpController,
    LedgerHttpController,
    LedgerGrpcController,
    ReviewGrpcController,
    ReviewHttpController,
    PrivacyGrpcController,
    PrivacyHttpController,
    AccessAdminGrpcController,
    AccessAdminHttpController,
    SamplingGrpcController,
    SamplingHttpController,
    EvidenceBundleHttpController,
    RetentionHttpController,
    openApiController({
      service: 'compliance',
      title: 'Trainyard compliance',
      description:
        'Policies and their versions, evaluations with rule-by-rule explanations, replays, and the OpenID AuthZEN access evaluation API. Paginated: {items, page, pageSize, total}.',
    }),
  ],
  providers: [
    ComplianceReadSide,
    ComplianceQueries,
    PolicyUseCases,
    EvaluationUseCases,
    PlanningEventsConsumer,
    webhookSettingsProvider,
    WebhookStoreProvider,
    WebhookFeed,
    LedgerQueries,
    LedgerConsumer,
    ReviewUseCases,
    ReviewOverdueSweeper,
    // Retention and privacy (issue 13 item 6; docs/adr/0013-crypto-shredding.md).
    {
      provide: PersonalData,
      useFactory: (pool: Pool, config: ServiceConfig) => PersonalData.fromSettings(pool, config),
      inject: [PG_POOL, SERVICE_CONFIG],
    },
    PrivacyUseCases,
    AccessAdminUseCases,
    AccessModelPublisher,
    ReleaseEvidenceQueries,
    SamplingUseCases,
    EvidenceBundleService,
    RetentionSweeper,
  ],
})
export class ComplianceModule {}

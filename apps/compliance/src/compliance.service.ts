import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import {
  COMPLIANCE_READ_MODEL_MIGRATIONS,
  complianceProjection,
  reviewProjection,
} from '@trainyard/compliance-read-models';
import { ComplianceModule } from './compliance.module';
import { complianceSettings } from './config/compliance-settings';
import { publishedEventOf } from './kafka/published-event';

export const COMPLIANCE_GRPC_PACKAGE = 'trainyard.compliance.v1';
export const COMPLIANCE_GRPC_SERVICE = 'trainyard.compliance.v1.ComplianceService';
export const LEDGER_GRPC_SERVICE = 'trainyard.compliance.v1.LedgerService';
export const REVIEW_GRPC_SERVICE = 'trainyard.compliance.v1.ReviewService';
export const PRIVACY_GRPC_SERVICE = 'trainyard.compliance.v1.PrivacyService';
export const ACCESS_ADMIN_GRPC_SERVICE = 'trainyard.compliance.v1.AccessAdminService';
export const SAMPLING_GRPC_SERVICE = 'trainyard.compliance.v1.SamplingService';

export const complianceService: ServiceDefinition = {
  service: 'compliance',
  module: ComplianceModule,
  settings: complianceSettings,
  grpcPackages: [COMPLIANCE_GRPC_PACKAGE],
  grpcServices: [
    COMPLIANCE_GRPC_SERVICE,
    LEDGER_GRPC_SERVICE,
    REVIEW_GRPC_SERVICE,
    PRIVACY_GRPC_SERVICE,
    ACCESS_ADMIN_GRPC_SERVICE,
    SAMPLING_GRPC_SERVICE,
  ],
  integrationEvents: publishedEventOf,
  migrations: [COMPLIANCE_READ_MODEL_MIGRATIONS],
  projections: [complianceProjection, reviewProjection],
  // Rule expressions (up to 2000 characters) and facts (a JSON object) exceed the default 1 KiB.
  maxStringBytes: 65_536,
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(complianceService, onStopped);

/**
 * The ledger's ingest and its statement, for the `compliance.ledger.ingest` bench and
 * `bench/ledger-cpu.probe.ts` (tools and benches import services only here).
 */
export { LedgerIngest, writeLedgerEntries } from './ledger/ledger.ingest';

/** Retention over the compliance tables, for `npm run audit:archive -- --service compliance --records`. */
export { RetentionSweep } from './retention/retention-sweep';
export { retentionSettingsFromEnv } from './retention/retention-settings';
export { verifyRecordArchives } from './retention/record-archives.verify';

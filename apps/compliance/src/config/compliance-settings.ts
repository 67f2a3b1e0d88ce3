import { z } from 'zod';
import {
  kafkaTopicSetting,
  kafkaTopicsSetting,
  wholeNumberSetting,
  type ServiceConfigWith,
} from '@trainyard/platform';
import { PLANNING_EVENTS_TOPIC } from '@trainyard/planning-contracts';
import { DEFAULT_LEDGER_TOPICS } from '../ledger/ledger.ingest';
import { WEBHOOK_SETTINGS_VARIABLES } from '../webhook/webhook-config';

/**
 * The compliance service's own settings, validated with the platform's at start (a wrong value is
 * named and the process exits 78) and injected as part of SERVICE_CONFIG.
 * docs/readme-fragments/configs.md lists them all.
 */
export const complianceSettings = z.object({
  // How often retrospective reviews past due are looked for; 0 turns the timer off.
  COMPLIANCE_REVIEW_SWEEP_MS: wholeNumberSetting('milliseconds', 0, 86_400_000, 60_000),
  // Another topic carrying planning's events (tests use their own).
  COMPLIANCE_PLANNING_TOPIC: kafkaTopicSetting(PLANNING_EVENTS_TOPIC),
  // Partitions of the planning topic evaluated at once, each batch in its own transaction.
  COMPLIANCE_PLANNING_PARTITIONS_CONCURRENTLY: wholeNumberSetting('partitions', 1, 64, 2),
  // The topics the evidence ledger consumes, comma-separated; default every service's events.
  COMPLIANCE_LEDGER_TOPICS: kafkaTopicsSetting(DEFAULT_LEDGER_TOPICS),
  ...WEBHOOK_SETTINGS_VARIABLES,
});

export type ComplianceSettings = z.infer<typeof complianceSettings>;
export type ComplianceConfig = ServiceConfigWith<ComplianceSettings>;

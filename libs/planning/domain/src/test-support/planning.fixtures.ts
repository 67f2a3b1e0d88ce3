// Builders shared by the planning domain's unit specs (not exported from the library).
import type { AllocationCandidate } from '../allocation/allocation.types';
import type { CommandMetadata } from '@trainyard/kernel';
import type { RegisterWorkloadData } from '../workload/workload.commands';

export const NOW = '2026-11-23T10:00:00.000Z';

export const meta = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: NOW,
  actor: 'alice',
  ...overrides,
});

export const registration = (
  overrides: Partial<RegisterWorkloadData> = {},
): RegisterWorkloadData => ({
  workloadId: 'W-1',
  title: 'Checkout redesign',
  team: 'payments',
  components: [{ name: 'checkout-service', kind: 'service' }],
  regulatedData: [],
  jobSize: 5,
  businessValue: 8,
  timeCriticality: 5,
  riskReduction: 3,
  dependsOn: [],
  schemaChange: false,
  ...overrides,
});

let sequence = 0;

export const candidate = (
  overrides: Partial<AllocationCandidate> & { workloadId: string },
): AllocationCandidate => ({
  team: 'payments',
  jobSize: 3,
  businessValue: 5,
  timeCriticality: 3,
  riskReduction: 2,
  changeType: 'net-new-feature',
  registeredAt: new Date(Date.UTC(2026, 0, 1) + sequence++ * 60_000).toISOString(),
  dependsOn: [],
  components: [{ name: `${overrides.team ?? 'payments'}-service`, kind: 'service' }],
  schemaChange: false,
  ...overrides,
});

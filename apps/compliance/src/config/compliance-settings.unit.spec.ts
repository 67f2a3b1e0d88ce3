import { ConfigurationError, loadServiceConfig, startService } from '@trainyard/platform';
import { COMPLIANCE_EVENTS_TOPIC } from '@trainyard/compliance-contracts';
import { PLANNING_EVENTS_TOPIC } from '@trainyard/planning-contracts';
import { complianceService } from '../compliance.service';
import { DEFAULT_LEDGER_TOPICS } from '../ledger/ledger.ingest';
import { complianceSettings } from './compliance-settings';

// The compliance service's own settings are validated with the platform's at start: defaults,
// values given, and every wrong value named (COMPLIANCE_REVIEW_SWEEP_MS=soon used to be ignored).
const load = (env: NodeJS.ProcessEnv) => loadServiceConfig('compliance', env, complianceSettings);

describe('compliance settings', () => {
  it('given nothing, defaults as the settings did when read by hand', () => {
    expect(load({})).toMatchObject({
      COMPLIANCE_REVIEW_SWEEP_MS: 60_000,
      COMPLIANCE_PLANNING_TOPIC: PLANNING_EVENTS_TOPIC,
      COMPLIANCE_LEDGER_TOPICS: DEFAULT_LEDGER_TOPICS,
      COMPLIANCE_PLANNING_PARTITIONS_CONCURRENTLY: 2,
      COMPLIANCE_WEBHOOK_SUBSCRIBERS: [],
      COMPLIANCE_WEBHOOK_MAX_ATTEMPTS: 8,
      COMPLIANCE_WEBHOOK_INITIAL_BACKOFF_MS: 1_000,
      COMPLIANCE_WEBHOOK_MAX_BACKOFF_MS: 300_000,
      COMPLIANCE_WEBHOOK_TIMEOUT_MS: 10_000,
      COMPLIANCE_WEBHOOK_POLL_MS: 1_000,
      COMPLIANCE_WEBHOOK_TOPIC: COMPLIANCE_EVENTS_TOPIC,
    });
  });

  it('given values, uses them', () => {
    expect(
      load({
        COMPLIANCE_REVIEW_SWEEP_MS: '0',
        COMPLIANCE_LEDGER_TOPICS: 'a.events, b.events, a.events',
        COMPLIANCE_WEBHOOK_TOPIC: 'test.compliance-events',
      }),
    ).toMatchObject({
      COMPLIANCE_REVIEW_SWEEP_MS: 0,
      COMPLIANCE_LEDGER_TOPICS: ['a.events', 'b.events'],
      COMPLIANCE_WEBHOOK_TOPIC: 'test.compliance-events',
    });
  });

  it.each([
    ['COMPLIANCE_REVIEW_SWEEP_MS', 'soon'],
    ['COMPLIANCE_REVIEW_SWEEP_MS', '-1'],
    ['COMPLIANCE_PLANNING_TOPIC', 'planning events'],
    ['COMPLIANCE_LEDGER_TOPICS', 'a.events,b events'],
    ['COMPLIANCE_PLANNING_PARTITIONS_CONCURRENTLY', '0'],
    ['COMPLIANCE_PLANNING_PARTITIONS_CONCURRENTLY', 'many'],
    ['COMPLIANCE_WEBHOOK_MAX_ATTEMPTS', '0'],
    ['COMPLIANCE_WEBHOOK_INITIAL_BACKOFF_MS', 'fast'],
    ['COMPLIANCE_WEBHOOK_MAX_BACKOFF_MS', '1.5'],
    ['COMPLIANCE_WEBHOOK_TIMEOUT_MS', '600001'],
    ['COMPLIANCE_WEBHOOK_POLL_MS', '-3'],
    ['COMPLIANCE_WEBHOOK_TOPIC', 'a/b'],
  ])('refuses %s=%s, naming the variable and the value', (variable, value) => {
    const attempt = () => load({ [variable]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(`${variable}: `);
    expect(attempt).toThrow(`(got ${JSON.stringify(value)})`);
  });

  it('stops the service start before anything connects, naming the variable (exit 78 in main)', async () => {
    await expect(
      startService(complianceService, { COMPLIANCE_REVIEW_SWEEP_MS: 'hourly' }),
    ).rejects.toThrow(
      new ConfigurationError(
        'invalid configuration: COMPLIANCE_REVIEW_SWEEP_MS: expected milliseconds (got "hourly")',
      ),
    );
  });
});

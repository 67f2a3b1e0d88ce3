/** A valid manifest as a file would hold it, for specs; `overrides` replace top-level fields. */
export const validManifestInput = (
  overrides: Record<string, unknown> = {},
): Record<string, unknown> => ({
  name: 'finance.ledger.month-end-close',
  owner: 'finance',
  criticality: 'critical',
  schedule: { cron: '30 2 1 * *', zone: 'Europe/Berlin' },
  parameters: { batchSize: 'number', token: 'secret-ref' },
  environments: {
    dev: { batchSize: 10, token: 'secret:token-dev' },
    staging: { batchSize: 100, token: 'secret:token-staging' },
    prod: { batchSize: 1000, token: 'secret:token' },
  },
  tasks: [
    {
      id: 'settle',
      executor: { kind: 'http', method: 'POST', url: 'https://payments.example/settle' },
      retries: { max: 3, backoffSeconds: 10, maxDelaySeconds: 300 },
      timeoutSeconds: 600,
    },
    {
      id: 'export',
      dependsOn: ['settle'],
      executor: { kind: 'command', program: 'ledger-export', args: ['--batch', '{{batchSize}}'] },
      timeoutSeconds: 600,
    },
    {
      id: 'notify',
      dependsOn: ['export'],
      trigger: 'all-done',
      executor: { kind: 'kafka', topic: 'finance.events' },
      timeoutSeconds: 60,
    },
  ],
  ...overrides,
});

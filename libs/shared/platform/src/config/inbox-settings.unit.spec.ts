import { ConfigurationError, SERVICES, loadServiceConfig } from '../index';

// The inbox pruning settings every service reads (the platform prunes every service's inbox):
// defaults, values given, and a wrong value named.
describe.each(SERVICES)('%s inbox settings', (service) => {
  it('given nothing, keeps handled ids 14 days and prunes hourly', () => {
    expect(loadServiceConfig(service, {})).toMatchObject({
      MESSAGING_INBOX_RETENTION_DAYS: 14,
      MESSAGING_INBOX_PRUNE_MS: 3_600_000,
    });
  });

  it('given values (an empty one meaning the default), uses them; 0 turns pruning off', () => {
    expect(
      loadServiceConfig(service, {
        MESSAGING_INBOX_RETENTION_DAYS: '30',
        MESSAGING_INBOX_PRUNE_MS: '0',
      }),
    ).toMatchObject({ MESSAGING_INBOX_RETENTION_DAYS: 30, MESSAGING_INBOX_PRUNE_MS: 0 });
    expect(loadServiceConfig(service, { MESSAGING_INBOX_RETENTION_DAYS: '' })).toMatchObject({
      MESSAGING_INBOX_RETENTION_DAYS: 14,
    });
  });

  it.each([
    ['MESSAGING_INBOX_RETENTION_DAYS', '0'],
    ['MESSAGING_INBOX_RETENTION_DAYS', '7.5'],
    ['MESSAGING_INBOX_RETENTION_DAYS', 'a week'],
    ['MESSAGING_INBOX_RETENTION_DAYS', '3651'],
    ['MESSAGING_INBOX_PRUNE_MS', '-1'],
    ['MESSAGING_INBOX_PRUNE_MS', 'hourly'],
    ['MESSAGING_INBOX_PRUNE_MS', '86400001'],
  ])('refuses %s=%s, naming the variable and the value', (variable, value) => {
    const attempt = () => loadServiceConfig(service, { [variable]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(`${variable}: `);
    expect(attempt).toThrow(`(got ${JSON.stringify(value)})`);
  });
});

import fc from 'fast-check';
import { inspect } from 'node:util';
import { ValidationError } from '@trainyard/kernel';
import { ConfigurationError, loadServiceConfig } from '@trainyard/platform';
import { complianceSettings } from '../config/compliance-settings';
import { webhookSettingsOf, webhookSubscriber } from './webhook-config';

const webhookSettingsFromEnv = (env: NodeJS.ProcessEnv) =>
  webhookSettingsOf(loadServiceConfig('compliance', env, complianceSettings));

const SECRET = `whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`;

describe('webhook subscriber configuration', () => {
  it('accepts an https or http URL with a whsec_ secret, and never shows the key', () => {
    const subscriber = webhookSubscriber({
      id: 'grc',
      url: 'https://grc.example/hook',
      secret: SECRET,
    });
    expect(subscriber.url.href).toBe('https://grc.example/hook');
    expect(subscriber.key).toHaveLength(32);
    const shown = `${JSON.stringify(subscriber)} ${inspect(subscriber)}`;
    expect(shown).not.toContain(SECRET.slice(6));
    expect(shown).not.toContain('xxxxxxxx');
  });

  it.each([
    [{ id: 'grc', url: 'ftp://grc.example/', secret: SECRET }, 'subscribers[0].url'],
    [{ id: 'grc', url: 'not a url', secret: SECRET }, 'subscribers[0].url'],
    [{ id: 'grc', url: 'https://u:p@grc.example/', secret: SECRET }, 'subscribers[0].url'],
    [{ id: 'grc', url: 'https://grc.example/', secret: 'plain' }, 'subscribers[0].secret'],
    [{ id: 'grc', url: 'https://grc.example/', secret: 'whsec_c2hvcnQ=' }, 'subscribers[0].secret'],
    [{ id: 'GRC!', url: 'https://grc.example/', secret: SECRET }, 'subscribers[0].id'],
  ])('refuses %j naming %s', (raw, field) => {
    let caught: unknown;
    try {
      webhookSubscriber(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
  });

  it('refuses hostile configuration with a ValidationError that never echoes the secret', () => {
    fc.assert(
      fc.property(
        fc.record(
          { id: fc.anything(), url: fc.anything(), secret: fc.anything() },
          { requiredKeys: [] },
        ),
        (raw) => {
          let caught: unknown;
          try {
            webhookSubscriber(raw);
          } catch (error) {
            caught = error;
          }
          const secret = typeof raw.secret === 'string' && raw.secret.length > 8 ? raw.secret : '';
          expect(caught === undefined || caught instanceof ValidationError).toBe(true);
          expect(
            secret === '' || !String((caught as Error | undefined)?.message).includes(secret),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads subscribers and tuning from the environment; none means disabled', () => {
    expect(webhookSettingsFromEnv({}).subscribers).toEqual([]);
    const settings = webhookSettingsFromEnv({
      COMPLIANCE_WEBHOOK_SUBSCRIBERS: JSON.stringify([
        { id: 'a', url: 'https://a.example/', secret: SECRET },
      ]),
      COMPLIANCE_WEBHOOK_MAX_ATTEMPTS: '4',
    });
    expect(settings.subscribers.map((s) => s.id)).toEqual(['a']);
    expect(settings.maxAttempts).toBe(4);
    expect(() => webhookSettingsFromEnv({ COMPLIANCE_WEBHOOK_SUBSCRIBERS: '{' })).toThrow(
      /COMPLIANCE_WEBHOOK_SUBSCRIBERS: expected a JSON array of \{id, url, secret\} \(value withheld: a secret\)/,
    );
    expect(() =>
      webhookSettingsFromEnv({
        COMPLIANCE_WEBHOOK_SUBSCRIBERS: JSON.stringify([
          { id: 'a', url: 'https://a.example/', secret: SECRET },
          { id: 'a', url: 'https://b.example/', secret: SECRET },
        ]),
      }),
    ).toThrow(/COMPLIANCE_WEBHOOK_SUBSCRIBERS: Subscriber ids must be unique/);
    expect(() => webhookSettingsFromEnv({ COMPLIANCE_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(
      ConfigurationError,
    );
  });
});

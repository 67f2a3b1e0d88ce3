import type { z } from 'zod';
import { COMPLIANCE_EVENTS_TOPIC } from '@trainyard/compliance-contracts';
import { ValidationError } from '@trainyard/kernel';
import {
  kafkaTopicSetting,
  parsedSetting,
  secretSetting,
  wholeNumberSetting,
} from '@trainyard/platform';
import { signingKey, SECRET_PREFIX } from './webhook-signature';

/** One GRC tool receiving compliance events. The secret never leaves this object. */
export interface WebhookSubscriber {
  readonly id: string;
  readonly url: URL;
  /** The HMAC key (decoded secret). Not enumerable, so JSON.stringify/inspect never show it. */
  readonly key: Buffer;
}

export interface WebhookSettings {
  readonly subscribers: readonly WebhookSubscriber[];
  /** Deliveries attempted before a row goes to the dead-letter list. Default 8. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Per request. Default 10 s. */
  readonly timeoutMs: number;
  /** Idle poll of the delivery table. Default 1 s. */
  readonly pollMs: number;
  /** The topic fed to subscribers. Default compliance's integration events. */
  readonly topic: string;
}

const SUBSCRIBER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

interface RawSubscriber {
  readonly id?: unknown;
  readonly url?: unknown;
  readonly secret?: unknown;
}

/** A subscriber from configuration; every fault is a ValidationError naming the field (never the secret). */
export function webhookSubscriber(raw: RawSubscriber, index = 0): WebhookSubscriber {
  const at = `subscribers[${index}]`;
  if (typeof raw.id !== 'string' || !SUBSCRIBER_ID.test(raw.id))
    throw new ValidationError(
      `${at}.id`,
      `${at}.id must be 1-63 lower-case letters, digits or hyphens.`,
    );
  if (typeof raw.url !== 'string') throw new ValidationError(`${at}.url`, `${at}.url is required.`);
  let url: URL;
  try {
    url = new URL(raw.url);
  } catch {
    throw new ValidationError(`${at}.url`, `${at}.url must be an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError(`${at}.url`, `${at}.url must use https (or http).`);
  if (url.username || url.password)
    throw new ValidationError(`${at}.url`, `${at}.url must not carry credentials.`);
  if (url.hash) throw new ValidationError(`${at}.url`, `${at}.url must not have a fragment.`);
  if (typeof raw.secret !== 'string' || !raw.secret.startsWith(SECRET_PREFIX))
    throw new ValidationError(`${at}.secret`, `${at}.secret must be a whsec_<base64> secret.`);
  const encoded = raw.secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw new ValidationError(`${at}.secret`, `${at}.secret must be base64 after whsec_.`);
  const key = signingKey(raw.secret);
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES)
    throw new ValidationError(
      `${at}.secret`,
      `${at}.secret must decode to ${MIN_KEY_BYTES}-${MAX_KEY_BYTES} bytes.`,
    );
  const subscriber = { id: raw.id, url } as { id: string; url: URL; key: Buffer };
  Object.defineProperty(subscriber, 'key', { value: key, enumerable: false });
  return subscriber;
}

/**
 * `COMPLIANCE_WEBHOOK_SUBSCRIBERS`: a JSON array of `{id, url, secret}`, ids unique; unset or
 * empty: no subscribers (the feed is disabled). Faults name the entry, never the secret.
 */
export function parseWebhookSubscribers(text: string | undefined): WebhookSubscriber[] {
  let raw: unknown = [];
  if (text !== undefined && text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ValidationError(
        'COMPLIANCE_WEBHOOK_SUBSCRIBERS',
        'expected a JSON array of {id, url, secret}',
      );
    }
  }
  if (!Array.isArray(raw))
    throw new ValidationError(
      'COMPLIANCE_WEBHOOK_SUBSCRIBERS',
      'expected a JSON array of {id, url, secret}',
    );
  const subscribers = raw.map((entry: unknown, i) =>
    webhookSubscriber(entry && typeof entry === 'object' ? (entry as RawSubscriber) : {}, i),
  );
  const ids = new Set(subscribers.map((s) => s.id));
  if (ids.size !== subscribers.length)
    throw new ValidationError('COMPLIANCE_WEBHOOK_SUBSCRIBERS', 'Subscriber ids must be unique.');
  return subscribers;
}

/**
 * The GRC feed's variables, part of the compliance service's settings (compliance-settings.ts):
 * the subscribers, and the delivery tuning.
 */
export const WEBHOOK_SETTINGS_VARIABLES = {
  // A secret (HMAC keys): the start-up error never echoes its value.
  COMPLIANCE_WEBHOOK_SUBSCRIBERS: secretSetting(parsedSetting(parseWebhookSubscribers)),
  COMPLIANCE_WEBHOOK_MAX_ATTEMPTS: wholeNumberSetting('attempts', 1, 1_000, 8),
  COMPLIANCE_WEBHOOK_INITIAL_BACKOFF_MS: wholeNumberSetting('milliseconds', 1, 86_400_000, 1_000),
  COMPLIANCE_WEBHOOK_MAX_BACKOFF_MS: wholeNumberSetting('milliseconds', 1, 86_400_000, 300_000),
  COMPLIANCE_WEBHOOK_TIMEOUT_MS: wholeNumberSetting('milliseconds', 1, 600_000, 10_000),
  COMPLIANCE_WEBHOOK_POLL_MS: wholeNumberSetting('milliseconds', 1, 3_600_000, 1_000),
  // Another topic to feed from (tests use their own); production: compliance's own events.
  COMPLIANCE_WEBHOOK_TOPIC: kafkaTopicSetting(COMPLIANCE_EVENTS_TOPIC),
};

export type WebhookSettingsVariables = z.infer<z.ZodObject<typeof WEBHOOK_SETTINGS_VARIABLES>>;

export const webhookSettingsOf = (settings: WebhookSettingsVariables): WebhookSettings => ({
  subscribers: settings.COMPLIANCE_WEBHOOK_SUBSCRIBERS,
  maxAttempts: settings.COMPLIANCE_WEBHOOK_MAX_ATTEMPTS,
  initialBackoffMs: settings.COMPLIANCE_WEBHOOK_INITIAL_BACKOFF_MS,
  maxBackoffMs: settings.COMPLIANCE_WEBHOOK_MAX_BACKOFF_MS,
  timeoutMs: settings.COMPLIANCE_WEBHOOK_TIMEOUT_MS,
  pollMs: settings.COMPLIANCE_WEBHOOK_POLL_MS,
  topic: settings.COMPLIANCE_WEBHOOK_TOPIC,
});

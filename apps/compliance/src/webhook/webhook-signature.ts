import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com) signing, so any of its verifiers accepts our requests:
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`,
 * the timestamp in integer Unix seconds, the key the base64-decoded part of a `whsec_` secret.
 */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a `whsec_<base64>` secret (or of a bare base64 one). */
export function signingKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/** The `webhook-signature` header value for one message. */
export function signWebhook(
  key: Buffer,
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', key)
    .update(`${messageId}.${timestampSeconds}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

import { z } from 'zod';
import {
  ConfigurationError,
  parsedSetting,
  secretSetting,
  unsetWhenEmpty,
} from '@trainyard/platform';
import { kekFingerprint, type KeyEncryptionKey, type KeyRing } from './envelope-encryption';

/** Settings that contradict each other (a previous KEK under the current one's id): exit 78. */
export class SecretsConfigError extends ConfigurationError {
  constructor(variable: string, message: string) {
    super(`invalid configuration: ${variable}: ${message}`);
  }
}

const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;

const parseKey = (text: string): Buffer => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error('must be base64');
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`must be 32 bytes (base64); got ${key.length}`);
  return key;
};

/** `id=base64,…`, ids distinct. */
const parsePreviousKeks = (text: string | undefined): ReadonlyMap<string, Buffer> => {
  const keys = new Map<string, Buffer>();
  for (const entry of (text ?? '').split(/[\s,]+/).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const id = entry.slice(0, eq);
    if (eq < 0 || !KEK_ID.test(id) || keys.has(id))
      throw new Error('entries must be id=base64 with distinct ids');
    keys.set(id, parseKey(entry.slice(eq + 1)));
  }
  return keys;
};

/**
 * The secrets' key-encryption keys, part of the scheduling service's settings:
 * `SCHEDULING_SECRETS_KEK` (base64 of 32 bytes), `SCHEDULING_SECRETS_KEK_ID` (default its
 * fingerprint), `SCHEDULING_SECRETS_PREVIOUS_KEKS` (`id=base64,…`: still unwrap, never wrap).
 */
export const SECRETS_SETTINGS = {
  // Keys: a start-up error names them but never echoes their values.
  SCHEDULING_SECRETS_KEK: secretSetting(
    parsedSetting((text) => (text === undefined ? undefined : parseKey(text))),
  ),
  SCHEDULING_SECRETS_KEK_ID: unsetWhenEmpty(
    z.string().regex(KEK_ID, 'must be 1-64 letters, digits, . _ -').optional(),
  ),
  SCHEDULING_SECRETS_PREVIOUS_KEKS: secretSetting(parsedSetting(parsePreviousKeks)),
};

export type SecretsSettings = z.infer<z.ZodObject<typeof SECRETS_SETTINGS>>;

/** The key ring; undefined when no KEK is configured: secrets are then refused, the rest runs. */
export const keyRingOf = (settings: SecretsSettings): KeyRing | undefined => {
  const key = settings.SCHEDULING_SECRETS_KEK;
  if (key === undefined) return undefined;
  const current = { id: settings.SCHEDULING_SECRETS_KEK_ID ?? kekFingerprint(key), key };
  const byId = new Map<string, KeyEncryptionKey>([[current.id, current]]);
  for (const [id, previous] of settings.SCHEDULING_SECRETS_PREVIOUS_KEKS) {
    if (byId.has(id))
      throw new SecretsConfigError(
        'SCHEDULING_SECRETS_PREVIOUS_KEKS',
        `entries must have ids distinct from the current KEK's (${id})`,
      );
    byId.set(id, { id, key: previous });
  }
  return { current, byId };
};

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { keyEncryptionKey, type KeyEncryptionKey } from './envelope-crypto';

/**
 * The personal-data settings, as a service's validated config holds them (the platform's config
 * schema) or as a command-line tool reads them from its environment.
 */
export interface PersonalDataSettings {
  readonly TRAINYARD_PII_KEK?: string;
  readonly TRAINYARD_PII_KEK_FILE?: string;
  readonly TRAINYARD_PII_KEK_ID?: string;
  readonly TRAINYARD_PII_SCHEMA?: string;
  readonly NODE_ENV?: string;
}

/** Where the development KEK lives when `TRAINYARD_PII_KEK` is not set (never in production). */
export const DEV_KEK_FILE = '.local/privacy/kek.b64';

/**
 * The operator's key-encryption key: `TRAINYARD_PII_KEK` (base64 of 32 bytes) with
 * `TRAINYARD_PII_KEK_ID` (default: derived from the key). Without it, outside production, a
 * development key is created once in `TRAINYARD_PII_KEK_FILE` (default `.local/privacy/kek.b64`)
 * and shared by every local service; in production a missing key is an error.
 */
export const loadKeyEncryptionKey = (env: PersonalDataSettings = process.env): KeyEncryptionKey => {
  const kid = env.TRAINYARD_PII_KEK_ID || undefined;
  const configured = env.TRAINYARD_PII_KEK;
  if (configured) return keyEncryptionKey(decode(configured, 'TRAINYARD_PII_KEK'), kid);
  const named = env.TRAINYARD_PII_KEK_FILE;
  if (env.NODE_ENV === 'production') {
    // A key mounted as a file (a Docker or Kubernetes secret) is read, never created.
    if (named) {
      if (!existsSync(named))
        throw new Error(
          `TRAINYARD_PII_KEK_FILE: ${named} does not exist (a key is never created in production)`,
        );
      return keyEncryptionKey(decode(readFileSync(named, 'utf8'), 'TRAINYARD_PII_KEK_FILE'), kid);
    }
    throw new Error(
      'TRAINYARD_PII_KEK (base64 of 32 random bytes) or TRAINYARD_PII_KEK_FILE is required in production',
    );
  }
  const file = named || DEV_KEK_FILE;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return keyEncryptionKey(decode(readFileSync(file, 'utf8').trim(), file), kid);
};

const decode = (text: string, name: string): Buffer => {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text.trim()))
    throw new Error(`${name} must be the base64 of exactly 32 bytes`);
  return Buffer.from(text.trim(), 'base64');
};

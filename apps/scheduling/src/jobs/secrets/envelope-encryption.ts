import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of secret values (issue 12, item 2): each value is sealed with its own random
 * 256-bit data key (AES-256-GCM); the data key is sealed with the operator's key-encryption key
 * (KEK), whose id is stored beside it, so the KEK can be rotated by re-wrapping data keys without
 * touching values. Both seals bind associated data (the secret's name and value id, and the KEK
 * id), so a row copied onto another secret, or a data key moved between rows, fails to open.
 * Layout of a sealed blob: 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag.
 */
export interface KeyEncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}
export interface KeyRing {
  /** What new values are wrapped with. */
  readonly current: KeyEncryptionKey;
  /** Every KEK that can still unwrap (the current one included), by id. */
  readonly byId: ReadonlyMap<string, KeyEncryptionKey>;
}
export interface SealedValue {
  readonly kekId: string;
  readonly wrappedKey: Buffer;
  readonly sealedValue: Buffer;
}

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

const seal = (key: Buffer, plaintext: Buffer, aad: string): Buffer => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
};

const open = (key: Buffer, sealed: Buffer, aad: string): Buffer => {
  if (sealed.length < IV_BYTES + TAG_BYTES)
    throw new SecretDecryptionError('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new SecretDecryptionError('authentication failed (wrong key or tampered data)');
  }
};

const valueAad = (name: string, valueId: string) => `trainyard.secret.value\0${name}\0${valueId}`;
const keyAad = (name: string, valueId: string, kekId: string) =>
  `trainyard.secret.data-key\0${name}\0${valueId}\0${kekId}`;

export const sealSecret = (
  ring: KeyRing,
  name: string,
  valueId: string,
  plaintext: string,
): SealedValue => {
  const dataKey = randomBytes(32);
  try {
    return {
      kekId: ring.current.id,
      wrappedKey: seal(ring.current.key, dataKey, keyAad(name, valueId, ring.current.id)),
      sealedValue: seal(dataKey, Buffer.from(plaintext, 'utf8'), valueAad(name, valueId)),
    };
  } finally {
    dataKey.fill(0);
  }
};

const unwrapKey = (ring: KeyRing, name: string, valueId: string, sealed: SealedValue): Buffer => {
  const kek = ring.byId.get(sealed.kekId);
  if (kek === undefined)
    throw new SecretDecryptionError(
      `the key-encryption key ${sealed.kekId} is not configured (SCHEDULING_SECRETS_KEK / SCHEDULING_SECRETS_PREVIOUS_KEKS)`,
    );
  return open(kek.key, sealed.wrappedKey, keyAad(name, valueId, sealed.kekId));
};

export const openSecret = (
  ring: KeyRing,
  name: string,
  valueId: string,
  sealed: SealedValue,
): string => {
  const dataKey = unwrapKey(ring, name, valueId, sealed);
  try {
    return open(dataKey, sealed.sealedValue, valueAad(name, valueId)).toString('utf8');
  } finally {
    dataKey.fill(0);
  }
};

/** The data key re-wrapped with the current KEK (KEK rotation); the value is not re-encrypted. */
export const rewrapSecret = (
  ring: KeyRing,
  name: string,
  valueId: string,
  sealed: SealedValue,
): SealedValue => {
  const dataKey = unwrapKey(ring, name, valueId, sealed);
  try {
    return {
      kekId: ring.current.id,
      wrappedKey: seal(ring.current.key, dataKey, keyAad(name, valueId, ring.current.id)),
      sealedValue: sealed.sealedValue,
    };
  } finally {
    dataKey.fill(0);
  }
};

/** A KEK's default id: a fingerprint (SHA-256 of the key, 12 hex digits); reveals nothing usable. */
export const kekFingerprint = (key: Buffer): string =>
  `kek-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

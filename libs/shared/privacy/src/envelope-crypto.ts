import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedPersonalData } from '@trainyard/kernel';

/**
 * Envelope encryption of personal data (docs/adr/0013-crypto-shredding.md): every data subject has
 * its own 256-bit data key (DEK); values are sealed with AES-256-GCM under it; the DEK is stored
 * only wrapped (AES-256-GCM) by the operator's key-encryption key (KEK). Both GCM operations bind
 * the subject id as additional authenticated data, so a sealed value or a wrapped key moved to
 * another subject does not open.
 */
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VALUE_AAD = 'trainyard.pii.v1.value\n';
const WRAP_AAD = 'trainyard.pii.v1.dek\n';

/** The operator's key-encryption key and its id (recorded with every wrapped key and envelope). */
export interface KeyEncryptionKey {
  readonly kid: string;
  readonly key: Buffer;
}

/** The envelope or wrapped key does not open: wrong key, wrong subject, or changed bytes. */
export class PersonalDataIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonalDataIntegrityError';
  }
}

export const generateDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES);

/** `kid` of a KEK when none is configured: the first 8 hex digits of SHA-256 of the key. */
export const defaultKeyId = (key: Buffer): string =>
  `kek-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

export const keyEncryptionKey = (key: Buffer, kid = defaultKeyId(key)): KeyEncryptionKey => {
  if (key.length !== DATA_KEY_BYTES)
    throw new Error(`the key-encryption key must be 32 bytes, got ${key.length}`);
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(kid))
    throw new Error('the key-encryption key id must be 1–64 characters of A-Z a-z 0-9 . _ : -');
  return { kid, key };
};

const seal = (key: Buffer, aad: string, plaintext: Buffer): { iv: Buffer; ct: Buffer } => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, ct };
};

const open = (key: Buffer, aad: string, iv: Buffer, sealed: Buffer, what: string): Buffer => {
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES)
    throw new PersonalDataIntegrityError(`${what} is malformed`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new PersonalDataIntegrityError(
      `${what} does not authenticate (another key, another subject, or changed bytes)`,
    );
  }
};

/** The DEK wrapped by the KEK: iv ‖ ciphertext ‖ tag. */
export const wrapDataKey = (kek: KeyEncryptionKey, subject: string, dek: Buffer): Buffer => {
  const { iv, ct } = seal(kek.key, WRAP_AAD + kek.kid + '\n' + subject, dek);
  return Buffer.concat([iv, ct]);
};

export const unwrapDataKey = (kek: KeyEncryptionKey, subject: string, wrapped: Buffer): Buffer =>
  open(
    kek.key,
    WRAP_AAD + kek.kid + '\n' + subject,
    wrapped.subarray(0, IV_BYTES),
    wrapped.subarray(IV_BYTES),
    `the wrapped data key of subject ${JSON.stringify(subject)}`,
  );

export const sealPersonalValue = (
  dek: Buffer,
  kid: string,
  subject: string,
  value: string,
): SealedPersonalData => {
  const { iv, ct } = seal(dek, VALUE_AAD + subject, Buffer.from(value, 'utf8'));
  return { $pii: { v: 1, subject, kid, iv: iv.toString('base64'), ct: ct.toString('base64') } };
};

export const openPersonalValue = (dek: Buffer, sealed: SealedPersonalData): string =>
  open(
    dek,
    VALUE_AAD + sealed.$pii.subject,
    Buffer.from(sealed.$pii.iv, 'base64'),
    Buffer.from(sealed.$pii.ct, 'base64'),
    `the personal data of subject ${JSON.stringify(sealed.$pii.subject)}`,
  ).toString('utf8');

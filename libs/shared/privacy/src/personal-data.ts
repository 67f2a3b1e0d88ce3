import type { Pool } from 'pg';
import {
  ERASED_PERSONAL_DATA,
  ValidationError,
  isSealedPersonalData,
  type SealedPersonalData,
} from '@trainyard/kernel';
import {
  PersonalDataIntegrityError,
  openPersonalValue,
  sealPersonalValue,
  type KeyEncryptionKey,
} from './envelope-crypto';
import { loadKeyEncryptionKey, type PersonalDataSettings } from './kek-config';
import {
  SubjectKeyStore,
  migratePrivacy,
  privacySchemaOf,
  type SubjectKeyState,
} from './subject-key.store';

/** Shown where a sealed value's key is not in this key store at all (another environment's data). */
export const UNAVAILABLE_PERSONAL_DATA = '[unavailable]';
/**
 * Shown where an envelope does not authenticate under its subject's key (changed bytes): one bad
 * row must not hide a whole ledger page, and it must not pass for data either.
 */
export const UNREADABLE_PERSONAL_DATA = '[unreadable: integrity check failed]';

const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** Checks a data-subject id as every API takes it; `field` names it in the error. */
export const assertSubjectId = (field: string, subject: unknown): string => {
  if (typeof subject !== 'string' || subject.length === 0)
    throw new ValidationError(field, `${field} is required`);
  if (!SUBJECT_ID.test(subject))
    throw new ValidationError(
      field,
      `${field} must be 1–128 characters of A-Z a-z 0-9 . _ : @ - starting with a letter or digit`,
    );
  return subject;
};

/**
 * The platform's personal-data sealer and opener (docs/adr/0013-crypto-shredding.md). Writers seal
 * a value for its data subject before it goes into a command (so the event, its Merkle leaf, the
 * outbox, Kafka and every read model hold only ciphertext); readers open envelopes when they answer
 * a query, so an erased subject reads as `[erased]` everywhere at once, with no re-projection.
 */
export class PersonalData {
  constructor(readonly keys: SubjectKeyStore) {}

  /**
   * From the settings (a service passes its validated config): `TRAINYARD_PII_KEK` or `_FILE`
   * (+ `_ID`), `TRAINYARD_PII_SCHEMA`, `NODE_ENV`; migrates the key table.
   */
  static async fromSettings(pool: Pool, settings: PersonalDataSettings): Promise<PersonalData> {
    return PersonalData.open(pool, privacySchemaOf(settings), loadKeyEncryptionKey(settings));
  }

  static async open(pool: Pool, schema: string, kek: KeyEncryptionKey): Promise<PersonalData> {
    await migratePrivacy(pool, schema);
    return new PersonalData(new SubjectKeyStore(pool, schema, kek));
  }

  async seal(subject: string, value: string): Promise<SealedPersonalData> {
    const { key, kid } = await this.keys.keyForSealing(subject);
    return sealPersonalValue(key, kid, subject, value);
  }

  /** The plaintext, `[erased]`, `[unavailable]`, or null for no value. */
  async reveal(value: SealedPersonalData | null | undefined): Promise<string | null> {
    if (!value) return null;
    return openWith(await this.keys.states([value.$pii.subject]), value);
  }

  /** `reveal` of each value, keys of all subjects read in one query. */
  async revealMany(
    values: readonly (SealedPersonalData | null | undefined)[],
  ): Promise<(string | null)[]> {
    const present = values.filter((v): v is SealedPersonalData => !!v);
    if (present.length === 0) return values.map(() => null);
    const states = await this.keys.states(present.map((v) => v.$pii.subject));
    return values.map((v) => (v ? openWith(states, v) : null));
  }

  /**
   * A copy of a JSON value with every envelope inside it (at any depth) replaced by its plaintext
   * or the placeholder; keys of all subjects are read in one query.
   */
  async revealDeep<T>(value: T): Promise<T> {
    const subjects: string[] = [];
    collectSubjects(value, subjects);
    if (subjects.length === 0) return value;
    const states = await this.keys.states(subjects);
    return replaceEnvelopes(value, states) as T;
  }
}

const openWith = (states: Map<string, SubjectKeyState>, sealed: SealedPersonalData): string => {
  const state = states.get(sealed.$pii.subject);
  if (!state || state.status === 'unknown') return UNAVAILABLE_PERSONAL_DATA;
  if (state.status === 'erased') return ERASED_PERSONAL_DATA;
  try {
    return openPersonalValue(state.key, sealed);
  } catch (error) {
    if (error instanceof PersonalDataIntegrityError) return UNREADABLE_PERSONAL_DATA;
    throw error;
  }
};

const collectSubjects = (value: unknown, into: string[]): void => {
  if (isSealedPersonalData(value)) into.push(value.$pii.subject);
  else if (Array.isArray(value)) for (const item of value) collectSubjects(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectSubjects(item, into);
};

const replaceEnvelopes = (value: unknown, states: Map<string, SubjectKeyState>): unknown => {
  if (isSealedPersonalData(value)) return openWith(states, value);
  if (Array.isArray(value)) return value.map((item) => replaceEnvelopes(item, states));
  if (typeof value === 'object' && value !== null && !(value instanceof Date))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceEnvelopes(v, states)]),
    );
  return value;
};

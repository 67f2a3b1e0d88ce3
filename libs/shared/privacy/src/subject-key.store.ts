import type { Pool } from 'pg';
import { RuleViolation } from '@trainyard/kernel';
import { migrateSchema, assertSchemaName, type AppliedMigrations } from '@trainyard/event-store';
import type { PersonalDataSettings } from './kek-config';
import {
  generateDataKey,
  unwrapDataKey,
  wrapDataKey,
  type KeyEncryptionKey,
} from './envelope-crypto';

/** The subject-key tables, versioned (owner `privacy`). */
export const PRIVACY_MIGRATIONS = { owner: 'privacy', dir: `${__dirname}/migrations` } as const;

/** Default schema of the subject keys: shared by every service that seals or opens personal data. */
export const DEFAULT_PRIVACY_SCHEMA = 'privacy';

export const privacySchemaOf = (env: PersonalDataSettings = process.env): string => {
  const schema = env.TRAINYARD_PII_SCHEMA || DEFAULT_PRIVACY_SCHEMA;
  assertSchemaName(schema);
  return schema;
};

export const migratePrivacy = (pool: Pool, schema: string): Promise<AppliedMigrations[]> =>
  migrateSchema(pool, schema, [PRIVACY_MIGRATIONS]);

/** A subject whose key was erased: nothing more may be sealed for it (erasure is final). */
export class SubjectErasedError extends RuleViolation {
  constructor(
    readonly subject: string,
    readonly erasedAt: string,
  ) {
    super(
      'privacy.subject-erased',
      `data subject ${JSON.stringify(subject)} was erased at ${erasedAt}; nothing more is recorded for it`,
    );
  }
}

export type SubjectKeyState =
  | { readonly status: 'active'; readonly key: Buffer; readonly kid: string }
  | {
      readonly status: 'erased';
      readonly erasedAt: string;
      readonly erasedBy: string;
      readonly reason: string;
    }
  | { readonly status: 'unknown' };

export interface SubjectErasure {
  readonly subject: string;
  readonly erasedAt: string;
  readonly erasedBy: string;
  readonly reason: string;
  /** False when the key had been erased before (the first tombstone is kept). */
  readonly erasedNow: boolean;
}

interface KeyRow {
  subject_id: string;
  kid: string;
  wrapped_key: Buffer | null;
  erased_at: Date | null;
  erased_by: string | null;
  erasure_reason: string | null;
}

/**
 * The per-subject data keys in PostgreSQL (`<schema>.subject_keys`), wrapped by the KEK. Keys are
 * never cached: an erasure is visible to every reader, in every process, at its next read.
 */
export class SubjectKeyStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
    private readonly kek: KeyEncryptionKey,
  ) {
    assertSchemaName(schema);
    this.table = `"${schema}".subject_keys`;
  }

  /** The subject's data key, created on first use; throws SubjectErasedError after an erasure. */
  async keyForSealing(subject: string): Promise<{ key: Buffer; kid: string }> {
    await this.pool.query(
      `INSERT INTO ${this.table} (subject_id, kid, wrapped_key) VALUES ($1, $2, $3)
       ON CONFLICT (subject_id) DO NOTHING`,
      [subject, this.kek.kid, wrapDataKey(this.kek, subject, generateDataKey())],
    );
    const state = (await this.states([subject])).get(subject)!;
    if (state.status === 'erased') throw new SubjectErasedError(subject, state.erasedAt);
    if (state.status !== 'active') throw new Error(`no data key for ${subject} after creating it`);
    return { key: state.key, kid: state.kid };
  }

  /** Each subject's key, tombstone, or nothing, in one query. */
  async states(subjects: readonly string[]): Promise<Map<string, SubjectKeyState>> {
    const unique = [...new Set(subjects)];
    const result = new Map<string, SubjectKeyState>(
      unique.map((s) => [s, { status: 'unknown' } as const]),
    );
    if (unique.length === 0) return result;
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT subject_id, kid, wrapped_key, erased_at, erased_by, erasure_reason
         FROM ${this.table} WHERE subject_id = ANY($1::text[])`,
      [unique],
    );
    for (const row of rows) result.set(row.subject_id, this.stateOf(row));
    return result;
  }

  /**
   * Crypto-shreds the subject: the wrapped key is overwritten with NULL and the row stays as the
   * tombstone. Idempotent (a second erasure keeps the first tombstone). A subject never seen gets a
   * tombstone too, so nothing can be sealed for it later.
   */
  async erase(
    subject: string,
    erasedBy: string,
    reason: string,
    at: Date,
  ): Promise<SubjectErasure> {
    const { rows } = await this.pool.query<KeyRow & { erased_now: boolean }>(
      `INSERT INTO ${this.table} AS k (subject_id, kid, wrapped_key, erased_at, erased_by, erasure_reason)
       VALUES ($1, $2, NULL, $3, $4, $5)
       ON CONFLICT (subject_id) DO UPDATE
         SET wrapped_key = NULL, erased_at = $3, erased_by = $4, erasure_reason = $5
         WHERE k.erased_at IS NULL
       RETURNING subject_id, kid, wrapped_key, erased_at, erased_by, erasure_reason, true AS erased_now`,
      [subject, this.kek.kid, at, erasedBy, reason],
    );
    const row =
      rows[0] ??
      (
        await this.pool.query<KeyRow & { erased_now: boolean }>(
          `SELECT subject_id, kid, wrapped_key, erased_at, erased_by, erasure_reason, false AS erased_now
             FROM ${this.table} WHERE subject_id = $1`,
          [subject],
        )
      ).rows[0]!;
    if (row.erased_now) {
      // The old row version still holds the wrapped key until vacuumed; do it now (best effort,
      // outside any transaction). WAL and backups keep it wrapped: rotate the KEK to end that.
      await this.pool.query(`VACUUM ${this.table}`).catch(() => undefined);
    }
    return {
      subject,
      erasedAt: row.erased_at!.toISOString(),
      erasedBy: row.erased_by!,
      reason: row.erasure_reason!,
      erasedNow: row.erased_now,
    };
  }

  private stateOf(row: KeyRow): SubjectKeyState {
    if (row.erased_at)
      return {
        status: 'erased',
        erasedAt: row.erased_at.toISOString(),
        erasedBy: row.erased_by ?? '',
        reason: row.erasure_reason ?? '',
      };
    if (row.kid !== this.kek.kid)
      throw new Error(
        `the data key of ${row.subject_id} is wrapped by KEK ${row.kid}, this process has ${this.kek.kid}`,
      );
    return {
      status: 'active',
      key: unwrapDataKey(this.kek, row.subject_id, row.wrapped_key!),
      kid: row.kid,
    };
  }
}

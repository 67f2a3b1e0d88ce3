import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import {
  assertSchemaName,
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { RuleViolation } from '@trainyard/kernel';
import { EVENT_STORE, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  decideSecret,
  secretDecider,
  secretStream,
  validateSecretInput,
  type DeleteSecret,
  type PutSecret,
} from '@trainyard/scheduling-domain';
import type { SecretResolver } from '../executors/secret-resolver';
import { openSecret, rewrapSecret, sealSecret, type KeyRing } from './envelope-encryption';

/** The configured key ring, or none (secrets refused, the rest of the service runs). */
export interface SecretsKeys {
  readonly ring: KeyRing | undefined;
}
export const SECRETS_KEYS = Symbol('trainyard.scheduling.secrets-keys');

/** What the API says of a secret: never its value. */
export interface SecretSummary {
  readonly name: string;
  readonly version: number;
  readonly kekId: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly rotatedAt?: string;
  readonly rotatedBy?: string;
}

interface SecretRow {
  value_id: string;
  name: string;
  version: number;
  kek_id: string;
  wrapped_key: Buffer;
  sealed_value: Buffer;
  created_at: string;
  created_by: string;
  rotated_at: string | null;
  rotated_by: string | null;
}

const summaryOf = (row: SecretRow): SecretSummary => ({
  name: row.name,
  version: row.version,
  kekId: row.kek_id,
  createdAt: row.created_at,
  createdBy: row.created_by,
  ...(row.rotated_at === null ? {} : { rotatedAt: row.rotated_at }),
  ...(row.rotated_by === null ? {} : { rotatedBy: row.rotated_by }),
});

/**
 * The secrets of the job executors (issue 12, item 2): put (set or rotate), list, delete, and
 * resolve for the executors. Every change is an event on `secret-<name>` (name, version, value id,
 * KEK id, who, when — never the value); the sealed value is a row of `scheduling_secrets`.
 * Writers of one name queue on an advisory lock (every instance), so the row written before the
 * event and the clean-up after it cannot interleave with another put. A crash between leaves an
 * unconfirmed row the stream does not name: harmless, removed by the next put of that name.
 */
@Injectable()
export class SecretsService implements SecretResolver {
  private readonly table: string;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: Pick<ServiceConfig, 'DATABASE_SCHEMA'>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SECRETS_KEYS) private readonly keys: SecretsKeys,
  ) {
    this.table = `"${assertSchemaName(config.DATABASE_SCHEMA)}".scheduling_secrets`;
  }

  private ring(): KeyRing {
    if (this.keys.ring === undefined)
      throw new RuleViolation(
        'secrets.kek',
        'secrets are unavailable: the operator has not configured SCHEDULING_SECRETS_KEK',
      );
    return this.keys.ring;
  }

  private async withNameLock<T>(
    name: string,
    work: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    const key = `trainyard.secret:${this.table}:${name}`;
    // A connection whose unlock failed may still hold the lock: it is destroyed, not pooled.
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await work(client);
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
          .catch((error: Error) => (broken = error));
      }
    } finally {
      client.release(broken);
    }
  }

  /** Sets (or rotates) `name` to `value`; the value is sealed before anything is written. */
  async put(name: string, value: string, ctx: CommandContext): Promise<SecretSummary> {
    validateSecretInput(name, value);
    const ring = this.ring();
    return this.withNameLock(name, async (client) => {
      const valueId = randomUUID();
      const sealed = sealSecret(ring, name, valueId, value);
      const command: PutSecret = {
        type: 'PutSecret',
        data: { name, valueId, kekId: sealed.kekId },
        metadata: commandMetadata(ctx),
      };
      const loaded = await loadStream(this.store, secretStream(name), secretDecider);
      const [event] = decideSecret(command, loaded.state);
      if (event === undefined || event.type === 'SecretDeleted')
        throw new Error(`put of secret ${name} decided nothing`);
      const version = event.data.version;
      const created =
        event.type === 'SecretRotated' && loaded.state.status === 'active'
          ? { at: loaded.state.createdAt, by: loaded.state.createdBy }
          : { at: ctx.now, by: ctx.actor };
      const rotated = event.type === 'SecretRotated' ? { at: ctx.now, by: ctx.actor } : undefined;
      await client.query(
        `INSERT INTO ${this.table} (value_id, name, version, kek_id, wrapped_key, sealed_value, confirmed, created_at, created_by, rotated_at, rotated_by)
         VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8, $9, $10)`,
        [
          valueId,
          name,
          version,
          sealed.kekId,
          sealed.wrappedKey,
          sealed.sealedValue,
          created.at,
          created.by,
          rotated?.at ?? null,
          rotated?.by ?? null,
        ],
      );
      try {
        await handleCommand(this.store, secretStream(name), secretDecider, command, ctx, {
          context: undefined,
        });
      } catch (error) {
        await client.query(`DELETE FROM ${this.table} WHERE value_id = $1`, [valueId]);
        throw error;
      }
      await client.query('BEGIN');
      try {
        // Earlier values are destroyed with their data keys: a rotated secret is gone.
        await client.query(`DELETE FROM ${this.table} WHERE name = $1 AND value_id <> $2`, [
          name,
          valueId,
        ]);
        await client.query(`UPDATE ${this.table} SET confirmed = true WHERE value_id = $1`, [
          valueId,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return {
        name,
        version,
        kekId: sealed.kekId,
        createdAt: created.at,
        createdBy: created.by,
        ...(rotated ? { rotatedAt: rotated.at, rotatedBy: rotated.by } : {}),
      };
    });
  }

  /** Deletes `name` (its value destroyed); true when it existed, false when already deleted. */
  async delete(name: string, ctx: CommandContext): Promise<boolean> {
    validateSecretInput(name);
    return this.withNameLock(name, async (client) => {
      const command: DeleteSecret = {
        type: 'DeleteSecret',
        data: { name },
        metadata: commandMetadata(ctx),
      };
      const handled = await handleCommand(
        this.store,
        secretStream(name),
        secretDecider,
        command,
        ctx,
        {
          context: undefined,
        },
      );
      await client.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
      return handled.events.length > 0;
    });
  }

  async list(): Promise<SecretSummary[]> {
    const { rows } = await this.pool.query<SecretRow>(
      `SELECT name, version, kek_id, created_at, created_by, rotated_at, rotated_by
         FROM ${this.table} WHERE confirmed ORDER BY name`,
    );
    return rows.map(summaryOf);
  }

  /**
   * The current values of `names` (for the executors only). The stream names the current value
   * id; a deleted or never-set name is absent from the answer.
   */
  async resolve(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const values = new Map<string, string>();
    if (names.length === 0) return values;
    const ring = this.ring();
    for (const name of names) {
      const { state } = await loadStream(this.store, secretStream(name), secretDecider);
      if (state.status !== 'active') continue;
      const { rows } = await this.pool.query<SecretRow>(
        `SELECT kek_id, wrapped_key, sealed_value FROM ${this.table} WHERE value_id = $1 AND name = $2`,
        [state.valueId, name],
      );
      const row = rows[0];
      if (row === undefined)
        throw new Error(
          `secret ${name} version ${state.version} has no stored value; put it again`,
        );
      values.set(
        name,
        openSecret(ring, name, state.valueId, {
          kekId: row.kek_id,
          wrappedKey: row.wrapped_key,
          sealedValue: row.sealed_value,
        }),
      );
    }
    return values;
  }

  /**
   * KEK rotation: every data key not wrapped by the current KEK is re-wrapped by it (the previous
   * KEK must still be configured to unwrap). Values are not re-encrypted. Returns how many.
   */
  async rewrapAll(): Promise<number> {
    const ring = this.ring();
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT DISTINCT name FROM ${this.table} WHERE kek_id <> $1`,
      [ring.current.id],
    );
    let count = 0;
    for (const { name } of rows)
      count += await this.withNameLock(name, async (client) => {
        const stale = await client.query<SecretRow>(
          `SELECT value_id, kek_id, wrapped_key, sealed_value FROM ${this.table} WHERE name = $1 AND kek_id <> $2`,
          [name, ring.current.id],
        );
        for (const row of stale.rows) {
          const rewrapped = rewrapSecret(ring, name, row.value_id, {
            kekId: row.kek_id,
            wrappedKey: row.wrapped_key,
            sealedValue: row.sealed_value,
          });
          await client.query(
            `UPDATE ${this.table} SET kek_id = $2, wrapped_key = $3 WHERE value_id = $1`,
            [row.value_id, rewrapped.kekId, rewrapped.wrappedKey],
          );
        }
        return stale.rows.length;
      });
    return count;
  }
}

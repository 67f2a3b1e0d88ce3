import type { Pool, PoolClient } from 'pg';
import type { TaskPoolClaim } from '@trainyard/scheduling-domain';
import type { PoolSlotsPort } from '../runtime-ports';

/** A schema name as the platform validates it; quoted into statements. */
const IDENT = /^[a-z_][a-z0-9_]*$/;

export interface PoolUsage {
  readonly poolKey: string;
  /** Slots of unexpired leases. */
  readonly held: number;
  readonly holders: number;
}

/**
 * Pool slots as leases in PostgreSQL (issue 12, item 4), shared by every scheduler instance:
 *
 * - all or nothing: the pools a task claims are locked in key order (their token rows, FOR
 *   UPDATE), so two acquirers of overlapping pools queue instead of deadlocking; every pool is
 *   checked before anything is written, so a refusal writes nothing;
 * - a pool's limit is its administered slots (`job_pools`); a pool nobody defined is unlimited
 *   but still leased and fenced;
 * - each grant takes the pool's next fencing token in the same transaction: tokens never repeat
 *   and always grow, so a downstream can refuse a holder whose lease was reclaimed (Kleppmann's
 *   fencing; Temporal has no global keyed semaphore, temporalio/temporal#7666);
 * - an expired lease no longer counts and is deleted by the next acquisition of its pool; renew
 *   extends only unexpired leases (an expired one may already have been given away).
 *
 * Times are the database's `clock_timestamp()`, one clock for every instance.
 */
export class PgPoolSlots implements PoolSlotsPort {
  private readonly leases: string;
  private readonly tokens: string;
  private readonly pools: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    if (!IDENT.test(schema)) throw new Error(`invalid schema name ${schema}`);
    this.leases = `"${schema}".job_pool_leases`;
    this.tokens = `"${schema}".job_pool_tokens`;
    this.pools = `"${schema}".job_pools`;
  }

  async tryAcquire(
    claims: readonly TaskPoolClaim[],
    holder: string,
    leaseMs: number,
    client?: PoolClient,
  ): Promise<Readonly<Record<string, number>> | undefined> {
    const wanted = new Map<string, number>();
    for (const claim of claims) {
      if (!Number.isInteger(claim.slots) || claim.slots < 1)
        throw new RangeError(`a claim on ${claim.pool} must hold at least one slot`);
      wanted.set(claim.pool, (wanted.get(claim.pool) ?? 0) + claim.slots);
    }
    if (wanted.size === 0) return {};
    const keys = [...wanted.keys()].sort();
    return this.inTransaction(client, async (c) => {
      // Key order: every acquirer locks overlapping pools in the same order (no deadlock).
      await c.query(
        `INSERT INTO ${this.tokens} (pool_key)
           SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i
         ON CONFLICT (pool_key) DO NOTHING`,
        [keys],
      );
      const { rows: locked } = await c.query<{ pool_key: string; last_token: string }>(
        `SELECT pool_key, last_token FROM ${this.tokens}
          WHERE pool_key = ANY($1::text[]) ORDER BY pool_key FOR UPDATE`,
        [keys],
      );
      await c.query(
        `DELETE FROM ${this.leases} WHERE pool_key = ANY($1::text[]) AND expires_at <= clock_timestamp()`,
        [keys],
      );
      const { rows: state } = await c.query<{
        pool_key: string;
        slots: number | null;
        held: number;
      }>(
        `SELECT k AS pool_key, p.slots,
                coalesce((SELECT sum(l.slots) FROM ${this.leases} l
                           WHERE l.pool_key = k AND l.holder <> $2), 0)::int AS held
           FROM unnest($1::text[]) AS k LEFT JOIN ${this.pools} p ON p.pool_key = k`,
        [keys, holder],
      );
      for (const row of state) {
        const need = wanted.get(row.pool_key) ?? 0;
        if (row.slots !== null && row.held + need > row.slots) return undefined;
      }
      const next = locked.map((r) => [r.pool_key, Number(r.last_token) + 1] as const);
      await c.query(
        `UPDATE ${this.tokens} t SET last_token = u.token
           FROM unnest($1::text[], $2::bigint[]) AS u(pool_key, token) WHERE t.pool_key = u.pool_key`,
        [next.map(([k]) => k), next.map(([, t]) => t)],
      );
      await c.query(
        `INSERT INTO ${this.leases} (pool_key, holder, slots, fencing_token, acquired_at, expires_at)
           SELECT u.pool_key, $3, u.slots, u.token, clock_timestamp(),
                  clock_timestamp() + make_interval(secs => $4::double precision / 1000)
             FROM unnest($1::text[], $2::int[], $5::bigint[]) AS u(pool_key, slots, token)
         ON CONFLICT (pool_key, holder) DO UPDATE
            SET slots = excluded.slots, fencing_token = excluded.fencing_token,
                acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
        [keys, keys.map((k) => wanted.get(k) ?? 0), holder, leaseMs, next.map(([, t]) => t)],
      );
      return Object.fromEntries(next);
    });
  }

  async renew(holder: string, leaseMs: number, client?: PoolClient): Promise<void> {
    await (client ?? this.pool).query(
      `UPDATE ${this.leases}
          SET expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000)
        WHERE holder = $1 AND expires_at > clock_timestamp()`,
      [holder, leaseMs],
    );
  }

  async release(holder: string, client?: PoolClient): Promise<void> {
    await (client ?? this.pool).query(`DELETE FROM ${this.leases} WHERE holder = $1`, [holder]);
  }

  /**
   * Free slots per administered pool now (what the dispatch policy's `freePoolSlots` wants); a
   * pool nobody defined is left out (unlimited).
   */
  async freeSlots(client?: PoolClient): Promise<Record<string, number>> {
    const { rows } = await (client ?? this.pool).query<{ pool_key: string; free: number }>(
      `SELECT p.pool_key, greatest(0, p.slots - coalesce(sum(l.slots), 0))::int AS free
         FROM ${this.pools} p
         LEFT JOIN ${this.leases} l ON l.pool_key = p.pool_key AND l.expires_at > clock_timestamp()
        GROUP BY p.pool_key, p.slots`,
    );
    return Object.fromEntries(rows.map((r) => [r.pool_key, r.free]));
  }

  /** Unexpired leases per pool (utilisation). */
  async usage(client?: PoolClient): Promise<PoolUsage[]> {
    const { rows } = await (client ?? this.pool).query<{
      pool_key: string;
      held: number;
      holders: number;
    }>(
      `SELECT pool_key, sum(slots)::int AS held, count(*)::int AS holders FROM ${this.leases}
        WHERE expires_at > clock_timestamp() GROUP BY pool_key ORDER BY pool_key`,
    );
    return rows.map((r) => ({ poolKey: r.pool_key, held: r.held, holders: r.holders }));
  }

  /** In the caller's transaction when given one, else in a transaction of its own. */
  private async inTransaction<T>(
    client: PoolClient | undefined,
    work: (c: PoolClient) => Promise<T>,
  ): Promise<T> {
    if (client) return work(client);
    const own = await this.pool.connect();
    try {
      await own.query('BEGIN');
      const result = await work(own);
      await own.query('COMMIT');
      return result;
    } catch (error) {
      await own.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      own.release();
    }
  }
}

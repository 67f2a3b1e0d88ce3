import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  PRIVACY_REGISTER_STREAM,
  decideRetention,
  privacyDecider,
  retentionCutoff,
  type LegalHold,
  type PrivacyEvent,
  type PrivacyRegister,
  type RetentionPolicy,
  type RetentionSweepOutcome,
} from '@trainyard/compliance-domain';
import {
  announceAppends,
  appendInTransaction,
  assertSchemaName,
  type CommandContext,
} from '@trainyard/event-store';
import { discardRecordArchive, writeRecordArchive, type ArchivedRecord } from '@trainyard/privacy';
import {
  GOVERNED_RECORD_TYPES,
  candidatesSql,
  type GovernedRecordType,
} from './governed-record-types';

export interface RetentionSweepOptions {
  readonly policy: RetentionPolicy;
  /** Where archived rows are written (`COMPLIANCE_RECORD_ARCHIVE_DIR`). */
  readonly archiveDir: string;
  /** At most this many rows leave each table per pass (default 5000); the next pass continues. */
  readonly maxPerType?: number;
  readonly recordTypes?: readonly GovernedRecordType[];
}

export interface RetentionSweepReport {
  readonly sweepId: string;
  readonly at: string;
  readonly outcomes: readonly RetentionSweepOutcome[];
  /** Types of the events recorded (RecordsPurged, RecordsArchived), in order. */
  readonly recorded: readonly string[];
}

const PAGE = 500;

interface Candidate {
  readonly id: string;
  readonly recordedAt: string;
  readonly key: unknown;
  readonly row: Record<string, unknown>;
}

/**
 * One retention pass over the compliance tables (issue 13 item 6): for each governed record type,
 * the rows older than its period are decided one by one with the domain's `decideRetention` under
 * the legal holds in force; due rows are deleted (or, for `archive`, written to an archive file,
 * synced, then deleted) and the outcome is recorded as `RecordsPurged` / `RecordsArchived` on the
 * privacy register, all in ONE transaction appended at the register version the holds were read
 * at: a hold placed meanwhile collides with the append and the whole pass rolls back.
 */
export class RetentionSweep {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly options: RetentionSweepOptions,
  ) {
    this.s = `"${assertSchemaName(schema)}"`;
  }

  async run(ctx: CommandContext): Promise<RetentionSweepReport> {
    const sweepId = randomUUID();
    const written: string[] = [];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Sweeps of one schema never overlap (several instances, a CLI run beside the service).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${this.schema}.retention-sweep`,
      ]);
      const { state, holds, version } = await this.register(client);
      const outcomes: RetentionSweepOutcome[] = [];
      for (const type of this.options.recordTypes ?? GOVERNED_RECORD_TYPES)
        outcomes.push(...(await this.sweepType(client, type, holds, ctx.now, sweepId, written)));
      const events = privacyDecider.decide(
        {
          type: 'RecordRetentionSweep',
          data: { sweepId, outcomes, holdsApplied: holds.map((h) => h.holdId) },
          metadata: {
            now: ctx.now,
            actor: ctx.actor,
            reason: ctx.reason ?? 'retention period ended',
          },
        },
        state,
        { footprint: [] },
      );
      // The exact expected version makes a hold placed since the register was read fail this
      // append, and the pass with it (the decider checks the holds as of that read).
      await appendInTransaction(client, this.schema, [
        {
          streamId: PRIVACY_REGISTER_STREAM,
          expectedVersion: version,
          events: events.map((event) => ({
            type: event.type,
            data: event.data,
            metadata: {
              eventId: randomUUID(),
              correlationId: ctx.correlationId,
              ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
              actor: ctx.actor,
              reason: ctx.reason ?? 'retention period ended',
              ...(ctx.trace ? { trace: ctx.trace } : {}),
            },
          })),
        },
      ]);
      await client.query('COMMIT');
      if (events.length > 0) await announceAppends(this.pool, this.schema);
      return {
        sweepId,
        at: ctx.now,
        // The ids are in the recorded events (for rebuilds); the answer keeps to the counts.
        outcomes: outcomes.map(({ recordIds: _ids, ...outcome }) => outcome),
        recorded: events.map((e) => e.type),
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      for (const file of written)
        await discardRecordArchive(this.options.archiveDir, file).catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The holds in force and the register's version, read inside the sweep's transaction. */
  private async register(
    client: PoolClient,
  ): Promise<{ state: PrivacyRegister; holds: LegalHold[]; version: number }> {
    const { rows } = await client.query<{
      stream_version: number;
      event_type: string;
      data: unknown;
    }>(
      `SELECT stream_version, event_type, data FROM ${this.s}.events
        WHERE stream_id = $1 ORDER BY stream_version`,
      [PRIVACY_REGISTER_STREAM],
    );
    const state = rows.reduce(
      (s, row) =>
        privacyDecider.evolve(s, { type: row.event_type, data: row.data } as PrivacyEvent),
      privacyDecider.initialState(),
    );
    return {
      state,
      holds: state.holds.filter((h) => h.releasedAt === undefined),
      version: rows.at(-1)?.stream_version ?? 0,
    };
  }

  private async sweepType(
    client: PoolClient,
    type: GovernedRecordType,
    holds: readonly LegalHold[],
    now: string,
    sweepId: string,
    written: string[],
  ): Promise<RetentionSweepOutcome[]> {
    const { policy } = this.options;
    const deleteBefore = retentionCutoff(policy, type.recordType, 'delete', now);
    const archiveBefore = retentionCutoff(policy, type.recordType, 'archive', now);
    const latest = [deleteBefore, archiveBefore]
      .filter((c): c is string => c !== undefined)
      .sort()
      .at(-1);
    if (latest === undefined) return [];
    const max = this.options.maxPerType ?? 5000;
    const purge: string[] = [];
    const archive: ArchivedRecord[] = [];
    const held = new Map<string, number>();
    let after: Candidate | undefined;
    while (purge.length + archive.length < max) {
      const page = await this.candidates(client, type, latest, after);
      for (const candidate of page) {
        const decision = decideRetention(
          type.recordType,
          type.footprint(candidate.row, candidate.recordedAt),
          policy,
          holds,
          now,
        );
        if (decision.action === 'delete') purge.push(candidate.id);
        else if (decision.action === 'archive')
          archive.push({ id: candidate.id, recordedAt: candidate.recordedAt, row: candidate.row });
        for (const holdId of decision.heldBy) held.set(holdId, (held.get(holdId) ?? 0) + 1);
        if (purge.length + archive.length >= max) break;
      }
      if (page.length < PAGE) break;
      after = page.at(-1);
    }
    const heldBack = [...held].map(([holdId, records]) => ({ holdId, records }));
    const outcomes: RetentionSweepOutcome[] = [];
    if (deleteBefore !== undefined) {
      await this.remove(client, type, purge);
      outcomes.push({
        recordType: type.recordType,
        action: 'purged',
        cutoff: deleteBefore,
        count: purge.length,
        recordIds: purge,
        heldBack,
      });
    }
    if (archiveBefore !== undefined) {
      let file: RetentionSweepOutcome['archive'];
      if (archive.length > 0) {
        const out = await writeRecordArchive(
          this.options.archiveDir,
          `${type.recordType}-${now.replace(/[^0-9]/g, '').slice(0, 14)}-${sweepId}`,
          type.recordType,
          archive,
        );
        written.push(out.file);
        file = {
          file: out.file,
          sha256: out.sha256,
          entriesRoot: out.entriesRoot,
          firstRecordedAt: out.firstRecordedAt,
          lastRecordedAt: out.lastRecordedAt,
        };
        await this.remove(
          client,
          type,
          archive.map((a) => a.id),
        );
      }
      outcomes.push({
        recordType: type.recordType,
        action: 'archived',
        cutoff: archiveBefore,
        count: archive.length,
        recordIds: archive.map((a) => a.id),
        heldBack: deleteBefore === undefined ? heldBack : [],
        ...(file ? { archive: file } : {}),
      });
    }
    return outcomes;
  }

  private async candidates(
    client: PoolClient,
    type: GovernedRecordType,
    before: string,
    after: Candidate | undefined,
  ): Promise<Candidate[]> {
    const { rows } = await client.query<{
      id: string;
      at: Date;
      key: unknown;
      row: Record<string, unknown>;
    }>(
      candidatesSql(`${this.s}.${type.table}`, type, after !== undefined),
      after ? [before, PAGE, after.key, after.id] : [before, PAGE],
    );
    return rows.map((r) => ({ id: r.id, recordedAt: r.at.toISOString(), key: r.key, row: r.row }));
  }

  private async remove(client: PoolClient, type: GovernedRecordType, ids: readonly string[]) {
    if (ids.length === 0) return;
    const { rowCount } = await client.query(
      `DELETE FROM ${this.s}.${type.table} WHERE ${type.idColumn} = ANY($1::text[])`,
      [ids],
    );
    if (rowCount !== ids.length)
      throw new Error(
        `retention: ${type.table} deleted ${rowCount} of ${ids.length} rows; rolled back`,
      );
  }
}

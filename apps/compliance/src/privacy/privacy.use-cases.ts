import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import {
  PRIVACY_REGISTER_STREAM,
  assertHoldId,
  privacyDecider,
  type ErasedSubject,
  type LegalHold,
  type LegalHoldScope,
  type PrivacyCommand,
  type PrivacyRegister,
  type RecordFootprint,
} from '@trainyard/compliance-domain';
import { NotFoundError } from '@trainyard/kernel';
import { EVENT_STORE, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { PersonalData, assertSubjectId } from '@trainyard/privacy';

export interface SubjectErasureView extends ErasedSubject {
  readonly recordsAffected: number;
}

export interface SubjectView {
  readonly subjectId: string;
  readonly keyStatus: 'active' | 'erased' | 'unknown';
  readonly erasure?: SubjectErasureView;
  readonly records: number;
}

/** Holds in force first, then by when they were placed. */
const byInForce = (a: LegalHold, b: LegalHold): number =>
  Number(a.releasedAt !== undefined) - Number(b.releasedAt !== undefined) ||
  a.placedAt.localeCompare(b.placedAt) ||
  a.holdId.localeCompare(b.holdId);

/**
 * Retention and privacy (issue 13 item 6): legal holds and data-subject erasure on the privacy
 * register stream, the subject's key deleted in the shared key store. The ledger says where the
 * subject's sealed data sits (its footprint), so a hold on a workload, release or time range that
 * holds their data refuses the erasure.
 */
@Injectable()
export class PrivacyUseCases {
  private readonly s: string;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly personal: PersonalData,
  ) {
    this.s = `"${config.DATABASE_SCHEMA.replace(/"/g, '""')}"`;
  }

  async erase(subjectId: string, ctx: CommandContext): Promise<SubjectErasureView> {
    assertSubjectId('subjectId', subjectId);
    const footprint = await this.footprint(subjectId);
    const handled = await this.handle(
      { type: 'EraseSubject', data: { subjectId }, metadata: commandMetadata(ctx) },
      ctx,
      footprint,
    );
    const recorded = handled.state.erased.find((e) => e.subjectId === subjectId)!;
    // After the tombstone event, so a crash in between is finished by erasing again (idempotent).
    await this.personal.keys.erase(
      subjectId,
      recorded.erasedBy,
      recorded.reason,
      new Date(recorded.erasedAt),
    );
    const event = handled.events.find((e) => e.type === 'DataSubjectErased');
    return {
      ...recorded,
      recordsAffected:
        event?.type === 'DataSubjectErased' ? event.data.recordsAffected : footprint.length,
    };
  }

  async subject(subjectId: string): Promise<SubjectView> {
    assertSubjectId('subjectId', subjectId);
    const [states, register, footprint] = await Promise.all([
      this.personal.keys.states([subjectId]),
      this.register(),
      this.footprint(subjectId),
    ]);
    const erasure = register.erased.find((e) => e.subjectId === subjectId);
    return {
      subjectId,
      keyStatus: states.get(subjectId)?.status ?? 'unknown',
      ...(erasure ? { erasure: { ...erasure, recordsAffected: footprint.length } } : {}),
      records: footprint.length,
    };
  }

  async placeHold(holdId: string, scope: LegalHoldScope, ctx: CommandContext): Promise<LegalHold> {
    const handled = await this.handle(
      { type: 'PlaceLegalHold', data: { holdId, scope }, metadata: commandMetadata(ctx) },
      ctx,
    );
    return handled.state.holds.find((h) => h.holdId === holdId)!;
  }

  async releaseHold(holdId: string, ctx: CommandContext): Promise<LegalHold> {
    const handled = await this.handle(
      { type: 'ReleaseLegalHold', data: { holdId }, metadata: commandMetadata(ctx) },
      ctx,
    );
    return handled.state.holds.find((h) => h.holdId === holdId)!;
  }

  async holds(): Promise<LegalHold[]> {
    return [...(await this.register()).holds].sort(byInForce);
  }

  async hold(holdId: string): Promise<LegalHold> {
    assertHoldId('holdId', holdId);
    const hold = (await this.register()).holds.find((h) => h.holdId === holdId);
    if (!hold) throw new NotFoundError('legal hold', holdId, `legal hold ${holdId} does not exist`);
    return hold;
  }

  async register(): Promise<PrivacyRegister> {
    return (await loadStream(this.store, PRIVACY_REGISTER_STREAM, privacyDecider)).state;
  }

  /** Ledger entries whose data carries an envelope sealed for the subject, as retention sees them. */
  async footprint(subjectId: string): Promise<RecordFootprint[]> {
    const { rows } = await this.pool.query<{
      occurred_at: Date;
      links: { kind: string; id: string }[];
    }>(
      `SELECT e.occurred_at, e.links FROM ${this.s}.ledger_entries e
        WHERE e.data IS NOT NULL
          AND jsonb_path_exists(e.data, '$.**."$pii" ? (@.subject == $s)', jsonb_build_object('s', $1::text))`,
      [subjectId],
    );
    return rows.map((row) => ({
      recordedAt: row.occurred_at.toISOString(),
      workloadIds: row.links.filter((l) => l.kind === 'workload').map((l) => l.id),
      releaseIds: row.links.filter((l) => l.kind === 'release').map((l) => l.id),
      subjectIds: [subjectId],
    }));
  }

  private handle(
    command: PrivacyCommand,
    ctx: CommandContext,
    footprint: readonly RecordFootprint[] = [],
  ) {
    return handleCommand(this.store, PRIVACY_REGISTER_STREAM, privacyDecider, command, ctx, {
      context: { footprint },
    });
  }
}

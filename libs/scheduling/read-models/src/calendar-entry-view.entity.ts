import type { CalendarEntryDefinition, CalendarEntryKind } from '@trainyard/scheduling-domain';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One calendar entry as last defined or revised, with its iCalendar sequence and retirement. */
export interface CalendarEntryRow {
  readonly entryId: string;
  readonly kind: CalendarEntryKind;
  readonly name: string;
  readonly zone: string;
  /** The definition exactly as its owner wrote it (nominal local times, never instants). */
  readonly definition: CalendarEntryDefinition;
  /** Scope lists copied out for filtering; empty = every value. */
  readonly trains: readonly string[];
  readonly teams: readonly string[];
  readonly environments: readonly string[];
  readonly components: readonly string[];
  /** iCalendar SEQUENCE: 0 when defined, one more per revision and on retirement. */
  readonly sequence: number;
  readonly retired: boolean;
  readonly retiredReason: string | null;
  readonly definedBy: string;
  readonly definedAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
  /** The entry stream's version this row reflects. */
  readonly version: number;
}

@Entity({ name: 'calendar_entries' })
@Index('calendar_entries_kind_idx', ['kind', 'retired'])
export class CalendarEntryView implements CalendarEntryRow {
  @PrimaryColumn({ name: 'entry_id', type: 'text' }) entryId!: string;
  @Column({ type: 'text' }) kind!: CalendarEntryKind;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) zone!: string;
  @Column({ type: 'jsonb' }) definition!: CalendarEntryDefinition;
  @Column({ type: 'jsonb' }) trains!: string[];
  @Column({ type: 'jsonb' }) teams!: string[];
  @Column({ type: 'jsonb' }) environments!: string[];
  @Column({ type: 'jsonb' }) components!: string[];
  @Column({ type: 'integer' }) sequence!: number;
  @Column({ type: 'boolean' }) retired!: boolean;
  @Column({ name: 'retired_reason', type: 'text', nullable: true }) retiredReason!: string | null;
  @Column({ name: 'defined_by', type: 'text' }) definedBy!: string;
  @Column({ name: 'defined_at', type: 'text' }) definedAt!: string;
  @Column({ name: 'updated_by', type: 'text' }) updatedBy!: string;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ type: 'integer' }) version!: number;
}

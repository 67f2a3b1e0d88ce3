import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One administered pool (issue 12, item 4): its slots and month-end style reservations. */
export interface JobPoolRow {
  readonly poolKey: string;
  readonly slots: number;
  readonly highLoadReservations: readonly {
    readonly calendarEntryId: string;
    readonly criticalSlots: number;
  }[];
  readonly description: string | null;
  readonly definedBy: string;
  readonly definedAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
  readonly version: number;
}

@Entity({ name: 'job_pools' })
export class JobPoolView implements JobPoolRow {
  @PrimaryColumn({ name: 'pool_key', type: 'text' }) poolKey!: string;
  @Column({ type: 'integer' }) slots!: number;
  @Column({ name: 'high_load_reservations', type: 'jsonb' })
  highLoadReservations!: JobPoolRow['highLoadReservations'];
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ name: 'defined_by', type: 'text' }) definedBy!: string;
  @Column({ name: 'defined_at', type: 'text' }) definedAt!: string;
  @Column({ name: 'updated_by', type: 'text' }) updatedBy!: string;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ type: 'integer' }) version!: number;
}

/** A team's fair-share weight (absent: the default, 1). */
export interface TeamWeightRow {
  readonly team: string;
  readonly weight: number;
  readonly updatedBy: string;
  readonly updatedAt: string;
  readonly version: number;
}

@Entity({ name: 'job_team_weights' })
export class TeamWeightView implements TeamWeightRow {
  @PrimaryColumn({ type: 'text' }) team!: string;
  @Column({ type: 'double precision' }) weight!: number;
  @Column({ name: 'updated_by', type: 'text' }) updatedBy!: string;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ type: 'integer' }) version!: number;
}

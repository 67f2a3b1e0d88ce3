import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One deprecated API version and its timeline, as announced. */
export interface ApiVersionRow {
  readonly api: string;
  readonly version: string;
  readonly deprecatedAt: string;
  readonly sunsetAt: string | null;
  readonly reason: string;
  readonly deprecatedBy: string;
  readonly recordedAt: string;
  readonly streamVersion: number;
}

@Entity({ name: 'api_versions' })
export class ApiVersionView implements ApiVersionRow {
  @PrimaryColumn({ type: 'text' }) api!: string;
  @PrimaryColumn({ type: 'text' }) version!: string;
  @Column({ name: 'deprecated_at', type: 'text' }) deprecatedAt!: string;
  @Column({ name: 'sunset_at', type: 'text', nullable: true }) sunsetAt!: string | null;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'deprecated_by', type: 'text' }) deprecatedBy!: string;
  @Column({ name: 'recorded_at', type: 'text' }) recordedAt!: string;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One declared component and its parent (none = a root). */
export interface ComponentRow {
  readonly componentId: string;
  readonly parentId: string | null;
  readonly declaredBy: string;
  readonly declaredAt: string;
  readonly version: number;
}

@Entity({ name: 'components' })
@Index('components_parent_idx', ['parentId'])
export class ComponentView implements ComponentRow {
  @PrimaryColumn({ name: 'component_id', type: 'text' }) componentId!: string;
  @Column({ name: 'parent_id', type: 'text', nullable: true }) parentId!: string | null;
  @Column({ name: 'declared_by', type: 'text' }) declaredBy!: string;
  @Column({ name: 'declared_at', type: 'text' }) declaredAt!: string;
  @Column({ type: 'integer' }) version!: number;
}

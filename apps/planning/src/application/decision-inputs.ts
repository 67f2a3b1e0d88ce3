import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { QuarterRelease } from '@trainyard/planning-domain';
import { ReleaseView } from '@trainyard/planning-read-models';
import { PlanningReadSide } from '../projections/planning-read-side';

/**
 * Facts the deciders need from the read models, by raw SQL where a repository query would load
 * too much. Read-your-writes holds for this instance only (see ADR 0005).
 */
@Injectable()
export class DecisionInputs {
  constructor(private readonly readSide: PlanningReadSide) {}

  /** The train's committed or closed releases with the technical debt in their scope. */
  async committedReleases(trainId: string): Promise<readonly QuarterRelease[]> {
    await this.readSide.catchUp();
    const releases = await this.readSide.dataSource.manager.find(ReleaseView, {
      where: { trainId, status: In(['scope-committed', 'released']) },
    });
    if (releases.length === 0) return [];
    const debt: { release_id: string; job_size: number }[] =
      await this.readSide.dataSource.manager.query(
        `SELECT release_id, coalesce(sum(job_size), 0)::float8 AS job_size
         FROM "${this.readSide.schema}".release_scope_items
        WHERE release_id = ANY($1) AND decision = 'included' AND change_type = 'technical-debt'
        GROUP BY release_id`,
        [releases.map((r) => r.releaseId)],
      );
    const byRelease = new Map(debt.map((d) => [d.release_id, d.job_size]));
    return releases.flatMap((r) =>
      r.windowStart === null
        ? []
        : [
            {
              releaseId: r.releaseId,
              windowStart: r.windowStart,
              capacityTotal: r.capacityTotal,
              techDebt: byRelease.get(r.releaseId) ?? 0,
            },
          ],
    );
  }

  /**
   * The `dependsOn` lists reachable from `roots`, so registration can refuse a cycle it would
   * close without loading every workload.
   */
  async dependencyClosure(
    roots: readonly string[],
  ): Promise<ReadonlyMap<string, readonly string[]>> {
    if (roots.length === 0) return new Map();
    await this.readSide.catchUp();
    const rows: { workload_id: string; depends_on: string[] }[] =
      await this.readSide.dataSource.manager.query(
        `WITH RECURSIVE reach(id) AS (
         SELECT unnest($1::text[])
         UNION
         SELECT jsonb_array_elements_text(w.depends_on) FROM "${this.readSide.schema}".workloads w JOIN reach r ON w.workload_id = r.id
       )
       SELECT w.workload_id, w.depends_on FROM "${this.readSide.schema}".workloads w JOIN reach r ON w.workload_id = r.id`,
        [[...roots]],
      );
    return new Map(rows.map((r) => [r.workload_id, r.depends_on]));
  }
}
